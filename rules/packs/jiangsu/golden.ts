/**
 * Golden cases for 江苏 (seed 003), taken from the seed text: both sides of every fund-loss band
 * (第七条, 第八条), the routes to 严重失信 and 联合惩戒, publication lapses (第十二条–第十四条,
 * 第十九条) and repairs (第十五条).
 */
import { fact, type GoldenCase, institution, noon, type RawRecord } from '../../golden/kit.ts';

const L1 = 'H32010200101'; // 一级 hospital
const L2 = 'H32010200201'; // 二级 hospital
const L3 = 'H32010200301'; // 三级 hospital
const CLINIC = 'H32010200401'; // clinic: no grade in the registry
const PH = 'P32010200501'; // retail pharmacy
const registry: Readonly<Record<string, RawRecord>> = {
  [L1]: institution(L1, { inpatient: true, level: 1 }),
  [L2]: institution(L2, { inpatient: true, level: 2 }),
  [L3]: institution(L3, { inpatient: true, level: 3 }),
  [CLINIC]: institution(CLINIC, { kind: 'clinic' }),
  [PH]: institution(PH),
};
const asOf = noon('2026-11-30');

const penalty = (code: string, date: string, amount: number, fields: RawRecord = {}) =>
  fact(code, 'penalty', date, {
    behavior: code.startsWith('P') ? 'false_invoice' : 'hanging_bed',
    amount,
    ...fields,
  });

/** One penalty decided 2026-06-01 with the given fund loss, standing read on 2026-11-30. */
function lossCase(
  name: string,
  article: string,
  code: string,
  amount: number,
  level: string,
  reason_rule?: string,
): GoldenCase {
  return {
    name,
    article,
    records: [registry[code]!, penalty(code, '2026-06-01', amount)],
    as_of: asOf,
    expect: { subject_code: code, level, ...(reason_rule && { reason_rule }) },
  };
}

const g1 = penalty(L1, '2025-03-01', 20000);
const lateRepairRef = penalty(L1, '2026-01-15', 20000);
const earlyRepairRef = penalty(L2, '2026-01-15', 200000);
const severeRef = penalty(L1, '2025-10-31', 300000);
const severeRef2 = penalty(L3, '2025-10-31', 3000000);

