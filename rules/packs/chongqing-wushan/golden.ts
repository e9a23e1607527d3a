/**
 * Golden cases for 巫山 (seed 001), taken from the seed text: every deduction tier and both sides
 * of each grade cut-off (90, 65, 60), each deduction item, the exclusions and the year rollover.
 */
import { audit, fact, type GoldenCase, institution, noon } from '../../golden/kit.ts';

const OUT = 'H50023700201'; // outpatient-only clinic
const PH = 'P50023700301'; // pharmacy
const IN = 'H50023700101'; // township hospital with inpatient care
const outpatient = institution(OUT, { kind: 'clinic' });
const pharmacy = institution(PH);
const inpatient = institution(IN, { inpatient: true, level: 1 });
const asOf = noon('2026-11-30');

/** An outpatient clinic with the given facts in 2026, standing read on 2026-11-30. */
function outpatientCase(
  name: string,
  article: string,
  facts: GoldenCase['records'],
  level: string,
  score: number,
): GoldenCase {
  return {
    name,
    article,
    records: [outpatient, ...facts],
    as_of: asOf,
    expect: { subject_code: OUT, level, score },
  };
}

const interviews = (n: number) =>
  Array.from({ length: n }, (_, i) => fact(OUT, 'interview', `2026-03-${String(i + 1).padStart(2, '0')}`));

