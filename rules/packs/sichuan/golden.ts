/**
 * Golden cases for 四川 (seed 000, draft), taken from the seed text: the published result as the
 * start (第十五条) and the dynamic downgrade (第十八条), both sides of each cut-off of both scales
 * under the default assumptions, every exclusion of 第十六条, the new year, the staff three-year rule
 * (第三十七条(六)) and the chain rules (第三十四条(七), 第三十五条(七)).
 */
import { fact, type GoldenCase, institution, noon, practitioner, type RawRecord } from '../../golden/kit.ts';

const H = 'H51010700101'; // a hospital in 成都市武侯区
const H2 = 'H51010700102';
const DOC = 'D5101070000001'; // a physician of H
const DOC2 = 'D5101070000002';
const PSN = '510107199001010011'; // an insured person (psn_no, pseudonymised by the decoder)
const asOf = noon('2026-11-30');

/** The official result for `period`, published at the end of the next year's Q1 (第十五条). */
const published = (
  code: string,
  grade: string,
  period = 2025,
  kind: 'institution' | 'practitioner' = 'institution',
) => fact(code, 'grade_published', `${period + 1}-03-31`, { grade, period }, kind);

const deducting = (code: string, action: string, date: string, fields: RawRecord = {}) =>
  fact(code, action, date, fields);

/** Two hospitals published with the same grade for 2025, read on 2026-11-30: one on each side of a cut-off. */
function cutoffCase(
  name: string,
  grade: string,
  atCutoff: readonly RawRecord[],
  below: readonly RawRecord[],
  expected: readonly [string, number, string, number],
): GoldenCase {
  return {
    name,
    article: '第十七条, 第十八条',
    records: [
      institution(H),
      institution(H2),
      published(H, grade),
      published(H2, grade),
      ...atCutoff,
      ...below,
    ],
    as_of: asOf,
    expect: [
      { subject_code: H, level: expected[0], score: expected[1] },
      { subject_code: H2, level: expected[2], score: expected[3] },
    ],
  };
}

/** −50 under the default table: an interview, a late payment and under 1万 of recovery. */
const minus50 = (code: string) => [
  deducting(code, 'interview', '2026-04-10'),
  deducting(code, 'late_payment', '2026-04-11'),
  deducting(code, 'recovery', '2026-04-12', { amount: 5000 }),
];
/** −60: three interviews. */
const minus60 = (code: string) => [
  deducting(code, 'interview', '2026-04-10'),
  deducting(code, 'interview', '2026-04-11'),
  deducting(code, 'interview', '2026-04-12'),
];

/** Two physicians published at the same level for 2025: one and two interviews in 2026. */
function staffCutoffCase(level: string, expected: readonly [string, number, string, number]): GoldenCase {
  return {
    name: `a physician published ${level} starts mid-band; one interview (−5) keeps ${expected[0]} at ${expected[1]}, two (−10) give ${expected[2]}`,
    article: '第十七条第二款',
    records: [
      institution(H),
      practitioner(DOC, H),
      practitioner(DOC2, H),
      published(DOC, level, 2025, 'practitioner'),
      published(DOC2, level, 2025, 'practitioner'),
      fact(DOC, 'interview', '2026-04-10', {}, 'practitioner'),
      fact(DOC2, 'interview', '2026-04-10', {}, 'practitioner'),
      fact(DOC2, 'interview', '2026-04-11', {}, 'practitioner'),
    ],
    as_of: asOf,
    expect: [
      { subject_kind: 'practitioner', subject_code: DOC, level: expected[0], score: expected[1] },
      { subject_kind: 'practitioner', subject_code: DOC2, level: expected[2], score: expected[3] },
    ],
  };
}

/** An excluded hospital and, beside it, one on the other side of the same rule. */
function exclusionCase(
  name: string,
  article: string,
  excludedRecords: readonly RawRecord[],
  includedRecords: readonly RawRecord[],
  reason: string,
): GoldenCase {
  return {
    name,
    article,
    records: [...excludedRecords, ...includedRecords],
    as_of: asOf,
    expect: [
      { subject_code: H, level: null, evaluated: false, excluded_reason: reason },
      { subject_code: H2, level: 'B', evaluated: true },
    ],
  };
}

