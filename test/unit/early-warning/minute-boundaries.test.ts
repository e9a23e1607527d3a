/**
 * Issue 14 item 3, the rest: `split_admission` fires on the crossing readmission, stamped with its
 * time; the boundary rules (`claim_reduction_rate`, `off_hours_share`, `peer_outlier`,
 * `amount_spike`) at the minute boundary after the record that crosses, not at the next China
 * midnight or hour. Before this change the split admission below was stamped at midnight, 14 h
 * after its readmission, and the claim-audit alert at the midnight after the audit.
 */
import { describe, expect, it } from 'vitest';
import type { Alert, TopologyOutput } from '../../../processors/outputs.ts';
import { createTopology } from '../../../processors/topology.ts';
import { compileThresholds } from '../../../rules/early-warning/thresholds.ts';
import { compilePacks } from '../../../rules/packs/index.ts';
import { claimAudit, registry, settlement } from '../../support/records.ts';
import { KEY } from './harness.ts';

const HOSP = 'H51010700001';
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LATENESS = 60_000;
const t0 = Date.parse('2026-03-02T00:00:00+08:00');
const iso = (ms: number) => new Date(ms + 8 * HOUR).toISOString().replace('Z', '+08:00');

/** Feeds records one at a time; the alerts each record's processing gave, and those of the end. */
function feed(records: readonly Record<string, unknown>[]): { perRecord: Alert[][]; atEnd: Alert[] } {
  const topology = createTopology({
    pseudonymKey: KEY,
    packs: compilePacks(),
    thresholds: compileThresholds(),
    allowedLatenessMs: LATENESS,
  });
  const alerts = (out: TopologyOutput[]) => out.filter((o): o is Alert => o.kind === 'alert');
  const perRecord = records.map((r) => alerts(topology.process(JSON.stringify(r))));
  return { perRecord, atEnd: alerts(topology.finish()) };
}

const raisedBy = (perRecord: Alert[][], rule: string) =>
  perRecord.flatMap((a, i) => a.filter((x) => x.rule === rule).map((x) => ({ alert: x, record: i })));

/** Person i: a 3-day stay, discharged, readmitted 5 days later with the same ICD-10 category. */
function readmission(i: number, readmittedAt: number) {
  const psn = `5101071980010100${String(i).padStart(2, '0')}`;
  const end1 = readmittedAt - 5 * DAY;
  const stay = (begin: number, end: number) =>
    settlement({
      inst: HOSP,
      psn,
      time: iso(end),
      med_type: '21',
      begin: iso(begin),
      end: iso(end),
      icd: 'I63.9',
      fund: 8000,
    });
  return [stay(end1 - 3 * DAY, end1), stay(readmittedAt, readmittedAt + 2 * DAY)];
}

describe('split_admission fires on the fifth readmission', () => {
  // Readmissions settled at 09:17:23 on days 10–14; the fifth at 2026-03-16T09:17:23.
  const readmitted = [10, 11, 12, 13, 14].map((d) => t0 + d * DAY + 9 * HOUR + 17 * MINUTE + 23_000);
  const byTime = (rs: Record<string, unknown>[]) =>
    rs.sort((a, b) => Date.parse(a.occurred_at as string) - Date.parse(b.occurred_at as string));
  // 20 other admissions, so five readmissions stay under the 20 % share: the count decides.
  const others = Array.from({ length: 20 }, (_, i) =>
    settlement({
      inst: HOSP,
      psn: `5101071990020200${String(i).padStart(2, '0')}`,
      time: iso(t0 + 2 * DAY + i * HOUR),
      med_type: '21',
      begin: iso(t0 + DAY),
      end: iso(t0 + 2 * DAY + i * HOUR),
      icd: 'K35.8',
    }),
  );
  const feedOf = (n: number) =>
    byTime([...others, ...readmitted.slice(0, n).flatMap((t, i) => readmission(i, t - 2 * DAY))]);
  const fifth = readmitted[4]!;
  // Another institution's settlement 61 s after the fifth moves the watermark past it.
  const nudge = settlement({ inst: 'H51010700099', psn: '510107199909090099', time: iso(fifth + 61_000) });

  it('is stamped with the fifth readmission and raised once the watermark passes it', () => {
    const records = feedOf(5);
    const { perRecord } = feed([registry(HOSP), ...records, nudge]);
    const raised = raisedBy(perRecord, 'split_admission');
    expect(raised).toHaveLength(1);
    expect(raised[0]!.record).toBe(records.length + 1); // by the nudge
    expect(Date.parse(raised[0]!.alert.raised_at)).toBe(fifth);
    expect(raised[0]!.alert.explanation).toMatchObject({ value: 5, threshold: 5, window: '30d' });
  });

  it('four readmissions of 24 admissions raise nothing', () => {
    const { perRecord, atEnd } = feed([registry(HOSP), ...feedOf(4), nudge]);
    const all = [
      ...raisedBy(perRecord, 'split_admission'),
      ...atEnd.filter((a) => a.rule === 'split_admission'),
    ];
    expect(all).toEqual([]);
  });

  it('resolves when the readmissions leave the 30-day window, stamped then', () => {
    const later = settlement({ inst: HOSP, psn: '510107199909090098', time: iso(readmitted[3]! + 31 * DAY) });
    const { perRecord } = feed([registry(HOSP), ...feedOf(5), nudge, later]);
    const alerts = raisedBy(perRecord, 'split_admission').map((r) => r.alert);
    expect(alerts[0]).toMatchObject({ status: 'firing', raised_at: iso(fifth) });
    // Below 2 readmissions (the hysteresis floor) once the fourth is 30 days old.
    expect(alerts.at(-1)).toMatchObject({ status: 'resolved', raised_at: iso(readmitted[3]! + 30 * DAY) });
  });
});

