/**
 * Every early-warning rule: the pattern present fires on the right subject with its explanation;
 * near-miss normal traffic does not.
 */
import { describe, expect, it } from 'vitest';
import { at, claimAudit, drug, registry, settlement } from '../../support/records.ts';
import { byTime, firing, run, token } from './harness.ts';

const HOSP = 'H51010700001';
const DAY = 86_400_000;
const iso = (ms: number) =>
  new Date(ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00').replace('.000', '');
const t0 = Date.parse('2026-03-02T00:00:00+08:00'); // a Monday

/** Two stays of one person at one hospital: discharge, then readmission `gapDays` later. */
function readmission(psn: string, gapDays: number, icd2 = 'I63.9') {
  const end1 = t0 + 4 * DAY;
  const begin2 = end1 + gapDays * DAY;
  const end2 = begin2 + 3 * DAY;
  return [
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
    settlement({
      inst: HOSP,
      psn,
      time: iso(end2 + 3_600_000),
      med_type: '21',
      begin: iso(begin2),
      end: iso(end2),
      icd: icd2,
      fund: 8000,
    }),
  ];
}

describe('split_admission (分解住院)', () => {
  it('five readmissions within 15 days of discharge, same ICD-10 category, raise a key alert on the hospital', () => {
    const records = byTime([
      registry(HOSP),
      ...[1, 2, 3, 4, 5].flatMap((i) => readmission(`5101070000000${i}`, 10)),
    ]);
    const alerts = firing(run(records).alerts, 'split_admission');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ subject_kind: 'institution', subject_code: HOSP, severity: 'key' });
    expect(alerts[0]?.explanation).toMatchObject({
      indicator: 'readmissions_15d_same_icd3',
      value: 5,
      threshold: 5,
      window: '30d',
    });
    expect(alerts[0]?.evidence?.length).toBeGreaterThanOrEqual(5);
  });

  it('readmissions 16 days after discharge, or for another ICD-10 category, are not split admissions', () => {
    const records = byTime([
      registry(HOSP),
      ...[1, 2, 3].flatMap((i) => readmission(`5101070000000${i}`, 16)),
      ...[4, 5, 6].flatMap((i) => readmission(`5101070000000${i}`, 5, 'J18.0')),
    ]);
    expect(firing(run(records).alerts, 'split_admission')).toHaveLength(0);
  });
});

describe('overlapping_stays (同时住院)', () => {
  const stay = (inst: string, begin: number, end: number) =>
    settlement({
      inst,
      psn: '510107199001010011',
      time: iso(end + 3_600_000),
      med_type: '21',
      begin: iso(begin),
      end: iso(end),
      icd: 'K35.8',
      fund: 5000,
    });

  it('two stays of one person at two hospitals overlapping three days raise a key alert on the person', () => {
    const { alerts } = run(
      byTime([stay(HOSP, t0, t0 + 9 * DAY), stay('H51010700002', t0 + 4 * DAY, t0 + 7 * DAY)]),
    );
    const a = firing(alerts, 'overlapping_stays');
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({
      subject_kind: 'insured',
      subject_code: token('510107199001010011'),
      severity: 'key',
    });
    expect(a[0]?.explanation?.value).toBe(72);
    expect(a[0]?.evidence).toHaveLength(2);
  });

  it('a same-day transfer overlapping 6 hours and back-to-back stays do not', () => {
    const { alerts } = run(
      byTime([
        stay(HOSP, t0, t0 + 4 * DAY),
        stay('H51010700002', t0 + 4 * DAY - 6 * 3_600_000, t0 + 8 * DAY),
        stay('H51010700003', t0 + 8 * DAY, t0 + 10 * DAY),
      ]),
    );
    expect(firing(alerts, 'overlapping_stays')).toHaveLength(0);
  });
});

describe('multi_institution_day', () => {
  const visits = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      settlement({
        inst: `H5101070010${i}`,
        psn: '510107199202020022',
        time: at('2026-03-03', `${String(8 + i).padStart(2, '0')}:00:00`),
      }),
    );
  it('one person settling at five institutions in one day raises an alert on the person', () => {
    const a = firing(run(visits(5)).alerts, 'multi_institution_day');
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ subject_kind: 'insured', subject_code: token('510107199202020022') });
    expect(a[0]?.explanation).toMatchObject({ value: 5, threshold: 5, window: '1d' });
  });
  it('four institutions in a day do not', () => {
    expect(firing(run(visits(4)).alerts, 'multi_institution_day')).toHaveLength(0);
  });
});

