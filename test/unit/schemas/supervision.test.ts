import { describe, it } from 'vitest';
import { BEHAVIORS, SUPERVISION_ACTIONS } from '../../../schemas/events.ts';
import { example, withFields } from './examples.ts';
import { envelopeRejections, expectAccepted, expectRejected, type RejectionCase } from './support.ts';

const penalty = example('sup-0001');
const recovery = example('sup-0002');
const gradePublished = example('sup-0003');
const assessment = example('sup-0004');

const bare = withFields(penalty, { action: 'interview', behavior: undefined, amount: undefined });

/** The fields EVENTS.md requires for an action, beyond the common ones. */
const REQUIRED_FOR: Partial<Record<string, Record<string, unknown>>> = {
  penalty: { behavior: 'card_cashing' },
  recovery: { amount: 23500 },
  repair: { ref_event_id: 'sup-0001' },
  assessment: { score: 87.5, period: 2026 },
  grade_published: { grade: 'B', period: 2025 },
};

const FIXMEDINS = 'expected a fixmedins_code: H or P + 6-digit division + 5-digit serial (12 chars)';
const PRACTITIONER = 'expected a practitioner_code: D, N, HY or HJ + 6-digit division + serial (14 chars)';
const USCC = 'expected an 18-char USCC with a valid GB 32100-2015 check character';
const ACTIONS = SUPERVISION_ACTIONS.map((a) => JSON.stringify(a)).join(', ');
const BEHAVIOR_LIST = BEHAVIORS.map((b) => JSON.stringify(b)).join(', ');