describe('claim_reduction_rate fires at the minute boundary after the audit', () => {
  const month = (auditAt: number) => [
    registry(HOSP),
    ...Array.from({ length: 20 }, (_, i) =>
      settlement({
        inst: HOSP,
        psn: `51010719750101${String(i).padStart(4, '0')}`,
        time: iso(t0 + i * DAY + 9 * HOUR),
        fund: 1000,
      }),
    ),
    claimAudit(HOSP, iso(auditAt), 2500),
    settlement({ inst: 'H51010700099', psn: '510107199909090099', time: iso(auditAt + 2 * MINUTE) }),
  ];

  it('an audit at 10:00:30 is alerted at 10:01, not at midnight', () => {
    const auditAt = t0 + 21 * DAY + 10 * HOUR + 30_000;
    const { perRecord } = feed(month(auditAt));
    const raised = raisedBy(perRecord, 'claim_reduction_rate');
    expect(raised).toHaveLength(1);
    expect(raised[0]!.record).toBe(22); // the settlement two minutes later moves the watermark past 10:01
    expect(Date.parse(raised[0]!.alert.raised_at)).toBe(auditAt - 30_000 + MINUTE);
    expect(raised[0]!.alert.explanation).toMatchObject({ value: 0.125, threshold: 0.1, window: '30d' });
  });
});

describe('amount_spike reads the 24 hours so far at each minute', () => {
  it('a day of 28 visits at 4× the week’s daily fund is alerted within the hour it happens', () => {
    const rs: Record<string, unknown>[] = [registry(HOSP)];
    for (let d = 0; d < 8; d++)
      for (let i = 0; i < 4; i++)
        rs.push(
          settlement({
            inst: HOSP,
            psn: `5101071985010100${d}${i}`,
            time: iso(t0 + d * DAY + (9 + i) * HOUR),
            fund: 500,
          }),
        );
    // Day 9 from 09:00: 20,000 yuan in 8 settlements 5 minutes apart (the last at 09:35:00).
    const spikeStart = t0 + 9 * DAY + 9 * HOUR;
    for (let i = 0; i < 8; i++)
      rs.push(
        settlement({
          inst: HOSP,
          psn: `5101071985010109${i}`,
          time: iso(spikeStart + i * 5 * MINUTE),
          fund: 2500,
        }),
      );
    rs.push(
      settlement({ inst: 'H51010700099', psn: '510107199909090099', time: iso(spikeStart + 3 * HOUR) }),
    );
    const { perRecord } = feed(rs);
    const raised = raisedBy(perRecord, 'amount_spike');
    expect(raised.length).toBeGreaterThanOrEqual(1);
    const at = Date.parse(raised[0]!.alert.raised_at);
    // Raised at a minute boundary inside 09:00–10:00, before the hour boundary the old read waited for.
    expect(at % MINUTE).toBe(0);
    expect(at).toBeGreaterThan(spikeStart);
    expect(at).toBeLessThan(spikeStart + HOUR);
  });
});
