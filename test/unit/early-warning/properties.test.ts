/**
 * Order and repetition do not change the alerts: events shuffled within the allowed lateness, and
 * records repeated (same event_id), give the same alerts as the time-ordered feed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { at, claimAudit, drug, registry, settlement } from '../../support/records.ts';
import { byTime, run } from './harness.ts';

const HOSP = 'H51010700001';
const DAY = 86_400_000;
const LATENESS = 60_000;
const t0 = Date.parse('2026-03-02T00:00:00+08:00');
const iso = (ms: number) =>
  new Date(ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00').replace('.000', '');

/** A feed with several patterns at once and normal traffic around them. */
function scenario(): Record<string, unknown>[] {
  const rs: Record<string, unknown>[] = [registry(HOSP), registry('H51010700002')];
  for (let p = 0; p < 5; p++) {
    const psn = `5101070000000${p}`;
    const end1 = t0 + 4 * DAY + p * 600_000;
    rs.push(
      settlement({
        inst: HOSP,
        psn,
        time: iso(end1 + 3_600_000),
        med_type: '21',
        begin: iso(t0),
        end: iso(end1),
        icd: 'I63.9',
        fund: 8000,
      }),
    );
    rs.push(
      settlement({
        inst: HOSP,
        psn,
        time: iso(end1 + 9 * DAY),
        med_type: '21',
        begin: iso(end1 + 6 * DAY),
        end: iso(end1 + 9 * DAY - 3_600_000),
        icd: 'I63.1',
        fund: 8000,
      }),
    );
  }
  for (let i = 0; i < 5; i++)
    rs.push(
      settlement({
        inst: `H5101070010${i}`,
        psn: '510107199202020022',
        time: at('2026-03-03', `${String(8 + i).padStart(2, '0')}:00:00`),
      }),
    );
  for (let i = 0; i < 4; i++)
    rs.push(
      settlement({
        inst: 'P51010700201',
        psn: '510107199303030033',
        time: at('2026-03-03', `09:${String(10 + i * 5)}:00`),
        fund: 40,
      }),
    );
  for (let i = 0; i < 3; i++)
    rs.push(
      settlement({
        inst: HOSP,
        psn: '510107199404040044',
        time: iso(t0 + i * 9 * DAY + 10 * 3_600_000),
        items: [drug('XC10AAA001', 30)],
      }),
    );
  for (let i = 0; i < 32; i++)
    rs.push(
      settlement({
        inst: 'H51010700002',
        psn: `51010719650101${String(i).padStart(4, '0')}`,
        practitioner: 'D5101070000123',
        time: iso(t0 + DAY + 10 * 3_600_000 + i * 100_000),
      }),
    );
  for (let i = 0; i < 60; i++)
    rs.push(
      settlement({
        inst: 'H51010700002',
        psn: `51010719750101${String(i).padStart(4, '0')}`,
        time: iso(t0 + (i % 20) * DAY + 9 * 3_600_000 + i * 1000),
        fund: 500,
      }),
    );
  rs.push(claimAudit('H51010700002', iso(t0 + 21 * DAY), 4000));
  return byTime(rs);
}

const canonical = (records: Record<string, unknown>[]) =>
  run(records, { latenessMs: LATENESS })
    .alerts.map((a) => JSON.stringify(a))
    .sort();

const base = scenario();
const expected = canonical(base);

describe('early-warning properties', () => {
  it('the scenario raises alerts of several rules (so the properties below compare something)', () => {
    const rules = new Set(expected.map((a) => JSON.parse(a).rule));
    for (const r of [
      'split_admission',
      'multi_institution_day',
      'pharmacy_repeat_purchase',
      'drug_oversupply',
      'practitioner_throughput',
      'claim_reduction_rate',
    ])
      expect(rules).toContain(r);
  });

  it('shuffling events within the allowed lateness does not change the alerts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: LATENESS - 1 }), {
          minLength: base.length,
          maxLength: base.length,
        }),
        (jitter) => {
          // Arrival = event time + jitter < lateness: every record arrives before the watermark passes it.
          const arrival = base.map((r, i) => ({ r, key: Date.parse(r.occurred_at as string) + jitter[i]! }));
          arrival.sort((a, b) => a.key - b.key);
          expect(canonical(arrival.map((a) => a.r))).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('repeating records (the same event_id) does not change the alerts', () => {
    // A whole second copy of the feed, after the first, changes nothing either.
    expect(canonical([...base, ...base])).toEqual(expected);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: base.length - 1 }), { minLength: 1, maxLength: 40 }),
        (repeats) => {
          // Each repeated record arrives again right after its original (a redelivery).
          const withDuplicates = base.flatMap((r, i) => [r, ...repeats.filter((j) => j === i).map(() => r)]);
          expect(canonical(withDuplicates)).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a record later than the allowed lateness is counted, not applied', () => {
    const late = settlement({
      inst: 'H51010700002',
      psn: '510107196501019999',
      time: iso(t0),
      practitioner: 'D5101070000123',
    });
    const { outputs } = run([...base, late], { latenessMs: LATENESS });
    expect(
      outputs
        .filter((o) => o.kind === 'alert')
        .map((a) => JSON.stringify(a))
        .sort(),
    ).toEqual(expected);
  });
});
