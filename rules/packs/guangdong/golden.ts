/**
 * Golden cases for 广东 (seed 002), taken from the seed text: the severe list (第二十条第二款), the
 * document rule (第二十六条), both sides of each grade cut-off under the default point table,
 * repair after five working days of publicity (第三十七条), lapse (第十九条 生效期内), the two-year
 * validity of the regulation (第四十三条) and the individual subjects (第四条).
 */
import { fact, type GoldenCase, institution, noon, type RawRecord } from '../../golden/kit.ts';

const H = 'H44010600101'; // a hospital in 广州市越秀区
const hospital = institution(H);
const PSN = '440106199001010011'; // an insured person (psn_no, pseudonymised by the decoder)
const DOC = 'D4401060000001'; // a physician
const EMPLOYER = '91440106MA5C00001Y'; // a 参保单位 (USCC with its check character)
const asOf = noon('2025-11-30');

let documents = 0;
type Kind = 'institution' | 'practitioner' | 'insured' | 'employer';

/** A fact with its legally effective document (第二十六条), unless `fields` says otherwise. */
function gd(code: string, action: string, date: string, fields: RawRecord = {}, kind: Kind = 'institution') {
  return fact(code, action, date, { document_no: `粤医保决〔2025〕${++documents}号`, ...fields }, kind);
}

const noDocument = (code: string, action: string, date: string, fields: RawRecord = {}) =>
  fact(code, action, date, fields);

/** The hospital with the given facts, read on 2025-11-30. */
function hospitalCase(
  name: string,
  article: string,
  facts: readonly RawRecord[],
  level: string,
  score: number,
  reason_rule?: string,
): GoldenCase {
  return {
    name,
    article,
    records: [hospital, ...facts],
    as_of: asOf,
    expect: { subject_code: H, level, score, ...(reason_rule !== undefined && { reason_rule }) },
  };
}

const penalty = gd(H, 'penalty', '2025-08-01', { behavior: 'overcharge', amount: 30000 });
const repairOfPenalty = gd(H, 'repair', '2025-09-01', { ref_event_id: penalty.event_id }); // a Monday
const listed = gd(H, 'severe_list_added', '2025-06-02');
const repairOfListing = gd(H, 'repair', '2025-09-01', { ref_event_id: listed.event_id });
const penaltyBeforeHolidays = gd(H, 'penalty', '2025-09-01', { behavior: 'overcharge' });
const repairBeforeHolidays = gd(H, 'repair', '2025-09-29', { ref_event_id: penaltyBeforeHolidays.event_id });

