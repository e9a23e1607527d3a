import { describe, it } from 'vitest';
import { example, withFields } from './examples.ts';
import { envelopeRejections, expectAccepted, expectRejected, type RejectionCase } from './support.ts';

const audit = example('aud-0001');

describe('claim_audit records', () => {
  it.each([
    ['the audit of examples.ndjson', audit],
    [
      'an audit without the optional practitioner_code and setl_id',
      withFields(audit, { practitioner_code: undefined, setl_id: undefined }),
    ],
    ['a non-violation reduction of 0.01', withFields(audit, { reduced_amount: 0.01, violation: false })],
    ['a reduction of 0', withFields(audit, { reduced_amount: 0 })],
  ])('%s is accepted', (_name, record) => {
    expectAccepted(record);
  });

  const cases: RejectionCase[] = [
    ...envelopeRejections(audit),
    [
      'a missing fixmedins_code is rejected',
      withFields(audit, { fixmedins_code: undefined }),
      'claim_audit.fixmedins_code: is missing: expected string',
    ],
    [
      'a practitioner_code of 13 chars is rejected',
      withFields(audit, { practitioner_code: 'D510107000012' }),
      'claim_audit.practitioner_code: "D510107000012" is invalid: ' +
        'expected a practitioner_code: D, N, HY or HJ + 6-digit division + serial (14 chars)',
    ],
    [
      'a setl_id of 31 chars is rejected',
      withFields(audit, { setl_id: '9'.repeat(31) }),
      `claim_audit.setl_id: "${'9'.repeat(31)}" is invalid: expected at most 30 chars`,
    ],
    [
      'a missing rule_code is rejected',
      withFields(audit, { rule_code: undefined }),
      'claim_audit.rule_code: is missing: expected string',
    ],
    [
      'an empty rule_code is rejected',
      withFields(audit, { rule_code: '' }),
      'claim_audit.rule_code: "" is invalid: Too small: expected string to have >=1 characters',
    ],
    [
      'a negative reduced_amount is rejected',
      withFields(audit, { reduced_amount: -420 }),
      'claim_audit.reduced_amount: -420 is invalid: expected money in yuan ≥ 0',
    ],
    [
      'a reduced_amount with 3 decimals is rejected',
      withFields(audit, { reduced_amount: 420.125 }),
      'claim_audit.reduced_amount: 420.125 is invalid: expected money with at most 2 decimals',
    ],
    [
      'a reduced_amount of 0.000000001 yuan is rejected',
      withFields(audit, { reduced_amount: 1e-9 }),
      'claim_audit.reduced_amount: 1e-9 is invalid: expected money with at most 2 decimals',
    ],
    [
      'a reduced_amount of "420" is not coerced',
      withFields(audit, { reduced_amount: '420' }),
      'claim_audit.reduced_amount: "420" is invalid: expected number, got string',
    ],
    [
      'a missing reduced_amount is rejected',
      withFields(audit, { reduced_amount: undefined }),
      'claim_audit.reduced_amount: is missing: expected number',
    ],
    [
      'violation 1 is not coerced to a boolean',
      withFields(audit, { violation: 1 }),
      'claim_audit.violation: 1 is invalid: expected boolean, got number',
    ],
    [
      'violation "true" is not coerced to a boolean',
      withFields(audit, { violation: 'true' }),
      'claim_audit.violation: "true" is invalid: expected boolean, got string',
    ],
    [
      'a missing violation is rejected',
      withFields(audit, { violation: undefined }),
      'claim_audit.violation: is missing: expected boolean',
    ],
  ];

  it.each(cases)('%s', (_name, record, message) => {
    expectRejected(record, message);
  });
});
