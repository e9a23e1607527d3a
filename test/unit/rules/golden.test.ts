/**
 * Runs every pack's golden cases (taken from the seed text) through the real decoder and credit
 * engine, and checks the standings they name.
 */
import { describe, expect, it } from 'vitest';
import { CreditEngine } from '../../../rules/engine/engine.ts';
import type { CreditOutput } from '../../../rules/engine/standing.ts';
import type { PackId } from '../../../rules/engine/types.ts';
import type { GoldenCase } from '../../../rules/golden/kit.ts';
import { GOLDEN_CASES } from '../../../rules/packs/golden.ts';
import { compilePacks, PACKS } from '../../../rules/packs/index.ts';
import { createDecoder } from '../../../schemas/decode.ts';
import { createPseudonymiser } from '../../../schemas/pseudonymise.ts';

const KEY = 'golden-test-key-0123456789';
const decode = createDecoder({ pseudonymKey: KEY });
const token = createPseudonymiser(KEY);

function run(packId: PackId, c: GoldenCase) {
  const engine = new CreditEngine(compilePacks(c.overrides ? { [packId]: c.overrides } : {}));
  const outputs: CreditOutput[] = [];
  for (const record of c.records) {
    const r = decode(JSON.stringify(record));
    if (!r.ok) throw new Error(`golden record rejected: ${r.error.message}`);
    outputs.push(...engine.apply(r.event));
  }
  outputs.push(...engine.advanceTo(Date.parse(c.as_of)));
  return { engine, outputs };
}

const all = Object.entries(GOLDEN_CASES) as [PackId, readonly GoldenCase[]][];

describe.each(all)('golden cases of %s', (packId, cases) => {
  it.each(cases.map((c) => [`${c.article}: ${c.name}`, c] as const))('%s', (_title, c) => {
    const { engine, outputs } = run(packId, c);
    const standings = engine.standings();
    for (const e of Array.isArray(c.expect) ? c.expect : [c.expect]) {
      const kind = e.subject_kind ?? 'institution';
      const code = kind === 'insured' ? token(e.subject_code) : e.subject_code;
      const s = standings.find((x) => x.subject_kind === kind && x.subject_code === code);
      expect(s, `standing of ${kind} ${e.subject_code}`).toBeDefined();
      expect(s?.pack).toBe(packId);
      expect(s?.level).toBe(e.level);
      if (e.evaluated !== undefined) expect(s?.evaluated).toBe(e.evaluated);
      if (e.excluded_reason !== undefined) expect(s?.excluded_reason).toBe(e.excluded_reason);
      if (e.score !== undefined) expect(s?.score).toBe(e.score);
      if (e.policy_in_force !== undefined) expect(s?.policy_in_force).toBe(e.policy_in_force);
      if (e.reason_rule !== undefined) expect(s?.reasons.map((r) => r.rule)).toContain(e.reason_rule);
      for (const r of s?.reasons ?? [])
        expect(r.article !== undefined || r.assumption !== undefined || r.rule.startsWith('engine.')).toBe(
          true,
        );
    }
    if (c.policy_expired !== undefined) {
      // Instants compared as instants: the case writes RFC 3339 without milliseconds.
      const told = outputs.flatMap((o) =>
        o.kind === 'policy_expired' ? [{ ...o, at: Date.parse(o.at) }] : [],
      );
      const want = c.policy_expired && { kind: 'policy_expired', pack: packId, ...c.policy_expired };
      expect(told).toEqual(want ? [{ ...want, at: Date.parse(want.at) }] : []);
    }
    if (c.chain) {
      const chain = engine.chainStatuses().find((x) => x.chain_id === c.chain?.chain_id);
      expect(chain?.at_or_below_d).toBe(c.chain.at_or_below_d);
      expect(chain?.triggers).toEqual(c.chain.triggers);
    }
  });
});

describe('golden coverage', () => {
  it('every pack ships golden cases, each naming the article it checks', () => {
    for (const pack of PACKS) {
      const cases = GOLDEN_CASES[pack.id] ?? [];
      expect(cases.length, pack.id).toBeGreaterThanOrEqual(10);
      for (const c of cases) expect(c.article).toMatch(/第.+条|附件/);
    }
  });
});