export const GOLDEN: readonly GoldenCase[] = [
  outpatientCase(
    'a clean outpatient clinic keeps its 100 points and is A',
    '附件 二, 第十八条(二)',
    [],
    'A',
    100,
  ),
  outpatientCase(
    'violation money of 9,999.99 yuan is under 1万 and deducts 2',
    '附件 一(一)',
    [fact(OUT, 'recovery', '2026-02-01', { amount: 9999.99 })],
    'A',
    98,
  ),
  outpatientCase(
    'violation money of exactly 1万 is 1万以上 and deducts 5',
    '附件 一(一), 第二十六条',
    [fact(OUT, 'recovery', '2026-02-01', { amount: 10000 })],
    'A',
    95,
  ),
  outpatientCase(
    'violation money of 49,999.99 deducts 5',
    '附件 一(一)',
    [fact(OUT, 'recovery', '2026-02-01', { amount: 49999.99 })],
    'A',
    95,
  ),
  outpatientCase(
    'violation money of exactly 5万 deducts 10',
    '附件 一(一)',
    [fact(OUT, 'recovery', '2026-02-01', { amount: 50000 })],
    'A',
    90,
  ),
  outpatientCase(
    'violation money of 99,999.99 deducts 10',
    '附件 一(一)',
    [fact(OUT, 'recovery', '2026-02-01', { amount: 99999.99 })],
    'A',
    90,
  ),
  outpatientCase(
    'violation money of exactly 10万 deducts 20 and the clinic falls to B',
    '附件 一(一), 第十八条(二)',
    [fact(OUT, 'recovery', '2026-02-01', { amount: 100000 })],
    'B',
    80,
  ),
  outpatientCase(
    'recoveries and violation audit reductions are summed into one tier (6,000 + 4,000 = 1万 → −5)',
    '附件 一(一)',
    [fact(OUT, 'recovery', '2026-02-01', { amount: 6000 }), audit(OUT, '2026-05-01', 4000)],
    'A',
    95,
  ),
  outpatientCase(
    'audit reductions not for a violation are not 违规费用 and deduct nothing',
    '附件 一(一)',
    [audit(OUT, '2026-05-01', 40000, false)],
    'A',
    100,
  ),
  outpatientCase(
    'each interview deducts 5: two interviews give 90, still A (90分以上)',
    '附件 一(二), 第十八条(二)',
    interviews(2),
    'A',
    90,
  ),
  outpatientCase(
    'three interviews give 85: just under 90 is B',
    '附件 一(二), 第十八条(二)',
    interviews(3),
    'B',
    85,
  ),
  outpatientCase(
    '65 points is B (65以上)',
    '第十八条(二)',
    [...interviews(3), fact(OUT, 'fraud', '2026-06-01')],
    'B',
    65,
  ),
  outpatientCase(
    '63 points (the nearest score under 65 the table allows) is C',
    '第十八条(二)',
    [
      fact(OUT, 'recovery', '2026-02-01', { amount: 500 }),
      fact(OUT, 'fraud', '2026-06-01'),
      fact(OUT, 'interview', '2026-06-02'),
      fact(OUT, 'agreement_suspension', '2026-06-03'),
    ],
    'C',
    63,
  ),
  outpatientCase(
    '60 points is C (60分以上)',
    '第十八条(二)',
    [fact(OUT, 'fraud', '2026-06-01'), fact(OUT, 'fraud', '2026-06-02')],
    'C',
    60,
  ),
  outpatientCase(
    '58 points (the nearest score under 60 the table allows) is D',
    '第十八条(二)',
    [
      fact(OUT, 'recovery', '2026-02-01', { amount: 500 }),
      fact(OUT, 'fraud', '2026-06-01'),
      fact(OUT, 'fraud', '2026-06-02'),
    ],
    'D',
    58,
  ),
  outpatientCase(
    'an agreement suspension deducts 10',
    '附件 一(三)',
    [fact(OUT, 'agreement_suspension', '2026-04-01')],
    'A',
    90,
  ),
  outpatientCase(
    'a second suspension in the period deducts nothing more (assumption: once per period)',
    '附件 一(三)',
    [fact(OUT, 'agreement_suspension', '2026-04-01'), fact(OUT, 'agreement_suspension', '2026-08-01')],
    'A',
    90,
  ),
  outpatientCase(
    'each late payment deducts 5',
    '附件 一(四)',
    [fact(OUT, 'late_payment', '2026-04-01'), fact(OUT, 'late_payment', '2026-05-01')],
    'A',
    90,
  ),
  outpatientCase(
    'each fraud under 条例第四十条 deducts 20',
    '附件 一(五)',
    [fact(OUT, 'fraud', '2026-04-01')],
    'B',
    80,
  ),
  {
    name: 'a pharmacy is scored like an outpatient clinic',
    article: '第十六条',
    records: [pharmacy, fact(PH, 'fraud', '2026-04-01'), fact(PH, 'interview', '2026-04-02')],
    as_of: asOf,
    expect: { subject_code: PH, level: 'B', score: 75 },
  },
  {
    name: "last year's deductions do not count after the year rolls over on 1 January",
    article: '第十五条',
    records: [
      outpatient,
      fact(OUT, 'fraud', '2025-06-01'),
      fact(OUT, 'fraud', '2025-06-02'),
      fact(OUT, 'fraud', '2025-06-03'),
    ],
    as_of: noon('2026-01-01'),
    expect: { subject_code: OUT, level: 'A', score: 100 },
  },
  {
    name: "on 31 December the year's deductions still count",
    article: '第十五条',
    records: [
      outpatient,
      fact(OUT, 'fraud', '2025-06-01'),
      fact(OUT, 'fraud', '2025-06-02'),
      fact(OUT, 'fraud', '2025-06-03'),
    ],
    as_of: '2025-12-31T23:00:00+08:00',
    expect: { subject_code: OUT, level: 'D', score: 40 },
  },
  {
    name: 'an inpatient hospital assessed 90 is A (优秀 90分以上)',
    article: '第十八条(一)',
    records: [inpatient, fact(IN, 'assessment', '2026-11-20', { score: 90, period: 2026 })],
    as_of: asOf,
    expect: { subject_code: IN, level: 'A', score: 90 },
  },
  {
    name: 'an inpatient hospital assessed 89.9 is B',
    article: '第十八条(一)',
    records: [inpatient, fact(IN, 'assessment', '2026-11-20', { score: 89.9, period: 2026 })],
    as_of: asOf,
    expect: { subject_code: IN, level: 'B' },
  },
  {
    name: 'an inpatient hospital assessed 64.9 is C and 59.9 is D',
    article: '第十八条(一)',
    records: [
      inpatient,
      institution('H50023700102', { inpatient: true }),
      fact(IN, 'assessment', '2026-11-20', { score: 64.9, period: 2026 }),
      fact('H50023700102', 'assessment', '2026-11-20', { score: 59.9, period: 2026 }),
    ],
    as_of: asOf,
    expect: [
      { subject_code: IN, level: 'C' },
      { subject_code: 'H50023700102', level: 'D' },
    ],
  },
  {
    name: 'deduction facts do not grade an inpatient hospital: its grade comes from the assessment',
    article: '第十六条',
    records: [
      inpatient,
      fact(IN, 'fraud', '2026-04-01'),
      fact(IN, 'assessment', '2026-11-20', { score: 65, period: 2026 }),
    ],
    as_of: asOf,
    expect: { subject_code: IN, level: 'B', score: 65 },
  },
  {
    name: 'an inpatient hospital with no assessment for the year is not graded yet',
    article: '第十六条',
    records: [inpatient],
    as_of: asOf,
    expect: { subject_code: IN, level: null, evaluated: false, excluded_reason: 'awaiting_assessment' },
  },
  {
    name: 'an institution that ended its agreement voluntarily is not evaluated',
    article: '第十九条(一)',
    records: [
      institution(OUT, { kind: 'clinic', agreement_end: '2026-06-30', agreement_end_reason: 'voluntary' }),
    ],
    as_of: asOf,
    expect: {
      subject_code: OUT,
      level: null,
      evaluated: false,
      excluded_reason: 'agreement_ended_voluntary',
    },
  },
  {
    name: 'an institution whose agreement was ended for a violation is not evaluated',
    article: '第十九条(二)',
    records: [
      institution(OUT, { kind: 'clinic', agreement_end: '2026-06-30', agreement_end_reason: 'violation' }),
    ],
    as_of: asOf,
    expect: {
      subject_code: OUT,
      level: null,
      evaluated: false,
      excluded_reason: 'agreement_ended_violation',
    },
  },
  {
    name: 'an institution not renewed is not evaluated',
    article: '第十九条(三)',
    records: [
      institution(OUT, { kind: 'clinic', agreement_end: '2026-06-30', agreement_end_reason: 'not_renewed' }),
    ],
    as_of: asOf,
    expect: {
      subject_code: OUT,
      level: null,
      evaluated: false,
      excluded_reason: 'agreement_ended_not_renewed',
    },
  },
  {
    name: 'an agreement starting on 2 July has under 6 months in the year: not evaluated',
    article: '第十九条(四)',
    records: [
      institution(OUT, { kind: 'clinic', agreement_start: '2026-07-02', occurred_at: noon('2026-07-02') }),
    ],
    as_of: asOf,
    expect: {
      subject_code: OUT,
      level: null,
      evaluated: false,
      excluded_reason: 'in_business_under_6_months',
    },
  },
  {
    name: 'an agreement starting on 1 July has exactly 6 months in the year: evaluated',
    article: '第十九条(四)',
    records: [
      institution(OUT, { kind: 'clinic', agreement_start: '2026-07-01', occurred_at: noon('2026-07-01') }),
    ],
    as_of: asOf,
    expect: { subject_code: OUT, level: 'A', evaluated: true },
  },
  {
    name: 'a village clinic is evaluated under its township hospital: its recovery deducts from the parent',
    article: '第四条',
    records: [
      institution(OUT, { kind: 'clinic' }),
      institution('H50023700501', { kind: 'village_clinic', parent_code: OUT }),
      fact('H50023700501', 'recovery', '2026-03-01', { amount: 20000 }),
    ],
    as_of: asOf,
    expect: [
      { subject_code: OUT, level: 'A', score: 95 },
      {
        subject_code: 'H50023700501',
        level: null,
        evaluated: false,
        excluded_reason: 'evaluated_under_parent',
      },
    ],
  },
  {
    name: 'a practitioner is not a subject of the Wushan regulation',
    article: '第四条',
    records: [outpatient, fact('D5002370000001', 'interview', '2026-03-01', {}, 'practitioner')],
    as_of: asOf,
    expect: {
      subject_kind: 'practitioner',
      subject_code: 'D5002370000001',
      level: null,
      evaluated: false,
      excluded_reason: 'subject_kind_not_covered',
    },
  },
];