describe('pharmacy_repeat_purchase', () => {
  const buys = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      settlement({
        inst: 'P51010700201',
        psn: '510107199303030033',
        time: at('2026-03-03', `${String(9 + i).padStart(2, '0')}:15:00`),
        fund: 40,
      }),
    );
  it('four purchases by one person at one pharmacy in a day raise an alert on the pharmacy', () => {
    const a = firing(run(buys(4)).alerts, 'pharmacy_repeat_purchase');
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ subject_kind: 'institution', subject_code: 'P51010700201' });
    expect(a[0]?.evidence).toHaveLength(4);
  });
  it('three purchases do not', () => {
    expect(firing(run(buys(3)).alerts, 'pharmacy_repeat_purchase')).toHaveLength(0);
  });
});

describe('drug_oversupply (超量开药)', () => {
  const fills = (days: number[]) =>
    days.map((d, i) =>
      settlement({
        inst: HOSP,
        psn: '510107199404040044',
        time: iso(t0 + i * 9 * DAY + 10 * 3_600_000),
        items: [drug('XC10AAA001', d)],
      }),
    );
  it('90 days of supply of one drug within 30 days raise an alert on the person', () => {
    const a = firing(run(fills([30, 30, 30])).alerts, 'drug_oversupply');
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ subject_kind: 'insured', subject_code: token('510107199404040044') });
    expect(a[0]?.explanation).toMatchObject({ value: 90, threshold: 90, window: '30d' });
  });
  it('89 days do not', () => {
    expect(firing(run(fills([30, 30, 29])).alerts, 'drug_oversupply')).toHaveLength(0);
  });
});

/** A week of traffic: `n` settlements a day for each peer, the target's night share as given. */
function week(target: string, nightShare: number, perDay = 10) {
  const rs: Record<string, unknown>[] = [
    registry(target),
    ...['H51010700091', 'H51010700092', 'H51010700093'].map((c) => registry(c)),
  ];
  for (let d = 0; d < 7; d++) {
    for (const inst of [target, 'H51010700091', 'H51010700092', 'H51010700093']) {
      const night = inst === target ? Math.round(perDay * nightShare) : d % 3 === 0 ? 1 : 0;
      for (let i = 0; i < perDay; i++) {
        const hour = i < night ? 23 : 9 + (i % 8);
        rs.push(
          settlement({
            inst,
            psn: `51010719800101${String(d * 100 + i).padStart(4, '0')}`,
            time: iso(t0 + d * DAY + hour * 3_600_000 + i * 60_000),
          }),
        );
      }
    }
  }
  return byTime(rs);
}

describe('off_hours_share', () => {
  it('40% of a week at night against peers at about 1.4% raises an alert with the peer baseline', () => {
    const a = firing(run(week(HOSP, 0.4)).alerts, 'off_hours_share');
    expect(a).toHaveLength(1);
    expect(a[0]?.subject_code).toBe(HOSP);
    expect(a[0]?.explanation?.value).toBeCloseTo(0.4, 5);
    expect(a[0]?.explanation?.baseline).toBeGreaterThan(0);
    expect(a[0]?.explanation?.baseline).toBeLessThan(0.05);
  });
  it('20% at night stays under the 30% floor', () => {
    expect(firing(run(week(HOSP, 0.2)).alerts, 'off_hours_share')).toHaveLength(0);
  });
});

describe('amount_spike', () => {
  const spike = (spikeFund: number) => {
    const rs: Record<string, unknown>[] = [registry(HOSP)];
    for (let d = 0; d < 7; d++)
      for (let i = 0; i < 4; i++)
        rs.push(
          settlement({
            inst: HOSP,
            psn: `5101071985010100${d}${i}`,
            time: iso(t0 + d * DAY + (9 + i) * 3_600_000),
            fund: 500,
          }),
        );
    for (let i = 0; i < 4; i++)
      rs.push(
        settlement({
          inst: HOSP,
          psn: `5101071985010109${i}`,
          time: iso(t0 + 7 * DAY + (9 + i) * 3_600_000),
          fund: spikeFund / 4,
        }),
      );
    rs.push(
      settlement({
        inst: HOSP,
        psn: '510107198501019999',
        time: iso(t0 + 9 * DAY + 9 * 3_600_000),
        fund: 500,
      }),
    );
    return byTime(rs);
  };
  it('12,000 yuan in 24 hours against a 2,000-a-day baseline raises an alert', () => {
    const a = firing(run(spike(12_000)).alerts, 'amount_spike');
    expect(a.length).toBeGreaterThanOrEqual(1);
    expect(a[0]?.subject_code).toBe(HOSP);
    expect(a[0]?.explanation?.baseline).toBe(2000);
    expect(a[0]?.explanation?.value).toBeGreaterThanOrEqual(3);
  });
  it('5,000 yuan (2.5 times) does not', () => {
    expect(firing(run(spike(5_000)).alerts, 'amount_spike')).toHaveLength(0);
  });
});