describe('supervision records', () => {
  it.each([
    ['the penalty of examples.ndjson', penalty],
    ['the recovery of examples.ndjson', recovery],
    ['the grade_published of examples.ndjson', gradePublished],
    ['the assessment of examples.ndjson', assessment],
    [
      'a serious-consequence penalty on a practitioner',
      withFields(penalty, {
        subject_kind: 'practitioner',
        subject_code: 'HY510107000012',
        serious_consequence: true,
      }),
    ],
    [
      'a late payment by an employer with the valid USCC 91350100M000100Y43',
      withFields(bare, {
        subject_kind: 'employer',
        subject_code: '91350100M000100Y43',
        action: 'late_payment',
      }),
    ],
    [
      'a penalty on an insured person',
      withFields(penalty, {
        subject_kind: 'insured',
        subject_code: '51000019800101000001',
        behavior: 'card_lending',
      }),
    ],
    ['a repair naming the fact repaired', withFields(bare, { action: 'repair', ref_event_id: 'sup-0001' })],
    ['an assessment scored 0', withFields(assessment, { score: 0 })],
    ['an assessment scored 100', withFields(assessment, { score: 100 })],
  ])('%s is accepted', (_name, record) => {
    expectAccepted(record);
  });

  it.each(SUPERVISION_ACTIONS.map((a) => [a]))('action %s with its required fields is accepted', (action) => {
    expectAccepted(withFields(bare, { action, ...REQUIRED_FOR[action] }));
  });

  it.each(BEHAVIORS.map((b) => [b]))('a penalty for behavior %s is accepted', (behavior) => {
    expectAccepted(withFields(penalty, { behavior }));
  });

  const cases: RejectionCase[] = [
    ...envelopeRejections(penalty),
    [
      'a subject_kind outside the enum is rejected',
      withFields(penalty, { subject_kind: 'person' }),
      'supervision.subject_kind: "person" is invalid: expected one of "institution", "practitioner", "insured", "employer"',
    ],
    [
      'a missing subject_code is rejected',
      withFields(penalty, { subject_code: undefined }),
      'supervision.subject_code: is missing: expected string',
    ],
    [
      'an institution whose subject_code is a practitioner_code is rejected',
      withFields(penalty, { subject_code: 'D5101070000123' }),
      `supervision.subject_code: "D5101070000123" is invalid: ${FIXMEDINS} (subject_kind institution)`,
    ],
    [
      'a practitioner whose subject_code is a fixmedins_code is rejected',
      withFields(penalty, { subject_kind: 'practitioner' }),
      `supervision.subject_code: "P51010700211" is invalid: ${PRACTITIONER} (subject_kind practitioner)`,
    ],
    [
      'an employer whose USCC has a wrong check character is rejected',
      withFields(bare, { subject_kind: 'employer', subject_code: '91350100M000100Y44' }),
      `supervision.subject_code: "91350100M000100Y44" is invalid: ${USCC} (subject_kind employer)`,
    ],
    [
      'an employer whose subject_code is a fixmedins_code is rejected',
      withFields(bare, { subject_kind: 'employer' }),
      `supervision.subject_code: "P51010700211" is invalid: ${USCC} (subject_kind employer)`,
    ],
    [
      'an insured person whose subject_code is 31 chars is rejected without showing it',
      withFields(bare, { subject_kind: 'insured', subject_code: '5'.repeat(31) }),
      'supervision.subject_code: <personal data> is invalid: expected a psn_no of 1–30 chars (subject_kind insured)',
    ],
    [
      'an action outside the enum is rejected',
      withFields(penalty, { action: 'warning' }),
      `supervision.action: "warning" is invalid: expected one of ${ACTIONS}`,
    ],
    [
      'a missing action is rejected',
      withFields(penalty, { action: undefined }),
      `supervision.action: is missing: expected one of ${ACTIONS}`,
    ],
    [
      'a decided_at on 31 November is rejected',
      withFields(penalty, { decided_at: '2026-11-31' }),
      'supervision.decided_at: "2026-11-31" is invalid: expected a calendar date YYYY-MM-DD',
    ],
    [
      'a decided_at given as a timestamp is rejected',
      withFields(penalty, { decided_at: '2026-11-18T00:00:00+08:00' }),
      'supervision.decided_at: "2026-11-18T00:00:00+08:00" is invalid: expected a calendar date YYYY-MM-DD',
    ],
    [
      'a missing decided_at is rejected',
      withFields(penalty, { decided_at: undefined }),
      'supervision.decided_at: is missing: expected string',
    ],
    [
      'a negative amount is rejected',
      withFields(penalty, { amount: -8600 }),
      'supervision.amount: -8600 is invalid: expected money in yuan ≥ 0',
    ],
    [
      'an amount with 3 decimals is rejected',
      withFields(recovery, { amount: 23500.125 }),
      'supervision.amount: 23500.125 is invalid: expected money with at most 2 decimals',
    ],
    [
      'an amount of "8600" is not coerced',
      withFields(penalty, { amount: '8600' }),
      'supervision.amount: "8600" is invalid: expected number, got string',
    ],
    [
      'a behavior outside the enum is rejected',
      withFields(penalty, { behavior: 'theft' }),
      `supervision.behavior: "theft" is invalid: expected one of ${BEHAVIOR_LIST}`,
    ],
    [
      'a penalty without behavior is rejected',
      withFields(penalty, { behavior: undefined }),
      'supervision.behavior: is missing: expected it for action penalty',
    ],
    [
      'a recovery without amount is rejected',
      withFields(recovery, { amount: undefined }),
      'supervision.amount: is missing: expected it for action recovery',
    ],
    [
      'serious_consequence 1 is not coerced to a boolean',
      withFields(penalty, { serious_consequence: 1 }),
      'supervision.serious_consequence: 1 is invalid: expected boolean, got number',
    ],
    [
      'serious_consequence "yes" is not coerced to a boolean',
      withFields(penalty, { serious_consequence: 'yes' }),
      'supervision.serious_consequence: "yes" is invalid: expected boolean, got string',
    ],
    [
      'an empty document_no is rejected',
      withFields(penalty, { document_no: '' }),
      'supervision.document_no: "" is invalid: Too small: expected string to have >=1 characters',
    ],
    [
      'a repair without ref_event_id is rejected',
      withFields(bare, { action: 'repair' }),
      'supervision.ref_event_id: is missing: expected it for action repair (the fact being repaired)',
    ],
    [
      'a ref_event_id of 65 chars is rejected',
      withFields(bare, { action: 'repair', ref_event_id: 'r'.repeat(65) }),
      `supervision.ref_event_id: "${'r'.repeat(59)}… (67 chars) is invalid: expected an event_id of 1–64 chars`,
    ],
    [
      'a score of 101 is rejected',
      withFields(assessment, { score: 101 }),
      'supervision.score: 101 is invalid: expected a score 0–100',
    ],
    [
      'a score of -1 is rejected',
      withFields(assessment, { score: -1 }),
      'supervision.score: -1 is invalid: expected a score 0–100',
    ],
    [
      'a score of "87.5" is not coerced',
      withFields(assessment, { score: '87.5' }),
      'supervision.score: "87.5" is invalid: expected number, got string',
    ],
    [
      'an assessment without score is rejected',
      withFields(assessment, { score: undefined }),
      'supervision.score: is missing: expected it for action assessment',
    ],
    [
      'an assessment without period is rejected',
      withFields(assessment, { period: undefined }),
      'supervision.period: is missing: expected it for action assessment',
    ],
    [
      'an assessment without score and period is rejected naming score first',
      withFields(assessment, { score: undefined, period: undefined }),
      'supervision.score: is missing: expected it for action assessment (and 1 more)',
    ],
    [
      'a grade_published without grade is rejected',
      withFields(gradePublished, { grade: undefined }),
      'supervision.grade: is missing: expected it for action grade_published',
    ],
    [
      'a grade_published without period is rejected',
      withFields(gradePublished, { period: undefined }),
      'supervision.period: is missing: expected it for action grade_published',
    ],
    [
      'an empty grade is rejected',
      withFields(gradePublished, { grade: '' }),
      'supervision.grade: "" is invalid: Too small: expected string to have >=1 characters',
    ],
    [
      'a period of 2025.5 is rejected',
      withFields(gradePublished, { period: 2025.5 }),
      'supervision.period: 2025.5 is invalid: expected an integer year',
    ],
    [
      'a period of "2025" is not coerced',
      withFields(gradePublished, { period: '2025' }),
      'supervision.period: "2025" is invalid: expected number, got string',
    ],
    [
      'a period of 1989 is rejected',
      withFields(gradePublished, { period: 1989 }),
      'supervision.period: 1989 is invalid: Too small: expected number to be >=1990',
    ],
  ];

  it.each(cases)('%s', (_name, record, message) => {
    expectRejected(record, message);
  });
});