export const GOLDEN: readonly GoldenCase[] = [
  hospitalCase(
    'a clean record keeps the base 1000 points: A, and the 第二十五条 incentives apply',
    '第十九条, 第二十条, 第二十五条',
    [],
    'A',
    1000,
    'guangdong.incentive',
  ),
  hospitalCase(
    'a recovery (−50) leaves 950: the A cut-off includes its number',
    '第二十条',
    [gd(H, 'recovery', '2025-05-06', { amount: 20000 })],
    'A',
    950,
  ),
  hospitalCase(
    'a recovery and an interview leave 930 (the nearest score under 950 the table allows): B',
    '第二十条',
    [gd(H, 'recovery', '2025-05-06', { amount: 20000 }), gd(H, 'interview', '2025-05-07')],
    'B',
    930,
  ),
  hospitalCase(
    'a penalty (−150) leaves 850: B, and with a dishonest fact in force the incentives are withheld',
    '第二十条, 第二十五条',
    [gd(H, 'penalty', '2025-05-06', { behavior: 'overcharge', amount: 30000 })],
    'B',
    850,
    'guangdong.incentive.withheld',
  ),
  hospitalCase(
    'a suspension and two late payments leave 840: C',
    '第二十条',
    [
      gd(H, 'agreement_suspension', '2025-05-06'),
      gd(H, 'late_payment', '2025-05-07'),
      gd(H, 'late_payment', '2025-06-07'),
    ],
    'C',
    840,
  ),
  hospitalCase(
    'a penalty for a fraud behaviour counts as severe (−300) and leaves 700: C',
    '第二十条',
    [gd(H, 'penalty', '2025-05-06', { behavior: 'fictitious_service', amount: 80000 })],
    'C',
    700,
  ),
  hospitalCase(
    'a fraud and an interview leave 680: D',
    '第二十条',
    [gd(H, 'fraud', '2025-05-06', { amount: 80000 }), gd(H, 'interview', '2025-05-07')],
    'D',
    680,
  ),
  hospitalCase(
    'a fraud and a penalty leave 550: D',
    '第二十条',
    [gd(H, 'fraud', '2025-05-06'), gd(H, 'penalty', '2025-05-07', { behavior: 'overcharge' })],
    'D',
    550,
  ),
  hospitalCase(
    'a fraud, a penalty and an interview leave 530: E',
    '第二十条',
    [
      gd(H, 'fraud', '2025-05-06'),
      gd(H, 'penalty', '2025-05-07', { behavior: 'overcharge' }),
      gd(H, 'interview', '2025-05-08'),
    ],
    'E',
    530,
  ),
  hospitalCase(
    'a penalty with serious_consequence counts as severe: 700, C',
    '第二十条',
    [gd(H, 'penalty', '2025-05-06', { behavior: 'overcharge', serious_consequence: true })],
    'C',
    700,
  ),
  hospitalCase(
    'positive facts add points: 930 plus an honour (+30) is 960, back to A',
    '第十九条',
    [
      gd(H, 'recovery', '2025-05-06', { amount: 20000 }),
      gd(H, 'interview', '2025-05-07'),
      gd(H, 'honor', '2025-07-01'),
    ],
    'A',
    960,
  ),
  hospitalCase(
    'on the 严重失信主体名单 the grade is E at once, whatever the points',
    '第二十条第二款',
    [listed],
    'E',
    1000,
    'guangdong.severe_list',
  ),
  hospitalCase(
    'removed from the severe list, the grade is back to what the points give',
    '第二十条第二款',
    [listed, gd(H, 'severe_list_removed', '2025-10-10')],
    'A',
    1000,
  ),
  hospitalCase(
    'a penalty without a document number counts toward indicators but not toward the grade',
    '第二十六条',
    [noDocument(H, 'penalty', '2025-05-06', { behavior: 'overcharge', amount: 30000 })],
    'A',
    1000,
    'guangdong.document_required',
  ),
  hospitalCase(
    'a severe list entry without a document number does not make E',
    '第二十六条',
    [noDocument(H, 'severe_list_added', '2025-05-06')],
    'A',
    1000,
    'guangdong.document_required',
  ),
  {
    name: 'a repair granted on Monday 1 September is still in publicity on Friday 5 September (the fourth working day): B',
    article: '第三十七条',
    records: [hospital, penalty, repairOfPenalty],
    as_of: noon('2025-09-05'),
    expect: { subject_code: H, level: 'B', score: 850, reason_rule: 'guangdong.repair.pending' },
  },
  {
    name: 'the weekend after does not count: late on Sunday 7 September the repair is still pending',
    article: '第三十七条',
    records: [hospital, penalty, repairOfPenalty],
    as_of: '2025-09-07T23:59:59+08:00',
    expect: { subject_code: H, level: 'B', score: 850 },
  },
  {
    name: 'after five working days of publicity (Monday 8 September) the points are restored: A',
    article: '第三十七条, 第三十八条',
    records: [hospital, penalty, repairOfPenalty],
    as_of: '2025-09-08T00:00:00+08:00',
    expect: { subject_code: H, level: 'A', score: 1000, reason_rule: 'guangdong.repair' },
  },
  {
    name: 'a repair of a severe listing takes the subject off the list after the publicity: A',
    article: '第三十八条(一)',
    records: [hospital, listed, repairOfListing],
    as_of: noon('2025-09-08'),
    expect: { subject_code: H, level: 'A', score: 1000 },
  },
  {
    name: 'configured public holidays do not count as working days: with 国庆 1–8 October the repair is pending on 13 October',
    article: '第三十七条',
    records: [hospital, penaltyBeforeHolidays, repairBeforeHolidays],
    as_of: noon('2025-10-13'),
    expect: { subject_code: H, level: 'B', score: 850 },
    overrides: {
      holidays: ['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-06', '2025-10-07', '2025-10-08'],
    },
  },
  {
    name: 'a penalty is in force for a year: on 28 February 2026 it still counts',
    article: '第十九条',
    records: [hospital, gd(H, 'penalty', '2025-03-01', { behavior: 'overcharge' })],
    as_of: noon('2026-02-28'),
    expect: { subject_code: H, level: 'B', score: 850 },
  },
  {
    name: 'on 1 March 2026 the penalty has lapsed and the points are back: A',
    article: '第十九条',
    records: [hospital, gd(H, 'penalty', '2025-03-01', { behavior: 'overcharge' })],
    as_of: '2026-03-01T00:00:00+08:00',
    expect: { subject_code: H, level: 'A', score: 1000, reason_rule: 'guangdong.points.lapsed' },
  },
  {
    name: 'a fraud is a severe fact and still counts after a year; on the last day of the regulation it is in force',
    article: '第十九条, 第四十三条',
    records: [hospital, gd(H, 'fraud', '2024-08-01')],
    as_of: noon('2026-06-30'),
    expect: { subject_code: H, level: 'C', score: 700, policy_in_force: true },
  },
  {
    name: 'from 1 July 2026 the two years are over: the last version keeps applying, policy_in_force is false',
    article: '第四十三条',
    records: [hospital, gd(H, 'penalty', '2026-03-02', { behavior: 'overcharge' })],
    as_of: noon('2026-07-01'),
    expect: { subject_code: H, level: 'B', score: 850, policy_in_force: false },
  },
  {
    name: '本办法自 2024 年 7 月 1 日起施行，有效期两年: at 23:59:59 on 30 June 2026, the last day, no policy_expired is told',
    article: '第四十三条',
    records: [hospital, gd(H, 'penalty', '2026-03-02', { behavior: 'overcharge' })],
    as_of: '2026-06-30T23:59:59+08:00',
    expect: { subject_code: H, level: 'B', score: 850, policy_in_force: true },
    policy_expired: null,
  },
  {
    name: '有效期两年: at midnight on 1 July 2026, with no fact after 2 March, policy_expired is told (it used to wait for a fact)',
    article: '第四十三条',
    records: [hospital, gd(H, 'penalty', '2026-03-02', { behavior: 'overcharge' })],
    as_of: '2026-07-01T00:00:00+08:00',
    expect: { subject_code: H, level: 'B', score: 850, policy_in_force: false },
    policy_expired: { at: '2026-07-01T00:00:00+08:00', last_day: '2026-06-30', article: '第四十三条' },
  },
  {
    name: 'an insured person is a subject: a penalty for lending the insurance card leaves B',
    article: '第四条(二)3',
    records: [gd(PSN, 'penalty', '2025-05-06', { behavior: 'card_lending', amount: 1200 }, 'insured')],
    as_of: asOf,
    expect: { subject_kind: 'insured', subject_code: PSN, level: 'B', score: 850 },
  },
  {
    name: 'a physician is a subject: a penalty for fictitious services is severe and leaves C',
    article: '第四条(二)1',
    records: [gd(DOC, 'penalty', '2025-05-06', { behavior: 'fictitious_service' }, 'practitioner')],
    as_of: asOf,
    expect: { subject_kind: 'practitioner', subject_code: DOC, level: 'C', score: 700 },
  },
  {
    name: 'an employer on the severe list is E, and the extension to its legal representative is stated',
    article: '第四条(一)3, 第二十条第二款, 第二十九条',
    records: [gd(EMPLOYER, 'severe_list_added', '2025-05-06', {}, 'employer')],
    as_of: asOf,
    expect: {
      subject_kind: 'employer',
      subject_code: EMPLOYER,
      level: 'E',
      reason_rule: 'guangdong.severe_list.extension',
    },
  },
  {
    name: 'the cut-offs are assumptions: with cutoff_a overridden to 1000 a recovery leaves B',
    article: '第二十条',
    records: [hospital, gd(H, 'recovery', '2025-05-06', { amount: 20000 })],
    as_of: asOf,
    expect: { subject_code: H, level: 'B', score: 950 },
    overrides: { cutoff_a: 1000 },
  },
];
