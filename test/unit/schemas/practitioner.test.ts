import { describe, it } from 'vitest';
import { example, withFields } from './examples.ts';
import { envelopeRejections, expectAccepted, expectRejected, type RejectionCase } from './support.ts';

const physician = example('reg-0004');

const CODE = 'expected a practitioner_code: D, N, HY or HJ + 6-digit division + serial (14 chars)';

describe('practitioner records', () => {
  it.each([
    ['the physician of examples.ndjson', physician],
    [
      'a nurse coded N + 13 digits',
      withFields(physician, { practitioner_code: 'N5101070000123', role: 'nurse' }),
    ],
    [
      'a pharmacist coded HY + 12 digits',
      withFields(physician, { practitioner_code: 'HY510107000012', role: 'pharmacist' }),
    ],
    [
      'a technician coded HJ + 12 digits',
      withFields(physician, { practitioner_code: 'HJ510107000012', role: 'technician' }),
    ],
  ])('%s is accepted', (_name, record) => {
    expectAccepted(record);
  });

  const cases: RejectionCase[] = [
    ...envelopeRejections(physician),
    [
      'a practitioner_code with prefix X is rejected',
      withFields(physician, { practitioner_code: 'X5101070000123' }),
      `practitioner.practitioner_code: "X5101070000123" is invalid: ${CODE}`,
    ],
    [
      'a practitioner_code of 13 chars is rejected',
      withFields(physician, { practitioner_code: 'D510107000012' }),
      `practitioner.practitioner_code: "D510107000012" is invalid: ${CODE}`,
    ],
    [
      'a practitioner_code of 15 chars is rejected',
      withFields(physician, { practitioner_code: 'D51010700001234' }),
      `practitioner.practitioner_code: "D51010700001234" is invalid: ${CODE}`,
    ],
    [
      'an HJ practitioner_code of 13 chars is rejected',
      withFields(physician, { practitioner_code: 'HJ51010700001' }),
      `practitioner.practitioner_code: "HJ51010700001" is invalid: ${CODE}`,
    ],
    [
      'a practitioner_code with a lower-case prefix is rejected',
      withFields(physician, { practitioner_code: 'd5101070000123' }),
      `practitioner.practitioner_code: "d5101070000123" is invalid: ${CODE}`,
    ],
    [
      'a practitioner_code with a letter in its division is rejected',
      withFields(physician, { practitioner_code: 'HY51010A000012' }),
      `practitioner.practitioner_code: "HY51010A000012" is invalid: ${CODE}`,
    ],
    [
      'a numeric practitioner_code is not coerced',
      withFields(physician, { practitioner_code: 5101070000123 }),
      'practitioner.practitioner_code: 5101070000123 is invalid: expected string, got number',
    ],
    [
      'a missing practitioner_code is rejected',
      withFields(physician, { practitioner_code: undefined }),
      'practitioner.practitioner_code: is missing: expected string',
    ],
    [
      'a role outside the enum is rejected',
      withFields(physician, { role: 'doctor' }),
      'practitioner.role: "doctor" is invalid: expected one of "physician", "nurse", "pharmacist", "technician"',
    ],
    [
      'a missing role is rejected',
      withFields(physician, { role: undefined }),
      'practitioner.role: is missing: expected one of "physician", "nurse", "pharmacist", "technician"',
    ],
    [
      'a primary fixmedins_code of 13 chars is rejected',
      withFields(physician, { fixmedins_code: 'H510107000031' }),
      'practitioner.fixmedins_code: "H510107000031" is invalid: ' +
        'expected a fixmedins_code: H or P + 6-digit division + 5-digit serial (12 chars)',
    ],
    [
      'a qualified_since on 31 September is rejected',
      withFields(physician, { qualified_since: '2014-09-31' }),
      'practitioner.qualified_since: "2014-09-31" is invalid: expected a calendar date YYYY-MM-DD',
    ],
    [
      'a qualified_since with slashes is rejected',
      withFields(physician, { qualified_since: '2014/09/01' }),
      'practitioner.qualified_since: "2014/09/01" is invalid: expected a calendar date YYYY-MM-DD',
    ],
    [
      'a missing qualified_since is rejected',
      withFields(physician, { qualified_since: undefined }),
      'practitioner.qualified_since: is missing: expected string',
    ],
  ];

  it.each(cases)('%s', (_name, record, message) => {
    expectRejected(record, message);
  });
});
