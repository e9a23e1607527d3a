/**
 * Issue 16, "what it must show": 1 % of generated bad records mixed into a simulated feed — wrong
 * types, future and ancient times, huge values, escaped keys, personal data in unknown fields,
 * oversized lines, BOMs, cut-off lines, conflicting duplicates. Every bad record is a dead letter
 * with no ID number, mobile number or name in clear, and the outputs of the good records are
 * identical to those of the clean feed. fast-check picks the kinds, the records they are made
 * from and where they go.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Rejected } from '../../../processors/outputs.ts';
import { simulate } from '../../../processors/simulator/simulate.ts';
import { replayed } from './replayed.ts';

/** An ID number with a valid check character, a mobile number, a name: none may survive. */
const ID = '510107199001010018';
const MOBILE = '13912345678';
const NAME = '张三丰';

const outputs = async (lines: readonly string[]) => replayed(lines);

type Record = { [k: string]: unknown };
const fresh = (r: Record, n: number): Record => ({
  ...r,
  event_id: `bad-${n}`,
  ...(r.setl_id !== undefined && { setl_id: `BAD${String(n).padStart(10, '0')}` }),
});

/** The bad record of kind `kind` made from settlement `r` (the n-th bad record). */
const BAD_KINDS = {
  wrongType: (r: Record, n: number) => JSON.stringify({ ...fresh(r, n), medfee_sumamt: 'abc', psn_no: ID }),
  future: (r: Record, n: number) =>
    JSON.stringify({ ...fresh(r, n), occurred_at: '2099-01-01T00:00:00+08:00' }),
  ancient: (r: Record, n: number) =>
    JSON.stringify({ ...fresh(r, n), occurred_at: '1990-01-01T00:00:00+08:00' }),
  huge: (r: Record, n: number) => JSON.stringify({ ...fresh(r, n), medfee_sumamt: 1e300 }),
  escapedKeyUnknownFields: (r: Record, n: number) =>
    JSON.stringify({ ...fresh(r, n), psn_name: NAME, mdtrt_cert_no: ID, remark: `tel ${MOBILE}` }).replace(
      '"psn_no"',
      '"psn\\u005fno"',
    ),
  oversized: (r: Record, n: number) =>
    JSON.stringify({ ...fresh(r, n), psn_no: ID, pad: 'x'.repeat(1_100_000) }),
  bomCutOff: (r: Record, n: number) =>
    `\uFEFF${JSON.stringify({ ...fresh(r, n), psn_no: ID }).slice(0, 180)}`,
  notJson: (_r: Record, n: number) => `bad ${n}: ${ID} ${MOBILE} {`,
} as const;
type BadKind = keyof typeof BAD_KINDS | 'conflictingDuplicate';
const KINDS = [...Object.keys(BAD_KINDS), 'conflictingDuplicate'] as BadKind[];

describe('1 % bad records in a simulated feed', () => {
  let clean: string[];
  let settlementLines: number[];
  let want: Awaited<ReturnType<typeof outputs>>;
  beforeAll(async () => {
    clean = [];
    for await (const l of simulate({ seed: 7, days: 10, start: '2026-03-02', institutions: 150 }))
      clean.push(l);
    settlementLines = clean.flatMap((l, i) => (l.startsWith('{"type":"settlement"') ? [i] : []));
    want = await outputs(clean);
  }, 120_000);

  it('every bad record is a dead letter with nothing personal in clear; the good records give the clean outputs', async () => {
    const n = Math.round(clean.length / 100);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...KINDS), fc.nat(), fc.nat({ max: 40 })), {
          minLength: n,
          maxLength: n,
        }),
        async (picks) => {
          // Each bad record goes right after line `at` (0-based) of the clean feed.
          const after = new Map<number, string[]>();
          picks.forEach(([kind, pick, gap], k) => {
            const line = settlementLines[pick % settlementLines.length]!;
            const r = JSON.parse(clean[line]!) as Record;
            // A conflicting duplicate re-sends a settlement shortly after it, with another total.
            const bad =
              kind === 'conflictingDuplicate'
                ? JSON.stringify({ ...r, medfee_sumamt: (r.medfee_sumamt as number) + 1 })
                : BAD_KINDS[kind](r, k);
            const at = kind === 'conflictingDuplicate' ? Math.min(line + gap, clean.length - 1) : line;
            after.set(at, [...(after.get(at) ?? []), bad]);
          });
          const dirty: string[] = [];
          const badLines = new Set<number>();
          clean.forEach((l, i) => {
            dirty.push(l);
            for (const b of after.get(i) ?? []) {
              dirty.push(b);
              badLines.add(dirty.length);
            }
          });

          const got = await outputs(dirty);
          const rejected = got.out.filter((o): o is Rejected => o.kind === 'rejected');
          // Every bad record, and nothing else, is a dead letter (conflicts come from the
          // institution stage without a line: counted by number).
          const withLine = rejected.filter((r) => r.line !== undefined).map((r) => r.line!);
          const conflicts = rejected.filter((r) => r.line === undefined);
          expect(new Set(withLine).size + conflicts.length).toBe(badLines.size);
          for (const l of withLine) expect(badLines.has(l)).toBe(true);
          for (const c of conflicts)
            expect(c.error).toMatch(/is a conflicting duplicate: medfee_sumamt differ/);
          for (const r of rejected) {
            const kept = JSON.stringify(r);
            expect(kept).not.toContain(ID.slice(0, 12));
            expect(kept).not.toContain(MOBILE);
            expect(kept).not.toContain(NAME);
            expect(kept.length).toBeLessThan(70 * 1024);
          }
          expect(got.late).toBe(0);
          expect(got.out.filter((o) => o.kind !== 'rejected')).toEqual(
            want.out.filter((o) => o.kind !== 'rejected'),
          );
        },
      ),
      // A failing run is reported as found: shrinking a 1 % sample of a whole feed takes minutes.
      { numRuns: 4, seed: 16, endOnFailure: true },
    );
    expect(want.out.filter((o) => o.kind === 'alert').length).toBeGreaterThan(3);
  }, 600_000);
});