export const GOLDEN: readonly GoldenCase[] = [
  lossCase(
    'a 一级 hospital losing exactly 10万 is general (10万元（含）以下)',
    '第七条(一)',
    L1,
    100000,
    'general',
  ),
  lossCase(
    'a 一级 hospital losing 10万 and 1 fen is severe (超过10万元)',
    '第八条(一)',
    L1,
    100000.01,
    'severe',
  ),
  lossCase(
    'a 二级 hospital losing exactly 10万 falls under neither article: not dishonesty, an early warning',
    '第三条, 第七条(一)',
    L2,
    100000,
    'none',
    'jiangsu.below_threshold',
  ),
  lossCase(
    'a 二级 hospital losing 10万 and 1 fen is general (超过10万元)',
    '第七条(一)',
    L2,
    100000.01,
    'general',
  ),
  lossCase(
    'a 二级 hospital losing exactly 50万 is general (50万元（含）以下)',
    '第七条(一)',
    L2,
    500000,
    'general',
  ),
  lossCase('a 二级 hospital losing 50万 and 1 fen is severe', '第八条(一)', L2, 500000.01, 'severe'),
  lossCase(
    'a 三级 hospital losing exactly 50万 falls under neither article: not dishonesty, an early warning',
    '第三条, 第七条(一)',
    L3,
    500000,
    'none',
    'jiangsu.below_threshold',
  ),
  lossCase(
    'a 三级 hospital losing 50万 and 1 fen is general (超过50万元)',
    '第七条(一)',
    L3,
    500000.01,
    'general',
  ),
  lossCase(
    'a 三级 hospital losing exactly 100万 is general (100万元（含）以下)',
    '第七条(一)',
    L3,
    1000000,
    'general',
  ),
  lossCase('a 三级 hospital losing 100万 and 1 fen is severe', '第八条(一)', L3, 1000000.01, 'severe'),
  lossCase('a pharmacy losing exactly 1万 is general (1万元（含）以下)', '第七条(二)', PH, 10000, 'general'),
  lossCase('a pharmacy losing 1万 and 1 fen is severe', '第八条(二)', PH, 10000.01, 'severe'),
  lossCase(
    'a clinic without a grade is read as 一级 (assumption): 10万 and 1 fen is severe',
    '第八条(一)',
    CLINIC,
    100000.01,
    'severe',
  ),
  {
    name: 'with unlevelled_institution_level set to 2 the same clinic losing 30万 is general',
    article: '第七条(一)',
    records: [registry[CLINIC]!, penalty(CLINIC, '2026-06-01', 300000)],
    as_of: asOf,
    overrides: { unlevelled_institution_level: 2 },
    expect: { subject_code: CLINIC, level: 'general' },
  },
  {
    name: 'a 二级 hospital under the amount but with 严重后果 is severe',
    article: '第八条(三)',
    records: [registry[L2]!, penalty(L2, '2026-06-01', 50000, { serious_consequence: true })],
    as_of: asOf,
    expect: { subject_code: L2, level: 'severe', reason_rule: 'jiangsu.severe' },
  },
  {
    name: 'an agreement ended for a 第四条 behaviour is severe; ended for an unlisted one it is not',
    article: '第八条(四)',
    records: [
      registry[L3]!,
      registry[L2]!,
      fact(L3, 'agreement_termination', '2026-06-01', { behavior: 'substitution' }),
      fact(L2, 'agreement_termination', '2026-06-01', { behavior: 'over_treatment' }),
    ],
    as_of: asOf,
    expect: [
      { subject_code: L3, level: 'severe' },
      { subject_code: L2, level: 'none', reason_rule: 'jiangsu.unlisted_behavior' },
    ],
  },
  {
    name: 'the third general within 12 months is severe',
    article: '第八条(五)',
    records: [registry[L1]!, g1, penalty(L1, '2025-08-01', 20000), penalty(L1, '2026-02-01', 20000)],
    as_of: noon('2026-02-01'),
    expect: { subject_code: L1, level: 'severe' },
  },
  {
    name: 'the third general, being severe, is published for 3 years, not 1',
    article: '第八条(五), 第十三条(一)',
    records: [registry[L1]!, g1, penalty(L1, '2025-08-01', 20000), penalty(L1, '2026-02-01', 20000)],
    as_of: noon('2029-01-31'),
    expect: { subject_code: L1, level: 'severe' },
  },
  {
    name: 'a third general on the same date a year after the first is still within 1年 and severe (interpretation)',
    article: '第八条(五)',
    records: [registry[L1]!, g1, penalty(L1, '2025-08-01', 20000), penalty(L1, '2026-03-01', 20000)],
    as_of: noon('2026-03-01'),
    expect: { subject_code: L1, level: 'severe' },
  },
  {
    name: 'a third general 12 months and 1 day after the first stays general',
    article: '第八条(五)',
    records: [registry[L1]!, g1, penalty(L1, '2025-08-01', 20000), penalty(L1, '2026-03-02', 20000)],
    as_of: noon('2026-03-02'),
    expect: { subject_code: L1, level: 'general' },
  },
  {
    name: 'a general decided 2025-03-01 is still published on day 364',
    article: '第十二条(一), 第十九条',
    records: [registry[L1]!, g1],
    as_of: noon('2026-02-28'),
    expect: { subject_code: L1, level: 'general' },
  },
  {
    name: 'a general decided 2025-03-01 has lapsed on day 365 and the standing falls back to none',
    article: '第十二条(一), 第十九条',
    records: [registry[L1]!, g1],
    as_of: noon('2026-03-01'),
    expect: { subject_code: L1, level: 'none', reason_rule: 'jiangsu.lapsed' },
  },
  {
    name: 'a severe decided 2023-05-10 is published until the day before 2026-05-10',
    article: '第十三条(一), 第十九条',
    records: [registry[L1]!, penalty(L1, '2023-05-10', 150000)],
    as_of: '2026-05-09T23:00:00+08:00',
    expect: { subject_code: L1, level: 'severe' },
  },
  {
    name: 'a severe decided 2023-05-10 lapses after 3 years, on 2026-05-10',
    article: '第十三条(一), 第十九条',
    records: [registry[L1]!, penalty(L1, '2023-05-10', 150000)],
    as_of: noon('2026-05-10'),
    expect: { subject_code: L1, level: 'none', reason_rule: 'jiangsu.lapsed' },
  },
  {
    name: 'when a severe lapses while a later general is published the standing falls back to general',
    article: '第十九条',
    records: [registry[L1]!, penalty(L1, '2023-05-10', 150000), penalty(L1, '2026-01-10', 5000)],
    as_of: noon('2026-05-10'),
    expect: { subject_code: L1, level: 'general' },
  },
  {
    name: 'a repair one day before 3 months of publication is refused and the general stays',
    article: '第十五条',
    records: [
      registry[L2]!,
      earlyRepairRef,
      fact(L2, 'repair', '2026-04-14', { ref_event_id: earlyRepairRef.event_id }),
    ],
    as_of: noon('2026-04-20'),
    expect: { subject_code: L2, level: 'general', reason_rule: 'jiangsu.repair_refused' },
  },
  {
    name: 'a repair on the day 3 months after the general lifts it (interpretation: that day counts)',
    article: '第十五条',
    records: [
      registry[L1]!,
      lateRepairRef,
      fact(L1, 'repair', '2026-04-15', { ref_event_id: lateRepairRef.event_id }),
    ],
    as_of: noon('2026-04-20'),
    expect: { subject_code: L1, level: 'none', reason_rule: 'jiangsu.repaired' },
  },
  {
    name: 'a severe needs 6 months: repaired after 5 it stays severe, after 6 it is lifted',
    article: '第十五条',
    records: [
      registry[L1]!,
      registry[L3]!,
      severeRef,
      severeRef2,
      fact(L1, 'repair', '2026-03-31', { ref_event_id: severeRef.event_id }),
      fact(L3, 'repair', '2026-04-30', { ref_event_id: severeRef2.event_id }),
    ],
    as_of: noon('2026-05-01'),
    expect: [
      { subject_code: L1, level: 'severe', reason_rule: 'jiangsu.repair_refused' },
      { subject_code: L3, level: 'none', reason_rule: 'jiangsu.repaired' },
    ],
  },
  {
    name: 'a repair naming a fact the institution does not have changes nothing',
    article: '第十五条',
    records: [registry[L1]!, g1, fact(L1, 'repair', '2025-09-01', { ref_event_id: 'no-such-fact' })],
    as_of: noon('2025-09-01'),
    expect: { subject_code: L1, level: 'general' },
  },
  {
    name: 'an institution on the 失信联合惩戒对象名单 is joint, above a severe in force',
    article: '第十四条',
    records: [
      registry[L1]!,
      penalty(L1, '2026-03-01', 200000),
      fact(L1, 'joint_punishment_listed', '2026-06-01'),
    ],
    as_of: asOf,
    expect: { subject_code: L1, level: 'joint', reason_rule: 'jiangsu.joint' },
  },
  {
    name: 'the joint listing is published 3 years and then lapses',
    article: '第十四条(二), 第十九条',
    records: [registry[L1]!, fact(L1, 'joint_punishment_listed', '2023-06-01')],
    as_of: noon('2026-06-01'),
    expect: { subject_code: L1, level: 'none' },
  },
  {
    name: 'a behaviour outside the list is not dishonesty: 盗刷 at a hospital, 分解住院 at a pharmacy',
    article: '第四条, 第五条',
    records: [
      registry[L1]!,
      registry[PH]!,
      fact(L1, 'penalty', '2026-06-01', { behavior: 'card_cashing', amount: 500000 }),
      fact(PH, 'penalty', '2026-06-01', { behavior: 'split_admission', amount: 50000 }),
    ],
    as_of: asOf,
    expect: [
      { subject_code: L1, level: 'none', reason_rule: 'jiangsu.unlisted_behavior' },
      { subject_code: PH, level: 'none', reason_rule: 'jiangsu.unlisted_behavior' },
    ],
  },
  {
    name: 'a penalty decided before the regulation took effect on 2020-03-01 is not classified',
    article: '第二十一条',
    records: [registry[L1]!, penalty(L1, '2020-02-28', 200000)],
    as_of: noon('2020-06-01'),
    expect: { subject_code: L1, level: 'none' },
  },
  {
    name: 'an institution with no registry record is not evaluated: its grade is unknown',
    article: '第七条',
    records: [penalty('H32010200901', '2026-06-01', 20000)],
    as_of: asOf,
    expect: {
      subject_code: 'H32010200901',
      level: null,
      evaluated: false,
      excluded_reason: 'not_registered',
    },
  },
  {
    name: 'a practitioner is not a subject of the Jiangsu regulation',
    article: '第二条',
    records: [
      registry[L1]!,
      fact('D3201020000001', 'penalty', '2026-06-01', { behavior: 'other' }, 'practitioner'),
    ],
    as_of: asOf,
    expect: {
      subject_kind: 'practitioner',
      subject_code: 'D3201020000001',
      level: null,
      evaluated: false,
      excluded_reason: 'subject_kind_not_covered',
    },
  },
];
