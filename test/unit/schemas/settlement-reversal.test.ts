import { describe, it } from 'vitest';
import { example, withFields } from './examples.ts';
import { envelopeRejections, expectAccepted, expectRejected, type RejectionCase } from './support.ts';

const reversal = example('rev-0001');

describe('settlement_reversal records', () => {
  it.each([
    ['the reversal of examples.ndjson', reversal],
    ['a reversal with a psn_no of exactly 30 chars', withFields(reversal, { psn_no: '1'.repeat(30) })],
  ])('%s is accepted', (_name, record) => {
    expectAccepted(record);
  });

  const cases: RejectionCase[] = [
    ...envelopeRejections(reversal),
    [
      'a setl_id of 31 chars is rejected',
      withFields(reversal, { setl_id: 'S'.repeat(31) }),
      `settlement_reversal.setl_id: "${'S'.repeat(31)}" is invalid: expected at most 30 chars`,
    ],
    [
      'a missing setl_id is rejected',
      withFields(reversal, { setl_id: undefined }),
      'settlement_reversal.setl_id: is missing: expected string',
    ],
    [
      'a fixmedins_code with a 5-digit division is rejected',
      withFields(reversal, { fixmedins_code: 'P5101070211' }),
      'settlement_reversal.fixmedins_code: "P5101070211" is invalid: ' +
        'expected a fixmedins_code: H or P + 6-digit division + 5-digit serial (12 chars)',
    ],
    [
      'a missing psn_no is rejected',
      withFields(reversal, { psn_no: undefined }),
      'settlement_reversal.psn_no: is missing: expected string',
    ],
    [
      'an empty psn_no is rejected without showing it',
      withFields(reversal, { psn_no: '' }),
      'settlement_reversal.psn_no: <personal data> is invalid: expected a psn_no of 1–30 chars',
    ],
    [
      'a psn_no of 31 chars is rejected without showing it',
      withFields(reversal, { psn_no: '5'.repeat(31) }),
      'settlement_reversal.psn_no: <personal data> is invalid: expected a psn_no of 1–30 chars',
    ],
    [
      'a numeric psn_no is not coerced and not shown',
      withFields(reversal, { psn_no: 5100001990050 }),
      'settlement_reversal.psn_no: <personal data> is invalid: expected string, got number',
    ],
    [
      'an amount, which a reversal does not carry, is an unknown key',
      withFields(reversal, { medfee_sumamt: 96 }),
      'settlement_reversal.medfee_sumamt: unknown field: expected only the fields EVENTS.md lists for settlement_reversal',
    ],
  ];

  it.each(cases)('%s', (_name, record, message) => {
    expectRejected(record, message);
  });
});
