/**
 * The common records checked by hand, for the hot path (issue 14: zod was about a tenth of the
 * engine's time): settlements, reversals, claim audits, practitioner and institution registry
 * records. Each check accepts only records its zod schema accepts, and returns the same object
 * zod would (keys in the schema's order); anything it does not accept goes to zod, which accepts
 * or rejects it with the message of record. So messages are zod's, unchanged, and a test checks
 * on the simulator's feed and on mutated records that both answer alike. Supervision decisions
 * (rare, with the most cross-field rules) always go to zod.
 *
 * A record whose keys already come in the schema's order (every sender writing the interface's
 * field order, the simulator among them) is returned itself rather than copied: zod's object
 * would hold the same keys in the same order with the same values. The caller owns the record
 * (it comes from JSON.parse), so nothing else sees it.
 */
import {
  claimAuditSchema,
  INSTITUTION_KINDS,
  institutionSchema,
  itemSchema,
  type MonitorEvent,
  practitionerSchema,
  type SettlementEvent,
  settlementReversalSchema,
  settlementSchema,
} from './events.ts';
import {
  FIXMEDINS_CODE,
  hasAtMostTwoDecimals,
  isDate,
  isValidUscc,
  PRACTITIONER_CODE,
  parseTimestamp,
} from './primitives.ts';

type Rec = Record<string, unknown>;

/** A strict schema's keys in its order (zod's output order), and the set of them. */
type Order = { readonly keys: readonly string[]; readonly known: ReadonlySet<string> };
const orderOf = (shape: object): Order => {
  const keys = Object.keys(shape);
  return { keys, known: new Set(keys) };
};
const SETTLEMENT = orderOf(settlementSchema.shape);
const ITEM = orderOf(itemSchema.shape);
const REVERSAL = orderOf(settlementReversalSchema.shape);
const CLAIM_AUDIT = orderOf(claimAuditSchema.shape);
const PRACTITIONER = orderOf(practitionerSchema.shape);
const INSTITUTION = orderOf(institutionSchema.shape);

const MED_TYPE = /^\d{2,6}$/;
const LIST_TYPE = /^\d{3}$/;
const ADMDVS = /^\d{6}$/;
const ROLES: ReadonlySet<unknown> = new Set(practitionerSchema.shape.role.options);
const KINDS: ReadonlySet<unknown> = new Set(INSTITUTION_KINDS);
const END_REASONS: ReadonlySet<unknown> = new Set(
  institutionSchema.shape.agreement_end_reason.unwrap().options,
);
const LEVELS: ReadonlySet<unknown> = new Set([1, 2, 3]);

const str = (v: unknown, min: number, max: number): v is string =>
  typeof v === 'string' && v.length >= min && v.length <= max;
const money = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && hasAtMostTwoDecimals(v);
/** The timestamp's epoch milliseconds, NaN when `v` is not one. */
const time = (v: unknown): number => (typeof v === 'string' ? parseTimestamp(v) : Number.NaN);
const ts = (v: unknown): boolean => !Number.isNaN(time(v));
const date = (v: unknown): v is string => typeof v === 'string' && isDate(v);
const fixmedins = (v: unknown): v is string => typeof v === 'string' && FIXMEDINS_CODE.test(v);
const practitioner = (v: unknown): v is string =>
  typeof v === 'string' && v.length === 14 && PRACTITIONER_CODE.test(v);
/** The fields every record has (events.ts `base`). */
const based = (r: Rec): boolean => str(r.event_id, 1, 64) && ts(r.occurred_at);

/** A key outside the schema (zod's to reject), the schema's keys in another order, or in its order. */
const UNKNOWN = 0;
const REORDER = 1;
const IN_ORDER = 2;

function keyOrder(r: Rec, order: Order): number {
  // Walked against the schema's list: for-in keys and the schema's are both interned strings.
  const keys = order.keys;
  let p = 0;
  for (const k in r) {
    while (p < keys.length && keys[p] !== k) p++;
    if (p === keys.length) {
      for (const key in r) if (!order.known.has(key)) return UNKNOWN;
      return REORDER;
    }
    p++;
  }
  return IN_ORDER;
}

/** The record's defined fields in the schema's order, as zod returns them. */
function reordered(r: Rec, keys: readonly string[]): Rec {
  const out: Rec = {};
  for (const k of keys) if (r[k] !== undefined) out[k] = r[k];
  return out;
}

/** `r` itself when its keys are in the schema's order, else its copy in that order. */
const inOrder = (r: Rec, order: Order, keyed: number): Rec =>
  keyed === IN_ORDER ? r : reordered(r, order.keys);

/** UNKNOWN when the fee line fails a check, else its key order. */
function item(v: unknown): number {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return UNKNOWN;
  const i = v as Rec;
  const keyed = keyOrder(i, ITEM);
  if (keyed === UNKNOWN) return UNKNOWN;
  if (!str(i.hilist_code, 1, 50) || typeof i.list_type !== 'string' || !LIST_TYPE.test(i.list_type))
    return UNKNOWN;
  if (typeof i.cnt !== 'number' || !Number.isFinite(i.cnt) || !(i.cnt > 0)) return UNKNOWN;
  if (!money(i.pric) || !money(i.det_item_fee_sumamt)) return UNKNOWN;
  const ds = i.days_supply;
  if (ds !== undefined && !(typeof ds === 'number' && Number.isSafeInteger(ds) && ds > 0)) return UNKNOWN;
  return keyed;
}

