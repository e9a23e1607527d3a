/** Normal traffic looks like a medical-insurance feed: rhythms, stays, amounts, shares. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulation } from '../../../processors/simulator/simulate.ts';
import type { InstitutionEvent, MonitorEvent, SettlementEvent } from '../../../schemas/events.ts';
import { isNight } from './oracle.ts';

const DAY = 86_400_000;
const CHINA = 8 * 3_600_000;

describe('normal traffic (no injections, 14 days)', () => {
  let settlements: SettlementEvent[] = [];
  let records: MonitorEvent[] = [];
  const institutions = new Map<string, InstitutionEvent>();

  beforeAll(() => {
    records = [...createSimulation({ seed: 3, days: 14, inject: false }).records()];
    settlements = records.filter((r): r is SettlementEvent => r.type === 'settlement');
    for (const r of records) if (r.type === 'institution') institutions.set(r.fixmedins_code, r);
  });

  it('has every kind of care: outpatient 11, chronic 14, inpatient 21, pharmacy 41', () => {
    const kinds = new Map<string, number>();
    for (const s of settlements) kinds.set(s.med_type, (kinds.get(s.med_type) ?? 0) + 1);
    expect([...kinds.keys()].sort()).toEqual(['11', '14', '21', '41']);
    expect(kinds.get('21')! / settlements.length).toBeGreaterThan(0.01);
    expect(kinds.get('14')! / settlements.length).toBeGreaterThan(0.03);
  });

  it('fewer than 10% of settlements fall between 22:00 and 06:00 China time', () => {
    const night = settlements.filter((s) => isNight(Date.parse(s.setl_time))).length;
    expect(night / settlements.length).toBeLessThan(0.1);
    expect(night).toBeGreaterThan(0);
  });

  it('inpatient stays end after they begin and last 2 to 15 days; outpatient visits have no discharge', () => {
    const wrong = settlements.filter((s) => {
      if (s.med_type !== '21') return s.endtime !== undefined;
      const days = (Date.parse(s.endtime!) - Date.parse(s.begntime)) / DAY;
      return (
        days < 1.5 ||
        days > 15.5 ||
        Date.parse(s.setl_time) < Date.parse(s.endtime!) ||
        institutions.get(s.fixmedins_code)?.inpatient !== true
      );
    });
    expect(wrong).toEqual([]);
    expect(settlements.filter((s) => s.med_type === '21').length).toBeGreaterThan(500);
  });

  it('a weekday has more settlements than a weekend day', () => {
    const perDay = new Map<number, number>();
    for (const s of settlements) {
      const d = Math.floor((Date.parse(s.setl_time) + CHINA) / DAY);
      perDay.set(d, (perDay.get(d) ?? 0) + 1);
    }
    const weekday: number[] = [];
    const weekend: number[] = [];
    for (const [d, n] of perDay) ((d + 4) % 7 === 0 || (d + 4) % 7 === 6 ? weekend : weekday).push(n);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(weekend).toHaveLength(4);
    expect(mean(weekday)).toBeGreaterThan(mean(weekend) * 1.1);
  });

  it('amounts stay in their ranges by kind of care (yuan), and the fund pays 50–90%', () => {
    const ranges: Record<string, [number, number]> = {
      '11': [50, 600],
      '14': [50, 600],
      '21': [3_000, 60_000],
      '41': [20, 300],
    };
    // ±1 yuan: a fee line's unit price is rounded to the fen.
    const outOfRange = settlements.filter((s) => {
      const [lo, hi] = ranges[s.med_type]!;
      const share = s.fund_pay_sumamt / s.medfee_sumamt;
      return s.medfee_sumamt < lo - 1 || s.medfee_sumamt > hi + 1 || share < 0.499 || share > 0.901;
    });
    expect(outOfRange).toEqual([]);
    for (const [kind, [lo, hi]] of Object.entries(ranges)) {
      const amounts = settlements.filter((s) => s.med_type === kind).map((s) => s.medfee_sumamt);
      // The range is used, not just respected: bills near both ends.
      expect(Math.min(...amounts)).toBeLessThan(lo + (hi - lo) * 0.2);
      expect(Math.max(...amounts)).toBeGreaterThan(lo + (hi - lo) * 0.5);
    }
  });

  it('inpatient bills grow with the hospital level', () => {
    const mean = (level: number) => {
      const xs = settlements.filter(
        (s) => s.med_type === '21' && institutions.get(s.fixmedins_code)?.level === level,
      );
      return xs.reduce((a, s) => a + s.medfee_sumamt, 0) / xs.length;
    };
    expect(mean(1)).toBeLessThan(mean(2));
    expect(mean(2)).toBeLessThan(mean(3));
  });

  it('drugs carry 3–30 days of supply, pharmacies sell at pharmacies, and diagnoses are ICD-10 codes', () => {
    const wrong = settlements.filter(
      (s) =>
        (s.items ?? []).some(
          (i) => i.days_supply !== undefined && (i.days_supply < 3 || i.days_supply > 30),
        ) ||
        (s.med_type === '41') !== (institutions.get(s.fixmedins_code)?.kind === 'pharmacy') ||
        (s.dise_codg !== undefined && !/^[A-Z]\d{2}(\.\d{1,3})?$/.test(s.dise_codg)),
    );
    expect(wrong).toEqual([]);
  });

  it('institutions of every kind in every jurisdiction, chains of 10–25 branches in 四川, and one uncovered division', () => {
    const all = [...institutions.values()];
    const prefixes = ['51', '500237', '44', '32', '65', '110105'];
    for (const p of prefixes) {
      expect(
        all.some((i) => i.admdvs.startsWith(p) && i.kind === 'hospital'),
        p,
      ).toBe(true);
      expect(
        all.some((i) => i.admdvs.startsWith(p) && i.kind === 'pharmacy'),
        p,
      ).toBe(true);
      expect(
        all.some((i) => i.admdvs.startsWith(p) && i.kind === 'clinic'),
        p,
      ).toBe(true);
    }
    expect(new Set(all.filter((i) => i.kind === 'hospital').map((i) => i.level))).toEqual(new Set([1, 2, 3]));
    expect(all.filter((i) => i.kind === 'hospital').every((i) => i.inpatient)).toBe(true);
    expect(all.filter((i) => i.kind !== 'hospital').every((i) => !i.inpatient)).toBe(true);
    const chains = new Map<string, InstitutionEvent[]>();
    for (const i of all)
      if (i.chain_id !== undefined) chains.set(i.chain_id, [...(chains.get(i.chain_id) ?? []), i]);
    const sichuan = [...chains.values()].filter((b) => b.every((i) => i.admdvs.startsWith('51')));
    expect(sichuan.length).toBeGreaterThanOrEqual(3);
    for (const branches of sichuan) {
      expect(branches.length).toBeGreaterThanOrEqual(10);
      expect(branches.length).toBeLessThanOrEqual(25);
    }
    expect([...chains.values()].some((b) => !b[0]!.admdvs.startsWith('51'))).toBe(true);
  });

  it('supervision facts of normal life: 四川 grades in Q1, 巫山 assessments of inpatient hospitals, 新疆 reports', () => {
    const facts = records.filter((r) => r.type === 'supervision');
    const grades = facts.filter((f) => f.action === 'grade_published');
    expect(grades.length).toBeGreaterThan(0);
    for (const g of grades) {
      expect(g.subject_code.slice(1, 3)).toBe('51');
      expect(g.decided_at.slice(5, 7) <= '03').toBe(true);
    }
    const assessments = facts.filter((f) => f.action === 'assessment');
    expect(assessments.length).toBeGreaterThan(0);
    for (const a of assessments) {
      expect(institutions.get(a.subject_code)).toMatchObject({ admdvs: '500237', inpatient: true });
      expect(a.period).toBeTypeOf('number');
    }
    expect(facts.some((f) => f.action === 'recovery')).toBe(true);
    expect(facts.some((f) => f.action === 'verified_report' || f.action === 'honor')).toBe(true);
  });
});