describe('peer_outlier', () => {
  const peers = (ratio: number) => {
    const codes = ['H51010700081', 'H51010700082', 'H51010700083', 'H51010700084'];
    const rs: Record<string, unknown>[] = codes.map((c) => registry(c));
    for (let d = 0; d < 10; d++) {
      for (const [k, c] of codes.entries()) {
        for (let i = 0; i < 4; i++)
          rs.push(
            settlement({
              inst: c,
              psn: `5101071970${String(k)}${String(d).padStart(2, '0')}${i}0000`,
              time: iso(t0 + d * DAY + (9 + i) * 3_600_000),
              fund: k === 0 ? 100 * ratio : 100,
            }),
          );
      }
    }
    rs.push(settlement({ inst: codes[1]!, psn: '510107197099990000', time: iso(t0 + 12 * DAY), fund: 100 }));
    return byTime(rs);
  };
  it('fund per visit 3 times the peer group raises an alert with the peer baseline', () => {
    const a = firing(run(peers(3)).alerts, 'peer_outlier');
    expect(a.length).toBeGreaterThanOrEqual(1);
    expect(a[0]?.subject_code).toBe('H51010700081');
    expect(a[0]?.explanation).toMatchObject({ baseline: 100, threshold: 2.5 });
  });
  it('2.4 times does not', () => {
    expect(firing(run(peers(2.4)).alerts, 'peer_outlier')).toHaveLength(0);
  });
});

describe('claim_reduction_rate (审减率)', () => {
  const month = (reduced: number) =>
    byTime([
      ...Array.from({ length: 20 }, (_, i) =>
        settlement({
          inst: HOSP,
          psn: `51010719750101${String(i).padStart(4, '0')}`,
          time: iso(t0 + i * DAY + 9 * 3_600_000),
          fund: 1000,
        }),
      ),
      claimAudit(HOSP, iso(t0 + 21 * DAY), reduced),
    ]);
  it('2,500 yuan of reductions on 20,000 of fund payments (12.5%) raises an alert', () => {
    const a = firing(run(month(2500)).alerts, 'claim_reduction_rate');
    expect(a).toHaveLength(1);
    expect(a[0]?.explanation).toMatchObject({ value: 0.125, threshold: 0.1, window: '30d' });
  });
  it('1,900 yuan (9.5%) does not', () => {
    expect(firing(run(month(1900)).alerts, 'claim_reduction_rate')).toHaveLength(0);
  });
});

describe('practitioner_throughput', () => {
  const hour = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      settlement({
        inst: HOSP,
        psn: `51010719650101${String(i).padStart(4, '0')}`,
        practitioner: 'D5101070000123',
        time: iso(t0 + 10 * 3_600_000 + i * 90_000),
      }),
    );
  it('30 settlements by one physician within an hour raise an alert on the physician', () => {
    const a = firing(run(hour(30)).alerts, 'practitioner_throughput');
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ subject_kind: 'practitioner', subject_code: 'D5101070000123' });
    expect(a[0]?.explanation).toMatchObject({ value: 30, threshold: 30, window: '1h' });
    expect(a[0]?.evidence).toHaveLength(10);
  });
  it('29 do not', () => {
    expect(firing(run(hour(29)).alerts, 'practitioner_throughput')).toHaveLength(0);
  });
});

describe("grade_boundary_proximity (credit-risk early warning in the pack's terms)", () => {
  const CLINIC = 'H50023700201';
  const interview = (date: string, n: number) => ({
    type: 'supervision',
    event_id: `sup-prox-${n}`,
    occurred_at: at(date),
    subject_kind: 'institution',
    subject_code: CLINIC,
    action: 'interview',
    decided_at: date,
  });
  it('a Wushan clinic at 90 points, one interview above B, gets a warning naming the next grade', () => {
    const a = firing(
      run([
        registry(CLINIC, { kind: 'clinic', inpatient: false, level: undefined }),
        interview('2026-03-01', 1),
        interview('2026-03-02', 2),
      ]).alerts,
      'grade_boundary_proximity',
    );
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ subject_code: CLINIC, severity: 'info' });
    expect(a[0]?.reasons[0]?.detail).toContain('由 A 级降为 B 级');
    expect(a[0]?.reasons[0]?.article).toBe('第十八条(二)');
  });
  it('at 95 points, two steps from B, there is no warning', () => {
    expect(
      firing(
        run([
          registry(CLINIC, { kind: 'clinic', inpatient: false, level: undefined }),
          interview('2026-03-01', 1),
        ]).alerts,
        'grade_boundary_proximity',
      ),
    ).toHaveLength(0);
  });
});