/** The parsed settlement when every check passes; undefined sends the record to zod. */
export function fastSettlement(r: Rec): SettlementEvent | undefined {
  if (r.type !== 'settlement') return undefined;
  const keyed = keyOrder(r, SETTLEMENT);
  if (keyed === UNKNOWN || !based(r)) return undefined;
  if (!str(r.setl_id, 1, 30) || !str(r.mdtrt_id, 1, 30) || !str(r.psn_no, 1, 30)) return undefined;
  if (!fixmedins(r.fixmedins_code)) return undefined;
  if (r.practitioner_code !== undefined && !practitioner(r.practitioner_code)) return undefined;
  if (typeof r.med_type !== 'string' || !MED_TYPE.test(r.med_type)) return undefined;
  if (r.insutype !== undefined && !str(r.insutype, 1, 10)) return undefined;
  const begin = time(r.begntime);
  if (Number.isNaN(begin) || !ts(r.setl_time)) return undefined;
  const end = r.endtime === undefined ? undefined : time(r.endtime);
  if (Number.isNaN(end)) return undefined;
  if (!money(r.medfee_sumamt) || !money(r.fund_pay_sumamt)) return undefined;
  if (r.psn_cash_pay !== undefined && !money(r.psn_cash_pay)) return undefined;
  if (r.acct_pay !== undefined && !money(r.acct_pay)) return undefined;
  if (r.dise_codg !== undefined && !str(r.dise_codg, 1, 20)) return undefined;
  let itemsInOrder = true;
  if (r.items !== undefined) {
    if (!Array.isArray(r.items) || r.items.length > 500) return undefined;
    for (const v of r.items) {
      const k = item(v);
      if (k === UNKNOWN) return undefined;
      if (k === REORDER) itemsInOrder = false;
    }
  }
  // The schema's cross-field checks (events.ts superRefine); parseTimestamp reads as Date.parse.
  if (r.fund_pay_sumamt > r.medfee_sumamt) return undefined;
  if (r.med_type.startsWith('2') && end === undefined) return undefined;
  if (end !== undefined && end < begin) return undefined;
  if (itemsInOrder) return inOrder(r, SETTLEMENT, keyed) as SettlementEvent;
  const out = reordered(r, SETTLEMENT.keys);
  out.items = (r.items as Rec[]).map((i) => reordered(i, ITEM.keys));
  return out as SettlementEvent;
}

function fastReversal(r: Rec): Rec | undefined {
  const keyed = keyOrder(r, REVERSAL);
  if (keyed === UNKNOWN || !based(r)) return undefined;
  if (!str(r.setl_id, 1, 30) || !fixmedins(r.fixmedins_code) || !str(r.psn_no, 1, 30)) return undefined;
  return inOrder(r, REVERSAL, keyed);
}

function fastClaimAudit(r: Rec): Rec | undefined {
  const keyed = keyOrder(r, CLAIM_AUDIT);
  if (keyed === UNKNOWN || !based(r) || !fixmedins(r.fixmedins_code)) return undefined;
  if (r.practitioner_code !== undefined && !practitioner(r.practitioner_code)) return undefined;
  if (r.setl_id !== undefined && !str(r.setl_id, 1, 30)) return undefined;
  if (!str(r.rule_code, 1, 64) || !money(r.reduced_amount) || typeof r.violation !== 'boolean')
    return undefined;
  return inOrder(r, CLAIM_AUDIT, keyed);
}

function fastPractitioner(r: Rec): Rec | undefined {
  const keyed = keyOrder(r, PRACTITIONER);
  if (keyed === UNKNOWN || !based(r) || !practitioner(r.practitioner_code)) return undefined;
  if (!ROLES.has(r.role) || !fixmedins(r.fixmedins_code) || !date(r.qualified_since)) return undefined;
  return inOrder(r, PRACTITIONER, keyed);
}

function fastInstitution(r: Rec): Rec | undefined {
  const keyed = keyOrder(r, INSTITUTION);
  if (keyed === UNKNOWN || !based(r) || !fixmedins(r.fixmedins_code) || !str(r.name, 1, 200))
    return undefined;
  if (r.uscc !== undefined && !(typeof r.uscc === 'string' && isValidUscc(r.uscc))) return undefined;
  if (!KINDS.has(r.kind) || typeof r.inpatient !== 'boolean') return undefined;
  if (r.level !== undefined && !LEVELS.has(r.level)) return undefined;
  if (typeof r.admdvs !== 'string' || !ADMDVS.test(r.admdvs)) return undefined;
  if (r.chain_id !== undefined && !str(r.chain_id, 1, 64)) return undefined;
  if (r.parent_code !== undefined && !fixmedins(r.parent_code)) return undefined;
  if (!date(r.agreement_start)) return undefined;
  if (r.agreement_end !== undefined && !date(r.agreement_end)) return undefined;
  if (r.agreement_end_reason !== undefined && !END_REASONS.has(r.agreement_end_reason)) return undefined;
  // The schema's cross-field checks (events.ts superRefine).
  if (r.kind === 'pharmacy' && r.inpatient) return undefined;
  if (r.agreement_end !== undefined && r.agreement_end < r.agreement_start) return undefined;
  if (r.agreement_end_reason !== undefined && r.agreement_end === undefined) return undefined;
  return inOrder(r, INSTITUTION, keyed);
}

/** The parsed record of type `r.type` when it takes a fast path and passes; undefined sends it to zod. */
export function fastRecord(r: Rec): MonitorEvent | undefined {
  switch (r.type) {
    case 'settlement':
      return fastSettlement(r);
    case 'settlement_reversal':
      return fastReversal(r) as MonitorEvent | undefined;
    case 'claim_audit':
      return fastClaimAudit(r) as MonitorEvent | undefined;
    case 'practitioner':
      return fastPractitioner(r) as MonitorEvent | undefined;
    case 'institution':
      return fastInstitution(r) as MonitorEvent | undefined;
    default:
      return undefined;
  }
}
