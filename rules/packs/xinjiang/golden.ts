/**
 * Golden cases for 新疆 (seed 004), taken from the seed text: grey (第十一条) and black (第十二条)
 * for each kind of subject, the red list (第十四条), publication lapses (第十九条, 第二十三条) and
 * the repair conditions (第三十一条, 第三十三条).
 */
import { usccCheckChar } from '../../../schemas/primitives.ts';
import { fact, type GoldenCase, noon, type RawRecord } from '../../golden/kit.ts';

const H = 'H65010200101'; // designated hospital
const D = 'D6501020000001'; // 医保医师
const EMPLOYER = `91650102123456789${usccCheckChar('91650102123456789')}`; // 参保单位, division 650102
const PSN = '650102199001010011'; // 参保人员 (pseudonymised by the runner)
const PSN2 = '650102198505050022';
const asOf = noon('2026-11-30');

const penalty = (code: string, date: string, behavior: string, fields: RawRecord = {}) =>
  fact(code, 'penalty', date, { behavior, ...fields });
const insured = (action: string, date: string, fields: RawRecord = {}, psn = PSN) =>
  fact(psn, action, date, fields, 'insured');
const employer = (action: string, date: string, fields: RawRecord = {}) =>
  fact(EMPLOYER, action, date, fields, 'employer');
const doctor = (action: string, date: string, fields: RawRecord = {}) =>
  fact(D, action, date, fields, 'practitioner');

const grey2025 = penalty(H, '2025-03-01', 'split_admission');
const greyJan = penalty(H, '2026-01-15', 'overcharge');
const black2025 = penalty(H, '2025-06-01', 'identity_fraud', { amount: 20000 });
const repairedFirst = penalty(H, '2025-02-01', 'split_admission');
const afterRepair = penalty(H, '2026-02-01', 'overcharge');
const nov = penalty(H, '2025-11-01', 'split_admission');

