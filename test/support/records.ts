/** Builders of valid input records for early-warning tests: only what a test is about is given. */
let seq = 0;
const id = (p: string) => `${p}-${String(++seq).padStart(7, '0')}`;

export const at = (date: string, time = '10:00:00') => `${date}T${time}+08:00`;

export function settlement(fields: {
  inst: string;
  psn: string;
  time: string;
  fund?: number;
  total?: number;
  med_type?: string;
  practitioner?: string;
  begin?: string;
  end?: string;
  icd?: string;
  items?: Record<string, unknown>[];
  setl_id?: string;
}): Record<string, unknown> {
  const fund = fields.fund ?? 100;
  const setl = fields.setl_id ?? id('S');
  return {
    type: 'settlement',
    event_id: id('set'),
    occurred_at: fields.time,
    setl_id: setl,
    mdtrt_id: id('M'),
    psn_no: fields.psn,
    fixmedins_code: fields.inst,
    ...(fields.practitioner && { practitioner_code: fields.practitioner }),
    med_type: fields.med_type ?? (fields.inst.startsWith('P') ? '41' : '11'),
    begntime: fields.begin ?? fields.time,
    ...(fields.end && { endtime: fields.end }),
    setl_time: fields.time,
    medfee_sumamt: fields.total ?? Math.round(fund * 150) / 100,
    fund_pay_sumamt: fund,
    ...(fields.icd && { dise_codg: fields.icd }),
    ...(fields.items && { items: fields.items }),
  };
}

export function reversal(setlId: string, inst: string, psn: string, time: string): Record<string, unknown> {
  return {
    type: 'settlement_reversal',
    event_id: id('rev'),
    occurred_at: time,
    setl_id: setlId,
    fixmedins_code: inst,
    psn_no: psn,
  };
}

export function claimAudit(
  inst: string,
  time: string,
  reduced: number,
  violation = true,
): Record<string, unknown> {
  return {
    type: 'claim_audit',
    event_id: id('aud'),
    occurred_at: time,
    fixmedins_code: inst,
    rule_code: 'R-001',
    reduced_amount: reduced,
    violation,
  };
}

export function registry(code: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'institution',
    event_id: id('reg'),
    occurred_at: '2025-01-01T08:00:00+08:00',
    fixmedins_code: code,
    name: `机构${code}`,
    kind: code.startsWith('P') ? 'pharmacy' : 'hospital',
    inpatient: !code.startsWith('P'),
    level: code.startsWith('P') ? undefined : 2,
    admdvs: code.slice(1, 7),
    agreement_start: '2015-01-01',
    ...fields,
  };
}

export function drug(code: string, days: number): Record<string, unknown> {
  return {
    hilist_code: code,
    list_type: '101',
    cnt: 1,
    pric: 10,
    det_item_fee_sumamt: 10,
    days_supply: days,
  };
}
