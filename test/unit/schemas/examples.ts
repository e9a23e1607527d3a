/**
 * The valid records of /work/shared/design/examples.ndjson (EVENTS.md), copied line for line so the
 * unit tests need nothing outside the repository; examples.test.ts checks the copy against the
 * original when it is there.
 */
export const SHARED_EXAMPLES_PATH = '/work/shared/design/examples.ndjson';

export const EXAMPLE_LINES: readonly string[] = [
  '{"type":"institution","event_id":"reg-0001","occurred_at":"2026-01-02T08:00:00+08:00","fixmedins_code":"H51010700003","name":"成都市某区人民医院","uscc":"12510100MB0W000001","kind":"hospital","inpatient":true,"level":2,"admdvs":"510107","agreement_start":"2016-03-01"}',
  '{"type":"institution","event_id":"reg-0002","occurred_at":"2026-01-02T08:00:00+08:00","fixmedins_code":"P51010700211","name":"某大药房连锁有限公司武侯店","kind":"pharmacy","inpatient":false,"admdvs":"510107","chain_id":"CHAIN-DYF","agreement_start":"2019-07-15"}',
  '{"type":"institution","event_id":"reg-0003","occurred_at":"2026-01-02T08:00:00+08:00","fixmedins_code":"H50023700105","name":"巫山县某村卫生室","kind":"village_clinic","inpatient":false,"admdvs":"500237","parent_code":"H50023700101","agreement_start":"2020-01-01"}',
  '{"type":"practitioner","event_id":"reg-0004","occurred_at":"2026-01-02T08:00:00+08:00","practitioner_code":"D5101070000123","role":"physician","fixmedins_code":"H51010700003","qualified_since":"2014-09-01"}',
  '{"type":"settlement","event_id":"set-0001","occurred_at":"2026-11-20T10:42:13+08:00","setl_id":"510000S20261120000001","mdtrt_id":"510000M20261120000001","psn_no":"51000019800101000001","fixmedins_code":"H51010700003","practitioner_code":"D5101070000123","med_type":"11","insutype":"310","begntime":"2026-11-20T10:05:00+08:00","setl_time":"2026-11-20T10:42:13+08:00","medfee_sumamt":286.4,"fund_pay_sumamt":171.84,"psn_cash_pay":114.56,"dise_codg":"J06.9"}',
  '{"type":"settlement","event_id":"set-0002","occurred_at":"2026-11-20T15:10:00+08:00","setl_id":"510000S20261120000002","mdtrt_id":"510000M20261113000417","psn_no":"51000019551212000002","fixmedins_code":"H51010700003","practitioner_code":"D5101070000123","med_type":"21","insutype":"390","begntime":"2026-11-13T09:20:00+08:00","endtime":"2026-11-20T14:30:00+08:00","setl_time":"2026-11-20T15:10:00+08:00","medfee_sumamt":12840.5,"fund_pay_sumamt":8988.35,"psn_cash_pay":3852.15,"dise_codg":"I63.9","items":[{"hilist_code":"XB01AC06A001","list_type":"101","cnt":14,"pric":12.5,"det_item_fee_sumamt":175,"days_supply":7},{"hilist_code":"001101000010000","list_type":"201","cnt":7,"pric":60,"det_item_fee_sumamt":420}]}',
  '{"type":"settlement","event_id":"set-0003","occurred_at":"2026-11-20T19:02:40+08:00","setl_id":"510000S20261120000003","mdtrt_id":"510000M20261120000003","psn_no":"51000019900505000003","fixmedins_code":"P51010700211","med_type":"41","insutype":"310","begntime":"2026-11-20T19:01:00+08:00","setl_time":"2026-11-20T19:02:40+08:00","medfee_sumamt":96,"fund_pay_sumamt":57.6,"acct_pay":38.4,"items":[{"hilist_code":"XC10AAA001","list_type":"101","cnt":2,"pric":48,"det_item_fee_sumamt":96,"days_supply":28}]}',
  '{"type":"settlement_reversal","event_id":"rev-0001","occurred_at":"2026-11-20T19:20:00+08:00","setl_id":"510000S20261120000003","fixmedins_code":"P51010700211","psn_no":"51000019900505000003"}',
  '{"type":"claim_audit","event_id":"aud-0001","occurred_at":"2026-11-21T16:00:00+08:00","fixmedins_code":"H51010700003","practitioner_code":"D5101070000123","setl_id":"510000S20261120000002","rule_code":"LIMIT-DAYS-001","reduced_amount":420,"violation":true}',
  '{"type":"supervision","event_id":"sup-0001","occurred_at":"2026-11-21T09:30:00+08:00","subject_kind":"institution","subject_code":"P51010700211","action":"penalty","decided_at":"2026-11-18","behavior":"card_cashing","amount":8600,"document_no":"川医保罚〔2026〕12号"}',
  '{"type":"supervision","event_id":"sup-0002","occurred_at":"2026-11-21T09:30:00+08:00","subject_kind":"institution","subject_code":"H50023700101","action":"recovery","decided_at":"2026-11-19","amount":23500,"document_no":"巫医保追〔2026〕7号"}',
  '{"type":"supervision","event_id":"sup-0003","occurred_at":"2026-03-25T09:00:00+08:00","subject_kind":"institution","subject_code":"H51010700003","action":"grade_published","decided_at":"2026-03-25","grade":"B","period":2025}',
  '{"type":"supervision","event_id":"sup-0004","occurred_at":"2026-12-20T09:00:00+08:00","subject_kind":"institution","subject_code":"H50023700101","action":"assessment","decided_at":"2026-12-20","score":87.5,"period":2026}',
];

export type Example = Readonly<Record<string, unknown>>;

export const EXAMPLES: readonly Example[] = EXAMPLE_LINES.map((l) => JSON.parse(l) as Example);

/** A fresh copy of the example with this event_id; a missing id is a bug in the test. */
export function example(id: string): Record<string, unknown> {
  const found = EXAMPLES.find((e) => e.event_id === id);
  if (found === undefined) throw new Error(`no example ${id}`);
  return structuredClone(found) as Record<string, unknown>;
}

/** A copy of `record` with the fields of `patch` set; a field set to undefined is removed. */
export function withFields(record: Example, patch: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(record) as Record<string, unknown>;
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) delete copy[field];
    else copy[field] = value;
  }
  return copy;
}