/** A chain of `n` pharmacies; `low` gives the published grade of the first branches. */
function chain(id: string, n: number, low: readonly ('D' | 'E')[], extra: readonly RawRecord[] = []) {
  const records: RawRecord[] = [];
  for (let i = 0; i < n; i++) {
    const code = `P510107${String(i + 1).padStart(5, '0')}`;
    records.push(institution(code, { chain_id: id }));
    const grade = low[i];
    if (grade) records.push(published(code, grade));
  }
  return [...records, ...extra];
}

function chainCase(
  name: string,
  article: string,
  n: number,
  low: readonly ('D' | 'E')[],
  triggers: readonly string[],
  extra: readonly RawRecord[] = [],
): GoldenCase {
  const id = `CHAIN-${n}-${low.join('')}`;
  return {
    name,
    article,
    records: chain(id, n, low, extra),
    as_of: asOf,
    expect: { subject_code: 'P51010700001', level: low[0] ?? 'B' },
    chain: { chain_id: id, at_or_below_d: low.length, triggers },
  };
}

const fraudOf2026 = deducting(H, 'fraud', '2026-06-01', { amount: 120000 });

export const GOLDEN: readonly GoldenCase[] = [
  {
    name: 'the published result is the standing: A for 2025 starts in the middle of the A band, 950',
    article: '第十五条, 第十七条',
    records: [institution(H), published(H, 'A')],
    as_of: asOf,
    expect: { subject_code: H, level: 'A', score: 950, reason_rule: 'sichuan.start.published' },
  },
  {
    name: 'a fraud decided after the evaluated year is recorded at once and lowers A to C (950 − 200)',
    article: '第十八条',
    records: [institution(H), published(H, 'A'), fraudOf2026],
    as_of: asOf,
    expect: { subject_code: H, level: 'C', score: 750, reason_rule: 'sichuan.deduct.fraud' },
  },
  {
    name: 'a fact of the evaluated year is already in the published result and does not deduct again',
    article: '第十五条, 第十八条',
    records: [institution(H), deducting(H, 'fraud', '2025-10-01'), published(H, 'A')],
    as_of: asOf,
    expect: { subject_code: H, level: 'A', score: 950 },
  },
  {
    name: 'a fact of the new year decided before the result is published deducts from it',
    article: '第十五条, 第十八条',
    records: [institution(H), deducting(H, 'fraud', '2026-02-01'), published(H, 'A')],
    as_of: asOf,
    expect: { subject_code: H, level: 'C', score: 750 },
  },
  {
    name: 'the next published result takes over: the year’s fraud is in it and is not counted twice',
    article: '第十五条',
    records: [
      institution(H),
      published(H, 'A', 2024),
      deducting(H, 'fraud', '2025-06-01'),
      published(H, 'C', 2025),
    ],
    as_of: asOf,
    expect: { subject_code: H, level: 'C', score: 750 },
  },
  cutoffCase('A ≥ 900: a published A less 50 is 900, A; less 60 is 890, B', 'A', minus50(H), minus60(H2), [
    'A',
    900,
    'B',
    890,
  ]),
  cutoffCase('B ≥ 800: a published B less 50 is 800, B; less 60 is 790, C', 'B', minus50(H), minus60(H2), [
    'B',
    800,
    'C',
    790,
  ]),
  cutoffCase('C ≥ 700: a published C less 50 is 700, C; less 60 is 690, D', 'C', minus50(H), minus60(H2), [
    'C',
    700,
    'D',
    690,
  ]),
  cutoffCase('D ≥ 600: a published D less 50 is 600, D; less 60 is 590, E', 'D', minus50(H), minus60(H2), [
    'D',
    600,
    'E',
    590,
  ]),
  cutoffCase(
    'violation money deducts per started 1万 of the year: exactly 1万 is −10, 10,000.01 is −20',
    'A',
    [deducting(H, 'recovery', '2026-04-12', { amount: 10000 })],
    [
      deducting(H2, 'recovery', '2026-04-12', { amount: 6000 }),
      deducting(H2, 'recovery', '2026-05-12', { amount: 4000.01 }),
    ],
    ['A', 940, 'A', 930],
  ),
  {
    name: 'with no published result an institution starts in the middle of B (850)',
    article: '第十七条',
    records: [institution(H)],
    as_of: asOf,
    expect: { subject_code: H, level: 'B', score: 850, reason_rule: 'sichuan.start.unpublished' },
  },
  {
    name: 'with no published result facts of this and the previous year deduct, older ones do not',
    article: '第十五条, 第十八条',
    records: [
      institution(H),
      institution(H2),
      deducting(H, 'penalty', '2025-01-02', { behavior: 'overcharge' }),
      deducting(H2, 'penalty', '2024-12-31', { behavior: 'overcharge' }),
    ],
    as_of: asOf,
    expect: [
      { subject_code: H, level: 'C', score: 750 },
      { subject_code: H2, level: 'B', score: 850 },
    ],
  },
  {
    name: 'the first day of a new evaluation year changes nothing but the period: 2025’s fraud still counts until 2025’s result is published',
    article: '第十五条',
    records: [
      institution(H),
      institution(H2),
      published(H, 'A', 2024),
      deducting(H, 'fraud', '2025-06-01'),
      deducting(H2, 'penalty', '2025-06-01', { behavior: 'overcharge' }),
    ],
    as_of: '2026-01-01T00:00:00+08:00',
    expect: [
      { subject_code: H, level: 'C', score: 750 },
      { subject_code: H2, level: 'C', score: 750 },
    ],
  },
  {
    name: 'a penalty for a fraud behaviour weighs as a fraud (−200)',
    article: '第十八条',
    records: [
      institution(H),
      published(H, 'A'),
      deducting(H, 'penalty', '2026-05-01', { behavior: 'false_invoice' }),
    ],
    as_of: asOf,
    expect: { subject_code: H, level: 'C', score: 750 },
  },
  {
    name: 'a granted repair removes the fraud’s deduction',
    article: '第四十七条',
    records: [
      institution(H),
      published(H, 'A'),
      fraudOf2026,
      deducting(H, 'repair', '2026-09-01', { ref_event_id: fraudOf2026.event_id }),
    ],
    as_of: asOf,
    expect: { subject_code: H, level: 'A', score: 950, reason_rule: 'sichuan.repair' },
  },
  {
    name: 'on the 严重失信主体名单 the grade is lowered to E',
    article: '第十八条',
    records: [institution(H), published(H, 'A'), deducting(H, 'severe_list_added', '2026-05-01')],
    as_of: asOf,
    expect: { subject_code: H, level: 'E', reason_rule: 'sichuan.severe_list' },
  },
  {
    name: 'removed from the severe list, the grade is what the score gives again',
    article: '第十八条',
    records: [
      institution(H),
      published(H, 'A'),
      deducting(H, 'severe_list_added', '2026-05-01'),
      deducting(H, 'severe_list_removed', '2026-08-01'),
    ],
    as_of: asOf,
    expect: { subject_code: H, level: 'A', score: 950 },
  },
  exclusionCase(
    'an agreement from 1 July 2026 is under 6 months on 30 November: not evaluated; one from 30 May has its 6 months',
    '第十六条(一)1',
    [institution(H, { agreement_start: '2026-07-01' })],
    [institution(H2, { agreement_start: '2026-05-30' })],
    'agreement_under_6_months',
  ),
  exclusionCase(
    'an agreement ended on 29 November 2025 ended more than a year ago: not evaluated; one ended on 30 November has not',
    '第十六条(一)2',
    [institution(H, { agreement_end: '2025-11-29', agreement_end_reason: 'not_renewed' })],
    [institution(H2, { agreement_end: '2025-11-30', agreement_end_reason: 'not_renewed' })],
    'agreement_ended_over_1_year',
  ),
  exclusionCase(
    'a licence suspended since 29 November 2025 is suspended more than a year: not evaluated; a restored one is evaluated',
    '第十六条(一)3',
    [institution(H), deducting(H, 'license_suspended', '2025-11-29')],
    [
      institution(H2),
      deducting(H2, 'license_suspended', '2025-06-01'),
      deducting(H2, 'license_restored', '2025-09-01'),
    ],
    'license_suspended_over_1_year',
  ),
  exclusionCase(
    'an open fraud investigation leaves the institution out; a closed one does not',
    '第十六条(一)4',
    [institution(H), deducting(H, 'investigation_opened', '2026-05-01')],
    [
      institution(H2),
      deducting(H2, 'investigation_opened', '2026-05-01'),
      deducting(H2, 'investigation_closed', '2026-10-01'),
    ],
    'fraud_investigation_open',
  ),
  exclusionCase(
    'an open administrative appeal or lawsuit leaves the institution out; a closed one does not',
    '第十六条(一)5',
    [institution(H), deducting(H, 'appeal_opened', '2026-05-01')],
    [
      institution(H2),
      deducting(H2, 'appeal_opened', '2026-05-01'),
      deducting(H2, 'appeal_closed', '2026-07-01'),
    ],
    'appeal_open',
  ),
  {
    name: 'a physician qualified on 1 June 2026 has under 6 months: not evaluated',
    article: '第十六条(二)1',
    records: [institution(H), practitioner(DOC, H, { qualified_since: '2026-06-01' })],
    as_of: asOf,
    expect: {
      subject_kind: 'practitioner',
      subject_code: DOC,
      level: null,
      evaluated: false,
      excluded_reason: 'qualified_under_6_months',
    },
  },
  {
    name: 'a physician whose licence is suspended more than a year is not evaluated',
    article: '第十六条(二)2',
    records: [
      institution(H),
      practitioner(DOC, H),
      fact(DOC, 'license_suspended', '2025-06-01', {}, 'practitioner'),
    ],
    as_of: asOf,
    expect: {
      subject_kind: 'practitioner',
      subject_code: DOC,
      level: null,
      evaluated: false,
      excluded_reason: 'license_suspended_over_1_year',
    },
  },
  {
    name: 'a physician under an open fraud investigation is not evaluated',
    article: '第十六条(二)3',
    records: [
      institution(H),
      practitioner(DOC, H),
      fact(DOC, 'investigation_opened', '2026-05-01', {}, 'practitioner'),
    ],
    as_of: asOf,
    expect: {
      subject_kind: 'practitioner',
      subject_code: DOC,
      level: null,
      evaluated: false,
      excluded_reason: 'fraud_investigation_open',
    },
  },
  {
    name: 'a physician published 一般失信 (the seed’s own name) is general, in the middle of its band (75)',
    article: '第十五条, 第十七条第二款',
    records: [institution(H), practitioner(DOC, H), published(DOC, '一般失信', 2025, 'practitioner')],
    as_of: asOf,
    expect: { subject_kind: 'practitioner', subject_code: DOC, level: 'general', score: 75 },
  },
  {
    name: 'a physician with no published result starts at 100 points: a penalty (−20) leaves 80, minor',
    article: '第十七条第二款',
    records: [
      institution(H),
      practitioner(DOC, H),
      fact(DOC, 'penalty', '2026-05-01', { behavior: 'over_treatment' }, 'practitioner'),
    ],
    as_of: asOf,
    expect: { subject_kind: 'practitioner', subject_code: DOC, level: 'minor', score: 80 },
  },
  staffCutoffCase('trustworthy', ['trustworthy', 90, 'minor', 85]),
  staffCutoffCase('minor', ['minor', 80, 'general', 75]),
  staffCutoffCase('general', ['general', 70, 'serious', 65]),
  staffCutoffCase('serious', ['serious', 60, 'severe', 55]),
  {
    name: 'three consecutive published years at 一般失信 or worse lower the next year one level; two years do not',
    article: '第三十七条(六)',
    records: [
      institution(H),
      practitioner(DOC, H),
      practitioner(DOC2, H),
      published(DOC, 'general', 2023, 'practitioner'),
      published(DOC, 'serious', 2024, 'practitioner'),
      published(DOC, 'general', 2025, 'practitioner'),
      published(DOC2, 'minor', 2023, 'practitioner'),
      published(DOC2, 'general', 2024, 'practitioner'),
      published(DOC2, 'general', 2025, 'practitioner'),
    ],
    as_of: asOf,
    expect: [
      {
        subject_kind: 'practitioner',
        subject_code: DOC,
        level: 'serious',
        score: 75,
        reason_rule: 'sichuan.three_year_rule',
      },
      { subject_kind: 'practitioner', subject_code: DOC2, level: 'general', score: 75 },
    ],
  },
  {
    name: 'an insured person is judged on the level scale: lending the card (penalty −20) leaves 80, minor',
    article: '第四条, 第十七条第二款, 第三十九条',
    records: [fact(PSN, 'penalty', '2026-05-01', { behavior: 'card_lending', amount: 800 }, 'insured')],
    as_of: asOf,
    expect: { subject_kind: 'insured', subject_code: PSN, level: 'minor', score: 80 },
  },
  {
    name: 'an employer is not a subject of the Sichuan draft',
    article: '第四条',
    records: [fact('91510107MA6C00001X', 'interview', '2026-05-01', {}, 'employer')],
    as_of: asOf,
    expect: {
      subject_kind: 'employer',
      subject_code: '91510107MA6C00001X',
      level: null,
      evaluated: false,
      excluded_reason: 'subject_kind_not_covered',
    },
  },
  {
    name: 'the draft’s date is an assumption: in force from 2022-01-01 by default',
    article: '第五十四条',
    records: [institution(H)],
    as_of: asOf,
    expect: { subject_code: H, level: 'B', policy_in_force: true },
  },
  {
    name: 'with in_force_from set to 2027-01-01 the draft is not yet in force in 2026',
    article: '第五十四条',
    records: [institution(H)],
    as_of: asOf,
    expect: { subject_code: H, level: 'B', policy_in_force: false },
    overrides: { in_force_from: '2027-01-01' },
  },
  chainCase(
    '1 of 5 branches at D is exactly 20%: all branches rectified',
    '第三十四条(七)',
    5,
    ['D'],
    ['sichuan.chain.d_rectify'],
  ),
  chainCase(
    '2 of 10 branches at D or below is exactly 20%: all branches rectified',
    '第三十四条(七)',
    10,
    ['D', 'D'],
    ['sichuan.chain.d_rectify'],
  ),
  chainCase(
    '3 of 16 branches (18.75%) is just under 20%: no rectification',
    '第三十四条(七)',
    16,
    ['D', 'D', 'D'],
    [],
  ),
  chainCase(
    '3 of 20 branches (15%) with one at E: all branches rectified under the E measures',
    '第三十五条(七)',
    20,
    ['E', 'D', 'D'],
    ['sichuan.chain.e_rectify'],
  ),
  chainCase(
    '3 of 20 branches (15%) with none at E: no rectification',
    '第三十五条(七)',
    20,
    ['D', 'D', 'D'],
    [],
  ),
  chainCase('1 of 7 branches (14.3%) at E is under 15%: no rectification', '第三十五条(七)', 7, ['E'], []),
  chainCase(
    '4 of 20 branches (20%) with one at E: both rules apply',
    '第三十四条(七), 第三十五条(七)',
    20,
    ['E', 'D', 'D', 'D'],
    ['sichuan.chain.d_rectify', 'sichuan.chain.e_rectify'],
  ),
  chainCase(
    'a branch not evaluated (agreement under 6 months) is not counted: 1 D of 5 evaluated is still 20%',
    '第三十四条(七), 第十六条(一)1',
    5,
    ['D'],
    ['sichuan.chain.d_rectify'],
    [institution('P51010700006', { chain_id: 'CHAIN-5-D', agreement_start: '2026-08-01' })],
  ),
];
