/**
 * Detection on the simulator's labels: every injected pattern is alerted on the right subject
 * (recall ≥ 0.95 per rule) and alerts on subjects nobody injected stay rare (precision ≥ 0.9 per
 * rule); injected credit downgrades reach their expected level. Several seeds are pooled so each
 * rule has more than one injection; the figures are printed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { replay } from '../../processors/cli/replay.ts';
import { createSimulation } from '../../processors/simulator/simulate.ts';
import { compilePacks } from '../../rules/packs/index.ts';
import { createPseudonymiser } from '../../schemas/pseudonymise.ts';

const KEY = 'detection-test-key-0123456789';
const token = createPseudonymiser(KEY);
const SEEDS = [1, 2, 3];
const EARLY_WARNING_RULES = [
  'split_admission',
  'overlapping_stays',
  'multi_institution_day',
  'pharmacy_repeat_purchase',
  'drug_oversupply',
  'off_hours_share',
  'amount_spike',
  'peer_outlier',
  'claim_reduction_rate',
  'practitioner_throughput',
  'sichuan.chain.d_rectify',
  'sichuan.chain.e_rectify',
];

type Run = {
  labels: { rule: string; subject_kind: string; subject_code: string; detail: Record<string, unknown> }[];
  alerts: Record<string, unknown>[];
  standings: Record<string, unknown>[];
};
const runs: Run[] = [];

beforeAll(async () => {
  for (const seed of SEEDS) {
    const dir = mkdtempSync(join(tmpdir(), `detection-${seed}-`));
    const sim = createSimulation({ seed });
    writeFileSync(join(dir, 'feed.ndjson'), `${[...sim.lines()].join('\n')}\n`);
    await replay({
      input: join(dir, 'feed.ndjson'),
      out: join(dir, 'out'),
      pseudonymKey: KEY,
      packs: compilePacks(),
      progress: false,
    });
    const read = (f: string) =>
      readFileSync(join(dir, 'out', f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    runs.push({
      labels: sim.labels.map((l) => ({
        ...l,
        subject_code: l.subject_kind === 'insured' ? token(l.subject_code) : l.subject_code,
      })) as Run['labels'],
      alerts: read('alerts.ndjson'),
      standings: read('standings.ndjson'),
    });
  }
}, 300_000);

describe('detection on the simulator labels', () => {
  it('each early-warning rule: recall ≥ 0.95 and precision ≥ 0.9 over the pooled seeds', () => {
    const rows: string[] = [];
    for (const rule of EARLY_WARNING_RULES) {
      let injected = 0;
      let found = 0;
      let alerted = 0;
      let correct = 0;
      for (const run of runs) {
        const truth = new Set(run.labels.filter((l) => l.rule === rule).map((l) => l.subject_code));
        const hit = new Set(run.alerts.filter((a) => a.rule === rule).map((a) => a.subject_code as string));
        injected += truth.size;
        found += [...truth].filter((s) => hit.has(s)).length;
        alerted += hit.size;
        correct += [...hit].filter((s) => truth.has(s)).length;
      }
      const recall = injected === 0 ? Number.NaN : found / injected;
      const precision = alerted === 0 ? Number.NaN : correct / alerted;
      rows.push(
        `${rule.padEnd(26)} injected ${injected}  found ${found}  recall ${recall.toFixed(2)}  alerted ${alerted}  precision ${precision.toFixed(2)}`,
      );
      expect(injected, `${rule} has injections`).toBeGreaterThan(0);
      expect(recall, `${rule} recall`).toBeGreaterThanOrEqual(0.95);
      expect(precision, `${rule} precision`).toBeGreaterThanOrEqual(0.9);
    }
    console.log(`detection over seeds ${SEEDS.join(', ')}:\n${rows.join('\n')}`);
  });

  it('each injected credit downgrade reaches its expected level', () => {
    let n = 0;
    for (const run of runs) {
      for (const l of run.labels.filter((x) => x.rule === 'credit_downgrade')) {
        const s = run.standings.find(
          (x) => x.subject_code === l.subject_code && x.subject_kind === l.subject_kind,
        );
        expect(s?.level, `${l.subject_code} (${String(l.detail.pack)})`).toBe(l.detail.expected_level);
        n++;
      }
    }
    console.log(`credit downgrades checked: ${n}`);
    expect(n).toBeGreaterThan(10);
  });
});
