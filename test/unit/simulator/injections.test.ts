/**
 * The default run (35 days): every pattern is injected and labelled, its subject exists, the
 * injected subjects are clearly above the thresholds, and everything else clearly below.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Label } from '../../../processors/simulator/inject/types.ts';
import { createSimulation } from '../../../processors/simulator/simulate.ts';
import type { MonitorEvent, SupervisionEvent } from '../../../schemas/events.ts';
import { type Indicators, indicators, maxExcept } from './oracle.ts';

const EARLY_WARNINGS = [
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
] as const;

describe('injected patterns of the default run', () => {
  let labels: readonly Label[] = [];
  let records: MonitorEvent[] = [];
  let ind: Indicators;
  let seconds = 0;
  let injected: Set<string>;

  beforeAll(() => {
    const started = performance.now();
    const sim = createSimulation();
    labels = sim.labels;
    records = [...sim.records()];
    seconds = (performance.now() - started) / 1000;
    ind = indicators(records);
    injected = new Set(labels.map((l) => l.subject_code));
  });

  it('generates the default run (35 days, 400 institutions) in well under 10 seconds', () => {
    expect(records.length).toBeGreaterThan(150_000);
    expect(seconds).toBeLessThan(10);
  });

  it('labels every early-warning rule, the credit downgrades of the five packs and both chain rules', () => {
    const rules = new Set(labels.map((l) => l.rule));
    for (const rule of [
      ...EARLY_WARNINGS,
      'credit_downgrade',
      'sichuan.chain.d_rectify',
      'sichuan.chain.e_rectify',
    ]) {
      expect(rules.has(rule), rule).toBe(true);
    }
    const packs = new Set(labels.filter((l) => l.rule === 'credit_downgrade').map((l) => l.detail.pack));
    expect(packs).toEqual(new Set(['chongqing-wushan', 'jiangsu', 'xinjiang', 'guangdong', 'sichuan']));
    const outcomes = new Set(
      labels
        .filter((l) => l.rule === 'credit_downgrade')
        .map((l) => `${l.detail.pack}:${l.detail.expected_level}`),
    );
    expect(outcomes).toEqual(
      new Set([
        'chongqing-wushan:D',
        'jiangsu:severe',
        'jiangsu:joint',
        'xinjiang:black',
        'guangdong:E',
        'sichuan:D',
        'sichuan:E',
      ]),
    );
  });

  it('every label names a subject that exists: in the registry, a chain of it, or an insured person with settlements', () => {
    const institutions = new Set<string>();
    const practitioners = new Set<string>();
    const chains = new Set<string>();
    const persons = new Set<string>();
    for (const r of records) {
      if (r.type === 'institution') {
        institutions.add(r.fixmedins_code);
        if (r.chain_id !== undefined) chains.add(r.chain_id);
      } else if (r.type === 'practitioner') practitioners.add(r.practitioner_code);
      else if (r.type === 'settlement') persons.add(r.psn_no);
    }
    const known = { institution: institutions, practitioner: practitioners, chain: chains, insured: persons };
    for (const l of labels)
      expect(known[l.subject_kind].has(l.subject_code), `${l.rule} ${l.subject_code}`).toBe(true);
  });

  it('labels of insured persons carry the clear psn_no and say it is pseudonymised downstream', () => {
    const insured = labels.filter((l) => l.subject_kind === 'insured');
    expect(insured.length).toBeGreaterThanOrEqual(3);
    for (const l of insured) {
      expect(l.subject_code).toMatch(/^\d{20}$/);
      expect(l.detail.pseudonymised).toBe(true);
      expect(String(l.detail.note)).toContain('pseudonymise');
    }
  });

  it('label windows are RFC 3339 (+08:00) instants inside the run, from ≤ to', () => {
    const first = Date.parse('2026-03-02T00:00:00+08:00');
    const last = Date.parse('2026-04-06T00:00:00+08:00');
    for (const l of labels) {
      expect(l.from).toMatch(/\+08:00$/);
      const [from, to] = [Date.parse(l.from), Date.parse(l.to)];
      expect(from).toBeLessThanOrEqual(to);
      expect(from).toBeGreaterThanOrEqual(first);
      expect(to).toBeLessThan(last);
    }
  });

  it('each credit downgrade is backed by supervision facts about its subject inside its window', () => {
    const facts = records.filter((r): r is SupervisionEvent => r.type === 'supervision');
    for (const l of labels.filter((x) => x.rule === 'credit_downgrade')) {
      const mine = facts.filter(
        (f) => f.subject_code === l.subject_code && f.occurred_at >= l.from && f.occurred_at <= l.to,
      );
      const actions = new Set(mine.map((f) => f.action));
      const expected: Record<string, string[]> = {
        'chongqing-wushan': ['recovery', 'interview', 'fraud'],
        jiangsu: l.detail.expected_level === 'joint' ? ['joint_punishment_listed'] : ['penalty'],
        xinjiang: ['penalty'],
        guangdong: ['severe_list_added'],
        sichuan: ['fraud'],
      };
      for (const a of expected[String(l.detail.pack)]!)
        expect(actions.has(a as SupervisionEvent['action']), `${l.subject_code} ${a}`).toBe(true);
    }
    const wushan = labels.find((l) => l.detail.pack === 'chongqing-wushan')!;
    const wushanFacts = facts.filter(
      (f) => f.subject_code === wushan.subject_code && f.occurred_at >= wushan.from,
    );
    expect(wushanFacts.filter((f) => f.action === 'interview')).toHaveLength(2);
    expect(wushanFacts.find((f) => f.action === 'recovery')?.amount).toBeGreaterThanOrEqual(100_000);
    const xinjiang = labels.find((l) => l.detail.pack === 'xinjiang')!;
    const penalties = facts.filter((f) => f.subject_code === xinjiang.subject_code && f.action === 'penalty');
    expect(penalties).toHaveLength(2);
    expect(new Set(penalties.map((p) => p.decided_at.slice(0, 4))).size).toBe(1);
    const jiangsu = labels.find((l) => l.detail.pack === 'jiangsu' && l.detail.expected_level === 'severe')!;
    expect(
      facts.find((f) => f.subject_code === jiangsu.subject_code && f.action === 'penalty')?.amount,
    ).toBeGreaterThan(10_000);
  });

  it('the 四川 chains reach their shares: 5 of 20 branches (D rule), 3 of 18 with one E (E rule only)', () => {
    for (const [rule, branches, low, min, max] of [
      ['sichuan.chain.d_rectify', 20, 5, 0.2, 1],
      ['sichuan.chain.e_rectify', 18, 3, 0.15, 0.2],
    ] as const) {
      const chain = labels.find((l) => l.rule === rule)!;
      const members = records.filter((r) => r.type === 'institution' && r.chain_id === chain.subject_code);
      expect(members).toHaveLength(branches);
      const downgraded = labels.filter(
        (l) => l.rule === 'credit_downgrade' && l.detail.chain_id === chain.subject_code,
      );
      expect(downgraded).toHaveLength(low);
      expect(low / branches).toBeGreaterThanOrEqual(min);
      expect(low / branches).toBeLessThan(max);
    }
    const eBranches = labels.filter((l) => l.detail.pack === 'sichuan' && l.detail.expected_level === 'E');
    expect(eBranches).toHaveLength(1);
    // The facts come after the run's official 四川 grade publication (2026-03-25 in the default run).
    const published = records.filter((r) => r.type === 'supervision' && r.action === 'grade_published');
    const lastPublication = published
      .map((r) => r.occurred_at)
      .sort()
      .at(-1)!;
    for (const l of labels.filter((x) => x.detail.pack === 'sichuan'))
      expect(l.from > lastPublication).toBe(true);
  });

  const subject = (rule: string) => labels.find((l) => l.rule === rule)!.subject_code;

  it('injected subjects are clearly above the thresholds', () => {
    expect(ind.readmissions.get(subject('split_admission'))).toBeGreaterThanOrEqual(8);
    expect(ind.overlapHours.get(subject('overlapping_stays'))).toBeGreaterThanOrEqual(24);
    expect(ind.institutionsPerDay.get(subject('multi_institution_day'))).toBeGreaterThanOrEqual(6);
    expect(ind.purchasesPerPersonDay.get(subject('pharmacy_repeat_purchase'))).toBeGreaterThanOrEqual(5);
    expect(ind.daysSupply30.get(subject('drug_oversupply'))).toBeGreaterThanOrEqual(120);
    const [night, n] = ind.nightShare.get(subject('off_hours_share'))!;
    expect(night).toBeGreaterThanOrEqual(0.5);
    expect(n).toBeGreaterThanOrEqual(80);
    expect(night).toBeGreaterThanOrEqual(3 * ind.overallNightShare);
    const [ratio, fund] = ind.spike.get(subject('amount_spike'))!;
    expect(ratio).toBeGreaterThanOrEqual(5);
    expect(fund).toBeGreaterThanOrEqual(20_000);
    expect(ind.peerRatio.get(subject('peer_outlier'))).toBeGreaterThanOrEqual(4);
    expect(ind.reductionRate.get(subject('claim_reduction_rate'))).toBeGreaterThanOrEqual(0.2);
    expect(ind.perHour.get(subject('practitioner_throughput'))).toBeGreaterThanOrEqual(45);
  });

  it('every other subject stays clearly below the thresholds', () => {
    const below = (m: Map<string, number>) => maxExcept(m, injected, (v) => v)[1];
    expect(below(ind.readmissions)).toBe(0);
    expect(below(ind.overlapHours)).toBe(0);
    expect(below(ind.institutionsPerDay)).toBeLessThanOrEqual(3);
    expect(below(ind.purchasesPerPersonDay)).toBeLessThanOrEqual(2);
    expect(below(ind.daysSupply30)).toBeLessThanOrEqual(60);
    expect(maxExcept(ind.nightShare, injected, (v) => v[0])[1]).toBeLessThan(0.2);
    // Discharges are lumpy (a few a day, thousands of yuan each): the closest any normal
    // institution comes to the 3× spike is about 2.3×.
    expect(maxExcept(ind.spike, injected, (v) => v[0])[1]).toBeLessThan(2.6);
    expect(below(ind.peerRatio)).toBeLessThan(1.8);
    expect(below(ind.reductionRate)).toBeLessThan(0.03);
    expect(below(ind.perHour)).toBeLessThanOrEqual(15);
    expect(ind.overallNightShare).toBeLessThan(0.1);
  });
});