export const GOLDEN: readonly GoldenCase[] = [
  {
    name: 'a penalty for 分解住院 puts an institution on the grey list',
    article: '第十一条(一)1, 第十六条',
    records: [penalty(H, '2026-03-01', 'split_admission')],
    as_of: asOf,
    expect: { subject_code: H, level: 'grey', reason_rule: 'xinjiang.grey' },
  },
  {
    name: 'two generals in one natural year put the institution on the black list',
    article: '第十二条(三)',
    records: [penalty(H, '2026-03-01', 'over_treatment'), penalty(H, '2026-09-01', 'overcharge')],
    as_of: asOf,
    expect: { subject_code: H, level: 'black', reason_rule: 'xinjiang.black' },
  },
  {
    name: 'generals in December and the next January are in different natural years: still grey',
    article: '第十二条(三)',
    records: [penalty(H, '2025-12-20', 'over_treatment'), penalty(H, '2026-01-05', 'overcharge')],
    as_of: noon('2026-02-01'),
    expect: { subject_code: H, level: 'grey' },
  },
  {
    name: 'the black listing from the second general is published 3 years from that decision',
    article: '第十二条(三), 第十九条',
    records: [penalty(H, '2026-03-01', 'over_treatment'), penalty(H, '2026-09-01', 'overcharge')],
    as_of: noon('2029-08-31'),
    expect: { subject_code: H, level: 'black' },
  },
  {
    name: 'a fictitious service with 严重后果 is black whatever the amount',
    article: '第十二条(一)3',
    records: [penalty(H, '2026-03-01', 'fictitious_service', { amount: 500, serious_consequence: true })],
    as_of: asOf,
    expect: { subject_code: H, level: 'black' },
  },
  {
    name: 'fraud of exactly the large amount (assumption: 10000 yuan) is black',
    article: '第十二条(一)1',
    records: [penalty(H, '2026-03-01', 'identity_fraud', { amount: 10000 })],
    as_of: asOf,
    expect: { subject_code: H, level: 'black' },
  },
  {
    name: 'fraud of 9999.99 yuan without 严重后果 is general (interpretation: 其他失信行为)',
    article: '第十二条(一)1, 第十一条',
    records: [penalty(H, '2026-03-01', 'identity_fraud', { amount: 9999.99 })],
    as_of: asOf,
    expect: { subject_code: H, level: 'grey', reason_rule: 'xinjiang.grey' },
  },
  {
    name: 'with large_amount_yuan set to 50000 a fraud of 10000 yuan is general',
    article: '第十二条',
    records: [penalty(H, '2026-03-01', 'forged_documents', { amount: 10000 })],
    as_of: asOf,
    overrides: { large_amount_yuan: 50000 },
    expect: { subject_code: H, level: 'grey' },
  },
  {
    name: 'an honour (守信评价) puts the institution on the red list',
    article: '第十条(一), 第十四条',
    records: [fact(H, 'honor', '2026-05-01')],
    as_of: asOf,
    expect: { subject_code: H, level: 'red', reason_rule: 'xinjiang.red' },
  },
  {
    name: 'an insured person whose report was verified is on the red list',
    article: '第十条(二), 第十四条',
    records: [insured('verified_report', '2026-05-01')],
    as_of: asOf,
    expect: { subject_kind: 'insured', subject_code: PSN, level: 'red' },
  },
  {
    name: 'an honour while a grey is in force does not make the institution red',
    article: '第十四条, 第十六条',
    records: [penalty(H, '2026-03-01', 'split_admission'), fact(H, 'honor', '2026-05-01')],
    as_of: asOf,
    expect: { subject_code: H, level: 'grey', reason_rule: 'xinjiang.red_blocked' },
  },
  {
    name: 'once the grey lapses the honour still in force makes the institution red',
    article: '第十四条, 第十九条',
    records: [penalty(H, '2025-09-01', 'split_admission'), fact(H, 'honor', '2026-05-01')],
    as_of: noon('2026-09-01'),
    expect: { subject_code: H, level: 'red' },
  },
  {
    name: 'the red list lasts red_list_years (assumption: 1 year) and then the standing is none',
    article: '第十四条',
    records: [fact(H, 'honor', '2025-05-01')],
    as_of: noon('2026-05-01'),
    expect: { subject_code: H, level: 'none', reason_rule: 'xinjiang.red_lapsed' },
  },
  {
    name: 'with red_list_years set to 2 the honour still counts after a year',
    article: '第十四条',
    records: [fact(H, 'honor', '2025-05-01')],
    as_of: noon('2026-05-01'),
    overrides: { red_list_years: 2 },
    expect: { subject_code: H, level: 'red' },
  },
  {
    name: 'a grey decided 2025-03-01 is still published on day 364',
    article: '第十九条',
    records: [grey2025],
    as_of: noon('2026-02-28'),
    expect: { subject_code: H, level: 'grey' },
  },
  {
    name: 'a grey decided 2025-03-01 lapses after 1 year, on day 365',
    article: '第十九条',
    records: [grey2025],
    as_of: noon('2026-03-01'),
    expect: { subject_code: H, level: 'none', reason_rule: 'xinjiang.lapsed' },
  },
  {
    name: 'a black decided 2023-05-10 lapses after 3 years, on 2026-05-10',
    article: '第十九条',
    records: [penalty(H, '2023-05-10', 'identity_fraud', { amount: 20000 })],
    as_of: noon('2026-05-10'),
    expect: { subject_code: H, level: 'none', reason_rule: 'xinjiang.lapsed' },
  },
  {
    name: 'a black decided 2023-05-10 is still black on 2026-05-09',
    article: '第十九条',
    records: [penalty(H, '2023-05-10', 'identity_fraud', { amount: 20000 })],
    as_of: noon('2026-05-09'),
    expect: { subject_code: H, level: 'black' },
  },
  {
    name: 'an appeal does not pause the publication',
    article: '第二十三条',
    records: [penalty(H, '2026-03-01', 'obstruction'), fact(H, 'appeal_opened', '2026-03-05')],
    as_of: asOf,
    expect: { subject_code: H, level: 'grey' },
  },
  {
    name: 'a repair on exactly 3 months of publication is refused: it must be more than 3 months',
    article: '第三十一条(3)',
    records: [greyJan, fact(H, 'repair', '2026-04-15', { ref_event_id: greyJan.event_id })],
    as_of: noon('2026-04-20'),
    expect: { subject_code: H, level: 'grey', reason_rule: 'xinjiang.repair_refused' },
  },
  {
    name: 'a repair the day after 3 months of publication is granted and lifts the grey',
    article: '第三十一条(3)',
    records: [greyJan, fact(H, 'repair', '2026-04-16', { ref_event_id: greyJan.event_id })],
    as_of: noon('2026-04-20'),
    expect: { subject_code: H, level: 'none', reason_rule: 'xinjiang.repaired' },
  },
  {
    name: 'a black (严重失信) cannot be repaired',
    article: '第三十一条',
    records: [black2025, fact(H, 'repair', '2026-01-01', { ref_event_id: black2025.event_id })],
    as_of: noon('2026-01-10'),
    expect: { subject_code: H, level: 'black', reason_rule: 'xinjiang.repair_refused' },
  },
  {
    name: 'after one repair, a later dishonesty cannot be repaired again',
    article: '第三十三条',
    records: [
      repairedFirst,
      fact(H, 'repair', '2025-06-01', { ref_event_id: repairedFirst.event_id }),
      afterRepair,
      fact(H, 'repair', '2026-06-01', { ref_event_id: afterRepair.event_id }),
    ],
    as_of: noon('2026-06-10'),
    expect: { subject_code: H, level: 'grey', reason_rule: 'xinjiang.repair_refused' },
  },
  {
    name: 'a similar dishonesty decided after the fact blocks its repair',
    article: '第三十一条(2)',
    records: [
      nov,
      penalty(H, '2026-01-10', 'split_admission'),
      fact(H, 'repair', '2026-02-15', { ref_event_id: nov.event_id }),
    ],
    as_of: noon('2026-02-20'),
    expect: { subject_code: H, level: 'grey', reason_rule: 'xinjiang.repair_refused' },
  },
  {
    name: 'a dishonesty of another kind meanwhile does not block the repair (the later grey stays)',
    article: '第三十一条(2)',
    records: [
      nov,
      penalty(H, '2026-01-10', 'overcharge'),
      fact(H, 'repair', '2026-02-15', { ref_event_id: nov.event_id }),
    ],
    as_of: noon('2026-02-20'),
    expect: { subject_code: H, level: 'grey', reason_rule: 'xinjiang.repaired' },
  },
  {
    name: 'insured persons: lending the card is grey, identity fraud with 严重后果 is black',
    article: '第十一条(二)1, 第十二条(二)1',
    records: [
      insured('penalty', '2026-03-01', { behavior: 'card_lending' }),
      insured('penalty', '2026-03-01', { behavior: 'identity_fraud', serious_consequence: true }, PSN2),
    ],
    as_of: asOf,
    expect: [
      { subject_kind: 'insured', subject_code: PSN, level: 'grey' },
      { subject_kind: 'insured', subject_code: PSN2, level: 'black' },
    ],
  },
  {
    name: 'an employer in contribution arrears is grey',
    article: '第十一条(二)4',
    records: [employer('penalty', '2026-03-01', { behavior: 'contribution_arrears' })],
    as_of: asOf,
    expect: { subject_kind: 'employer', subject_code: EMPLOYER, level: 'grey' },
  },
  {
    name: 'no fraud behaviour is listed for employers: a fraud penalty leaves the employer on no list',
    article: '第十二条(二)',
    records: [employer('penalty', '2026-03-01', { behavior: 'identity_fraud', amount: 50000 })],
    as_of: asOf,
    expect: {
      subject_kind: 'employer',
      subject_code: EMPLOYER,
      level: 'none',
      reason_rule: 'xinjiang.unlisted_behavior',
    },
  },
  {
    name: 'a 医保医师 over-treating is grey; one issuing false bills for 2万 is black',
    article: '第十一条(一)2, 第十二条(一)1',
    records: [
      doctor('penalty', '2026-03-01', { behavior: 'over_treatment' }),
      fact(
        'D6501020000002',
        'penalty',
        '2026-03-01',
        { behavior: 'false_invoice', amount: 20000 },
        'practitioner',
      ),
    ],
    as_of: asOf,
    expect: [
      { subject_kind: 'practitioner', subject_code: D, level: 'grey' },
      { subject_kind: 'practitioner', subject_code: 'D6501020000002', level: 'black' },
    ],
  },
  {
    name: 'a penalty decided before the regulation took effect (assumption: 2023-01-01) is not classified',
    article: '第三十八条',
    records: [penalty(H, '2022-12-31', 'split_admission')],
    as_of: noon('2023-06-01'),
    expect: { subject_code: H, level: 'none', policy_in_force: true },
  },
  {
    name: 'with in_force_from set to 2027-01-01 the regulation is not yet in force and nothing is classified',
    article: '第三十八条',
    records: [penalty(H, '2026-03-01', 'split_admission')],
    as_of: asOf,
    overrides: { in_force_from: '2027-01-01' },
    expect: { subject_code: H, level: 'none', policy_in_force: false },
  },
];
