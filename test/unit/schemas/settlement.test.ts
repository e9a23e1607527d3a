import { describe, it } from 'vitest';
import { example, withFields } from './examples.ts';
import { envelopeRejections, expectAccepted, expectRejected, type RejectionCase } from './support.ts';

const outpatient = example('set-0001');
const inpatient = example('set-0002');
const pharmacy = example('set-0003');

const TIMESTAMP = 'expected an RFC 3339 timestamp with offset, e.g. 2026-11-20T10:42:13+08:00';
const MONEY_SIGN = 'expected money in yuan ≥ 0';
const MONEY_CENTS = 'expected money with at most 2 decimals';

type Item = Record<string, unknown>;
const firstItem = (inpatient.items as Item[])[0]!;

/** The inpatient example with its first fee line changed. */
function withItem(patch: Item): Record<string, unknown> {
  const item = { ...firstItem };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete item[k];
    else item[k] = v;
  }
  return withFields(inpatient, { items: [item, ...(inpatient.items as Item[]).slice(1)] });
}

describe('settlement records', () => {
  it.each([
    ['the outpatient settlement of examples.ndjson', outpatient],
    ['the inpatient settlement of examples.ndjson', inpatient],
    ['the pharmacy settlement of examples.ndjson', pharmacy],
    ['a fund payment equal to the total', withFields(outpatient, { fund_pay_sumamt: 286.4 })],
    [
      'a settlement of 0 yuan',
      withFields(outpatient, { medfee_sumamt: 0, fund_pay_sumamt: 0, psn_cash_pay: 0 }),
    ],
    [
      'an inpatient stay discharged at the minute of admission',
      withFields(inpatient, { endtime: '2026-11-13T09:20:00+08:00' }),
    ],
    [
      'an endtime in another offset that is the later instant',
      withFields(inpatient, { endtime: '2026-11-13T09:00:00+07:00' }),
    ],
    [
      'timestamps in UTC with fractional seconds',
      withFields(outpatient, { begntime: '2026-11-20T02:05:00.123Z' }),
    ],
    ['a six-digit med_type', withFields(outpatient, { med_type: '140101' })],
    [
      'an outpatient settlement with an endtime',
      withFields(outpatient, { endtime: '2026-11-20T10:30:00+08:00' }),
    ],
    ['a settlement without items', withFields(inpatient, { items: undefined })],
    ['a settlement with an empty items list', withFields(inpatient, { items: [] })],
    ['a fee line without days_supply', withItem({ days_supply: undefined })],
    ['a fee line with a fractional count', withItem({ cnt: 0.5, det_item_fee_sumamt: 6.25 })],
    [
      'money computed in floating point (286.4 × 0.6)',
      withFields(outpatient, { fund_pay_sumamt: 286.4 * 0.6 }),
    ],
  ])('%s is accepted', (_name, record) => {
    expectAccepted(record);
  });

  const cases: RejectionCase[] = [
    ...envelopeRejections(outpatient),
    [
      'a setl_id of 31 chars is rejected',
      withFields(outpatient, { setl_id: '5'.repeat(31) }),
      `settlement.setl_id: "${'5'.repeat(31)}" is invalid: expected at most 30 chars`,
    ],
    [
      'an empty setl_id is rejected',
      withFields(outpatient, { setl_id: '' }),
      'settlement.setl_id: "" is invalid: Too small: expected string to have >=1 characters',
    ],
    [
      'a numeric setl_id is not coerced',
      withFields(outpatient, { setl_id: 510000 }),
      'settlement.setl_id: 510000 is invalid: expected string, got number',
    ],
    [
      'a missing mdtrt_id is rejected',
      withFields(outpatient, { mdtrt_id: undefined }),
      'settlement.mdtrt_id: is missing: expected string',
    ],
    [
      'a missing psn_no is rejected',
      withFields(outpatient, { psn_no: undefined }),
      'settlement.psn_no: is missing: expected string',
    ],
    [
      'a psn_no of 31 chars is rejected without showing it',
      withFields(outpatient, { psn_no: '5100001980010100000100000000001' }),
      'settlement.psn_no: <personal data> is invalid: expected a psn_no of 1–30 chars',
    ],
    [
      'a fixmedins_code with prefix D is rejected',
      withFields(outpatient, { fixmedins_code: 'D51010700003' }),
      'settlement.fixmedins_code: "D51010700003" is invalid: ' +
        'expected a fixmedins_code: H or P + 6-digit division + 5-digit serial (12 chars)',
    ],
    [
      'a practitioner_code with prefix HX is rejected',
      withFields(outpatient, { practitioner_code: 'HX510107000012' }),
      'settlement.practitioner_code: "HX510107000012" is invalid: ' +
        'expected a practitioner_code: D, N, HY or HJ + 6-digit division + serial (14 chars)',
    ],
    [
      'a one-digit med_type is rejected',
      withFields(outpatient, { med_type: '1' }),
      'settlement.med_type: "1" is invalid: expected a med_type of 2–6 digits',
    ],
    [
      'a seven-digit med_type is rejected',
      withFields(outpatient, { med_type: '1101011' }),
      'settlement.med_type: "1101011" is invalid: expected a med_type of 2–6 digits',
    ],
    [
      'a numeric med_type is not coerced',
      withFields(outpatient, { med_type: 11 }),
      'settlement.med_type: 11 is invalid: expected string, got number',
    ],
    [
      'a numeric insutype is not coerced',
      withFields(outpatient, { insutype: 310 }),
      'settlement.insutype: 310 is invalid: expected string, got number',
    ],
    [
      'a begntime without offset is rejected',
      withFields(outpatient, { begntime: '2026-11-20T10:05:00' }),
      `settlement.begntime: "2026-11-20T10:05:00" is invalid: ${TIMESTAMP}`,
    ],
    [
      'a begntime on 31 November is rejected',
      withFields(outpatient, { begntime: '2026-11-31T10:05:00+08:00' }),
      `settlement.begntime: "2026-11-31T10:05:00+08:00" is invalid: ${TIMESTAMP}`,
    ],
    [
      'a begntime with a space for T is rejected',
      withFields(outpatient, { begntime: '2026-11-20 10:05:00+08:00' }),
      `settlement.begntime: "2026-11-20 10:05:00+08:00" is invalid: ${TIMESTAMP}`,
    ],
    [
      'a begntime at minute 60 is rejected',
      withFields(outpatient, { begntime: '2026-11-20T10:60:00+08:00' }),
      `settlement.begntime: "2026-11-20T10:60:00+08:00" is invalid: ${TIMESTAMP}`,
    ],
    [
      'a missing setl_time is rejected',
      withFields(outpatient, { setl_time: undefined }),
      'settlement.setl_time: is missing: expected string',
    ],
    [
      'an endtime without offset is rejected',
      withFields(inpatient, { endtime: '2026-11-20T14:30:00' }),
      `settlement.endtime: "2026-11-20T14:30:00" is invalid: ${TIMESTAMP}`,
    ],
    [
      'an inpatient settlement (med_type 21) without endtime is rejected',
      withFields(inpatient, { endtime: undefined }),
      'settlement.endtime: is missing: expected a discharge time for inpatient med_type 21',
    ],
    [
      'an inpatient settlement of med_type 2101 without endtime is rejected',
      withFields(inpatient, { med_type: '2101', endtime: undefined }),
      'settlement.endtime: is missing: expected a discharge time for inpatient med_type 2101',
    ],
    [
      'a discharge before admission is rejected naming begntime',
      withFields(inpatient, { endtime: '2026-11-12T09:20:00+08:00' }),
      'settlement.endtime: "2026-11-12T09:20:00+08:00" is before begntime 2026-11-13T09:20:00+08:00',
    ],
    [
      'an endtime whose clock reads later but whose instant is earlier is rejected',
      withFields(inpatient, { endtime: '2026-11-13T09:30:00+09:00' }),
      'settlement.endtime: "2026-11-13T09:30:00+09:00" is before begntime 2026-11-13T09:20:00+08:00',
    ],
    [
      'a settlement whose fund payment exceeds its total is rejected naming both amounts',
      withFields(outpatient, { fund_pay_sumamt: 286.41 }),
      'settlement.fund_pay_sumamt: 286.41 is larger than medfee_sumamt 286.4',
    ],
    [
      'a negative medfee_sumamt is rejected (and the fund payment then exceeds it)',
      withFields(outpatient, { medfee_sumamt: -1 }),
      `settlement.medfee_sumamt: -1 is invalid: ${MONEY_SIGN} (and 1 more)`,
    ],
    [
      'a medfee_sumamt with 3 decimals is rejected',
      withFields(outpatient, { medfee_sumamt: 286.405 }),
      `settlement.medfee_sumamt: 286.405 is invalid: ${MONEY_CENTS}`,
    ],
    [
      'a medfee_sumamt of "286.4" is not coerced',
      withFields(outpatient, { medfee_sumamt: '286.4' }),
      'settlement.medfee_sumamt: "286.4" is invalid: expected number, got string',
    ],
    [
      'a missing medfee_sumamt is rejected',
      withFields(outpatient, { medfee_sumamt: undefined }),
      'settlement.medfee_sumamt: is missing: expected number',
    ],
    [
      'a negative fund_pay_sumamt is rejected',
      withFields(outpatient, { fund_pay_sumamt: -0.01 }),
      `settlement.fund_pay_sumamt: -0.01 is invalid: ${MONEY_SIGN}`,
    ],
    [
      'a fund_pay_sumamt with 3 decimals is rejected',
      withFields(outpatient, { fund_pay_sumamt: 171.845 }),
      `settlement.fund_pay_sumamt: 171.845 is invalid: ${MONEY_CENTS}`,
    ],
    [
      'a fund_pay_sumamt one ten-millionth of a yuan off is rejected',
      withFields(outpatient, { fund_pay_sumamt: 171.8400001 }),
      `settlement.fund_pay_sumamt: 171.8400001 is invalid: ${MONEY_CENTS}`,
    ],
    [
      'a negative psn_cash_pay is rejected',
      withFields(outpatient, { psn_cash_pay: -114.56 }),
      `settlement.psn_cash_pay: -114.56 is invalid: ${MONEY_SIGN}`,
    ],
    [
      'an acct_pay with 3 decimals is rejected',
      withFields(pharmacy, { acct_pay: 38.401 }),
      `settlement.acct_pay: 38.401 is invalid: ${MONEY_CENTS}`,
    ],
    [
      'an acct_pay of true is not coerced',
      withFields(pharmacy, { acct_pay: true }),
      'settlement.acct_pay: true is invalid: expected number, got boolean',
    ],
    [
      'an empty dise_codg is rejected',
      withFields(outpatient, { dise_codg: '' }),
      'settlement.dise_codg: "" is invalid: Too small: expected string to have >=1 characters',
    ],
    [
      'items that are not an array are rejected',
      withFields(inpatient, { items: 'none' }),
      'settlement.items: "none" is invalid: expected array, got string',
    ],
    [
      'a fee line with cnt 0 is rejected',
      withItem({ cnt: 0 }),
      'settlement.items.0.cnt: 0 is invalid: expected cnt > 0',
    ],
    [
      'a fee line with a negative cnt is rejected',
      withItem({ cnt: -14 }),
      'settlement.items.0.cnt: -14 is invalid: expected cnt > 0',
    ],
    [
      'a fee line with cnt "14" is not coerced',
      withItem({ cnt: '14' }),
      'settlement.items.0.cnt: "14" is invalid: expected number, got string',
    ],
    [
      'a fee line with days_supply 1.5 is rejected',
      withItem({ days_supply: 1.5 }),
      'settlement.items.0.days_supply: 1.5 is invalid: expected an integer',
    ],
    [
      'a fee line with days_supply 0 is rejected',
      withItem({ days_supply: 0 }),
      'settlement.items.0.days_supply: 0 is invalid: Too small: expected number to be >0',
    ],
    [
      'a fee line with a negative price is rejected',
      withItem({ pric: -12.5 }),
      `settlement.items.0.pric: -12.5 is invalid: ${MONEY_SIGN}`,
    ],
    [
      'a fee line amount with 3 decimals is rejected',
      withItem({ det_item_fee_sumamt: 175.001 }),
      `settlement.items.0.det_item_fee_sumamt: 175.001 is invalid: ${MONEY_CENTS}`,
    ],
    [
      'a fee line with a two-digit list_type is rejected',
      withItem({ list_type: '10' }),
      'settlement.items.0.list_type: "10" is invalid: expected a 3-digit list_type such as 101, 201, 301',
    ],
    [
      'a fee line with a numeric list_type is not coerced',
      withItem({ list_type: 101 }),
      'settlement.items.0.list_type: 101 is invalid: expected string, got number',
    ],
    [
      'a fee line without hilist_code is rejected',
      withItem({ hilist_code: undefined }),
      'settlement.items.0.hilist_code: is missing: expected string',
    ],
    [
      'a fee line with an unknown key is rejected naming it',
      withItem({ unit: 'box' }),
      'settlement.items.0.unit: unknown field: expected only the fields EVENTS.md lists for settlement',
    ],
    [
      'a fee line that is not an object is rejected',
      withFields(inpatient, { items: [175] }),
      'settlement.items.0: 175 is invalid: expected object, got number',
    ],
  ];

  it.each(cases)('%s', (_name, record, message) => {
    expectRejected(record, message);
  });
});
