/**
 * Plausibility bounds on amounts and counts (issue 16: amounts of 1e300 or 9e15 yuan passed and
 * would have swamped every sum and peer baseline). The schemas check the form (money ≥ 0 with at
 * most 2 decimals, cnt > 0); these check the size. The seeds set no such bounds: each default
 * is an assumption, configurable (README "Bad input"):
 * - an amount of one settlement, item or decision at most 10,000,000 yuan (the costliest
 *   inpatient stays run to a few million);
 * - an item count at most 10,000 units, days of supply at most 366 (a year's prescription).
 * Pure.
 */
import type { MonitorEvent, SettlementEvent } from './events.ts';

export type ValueBounds = {
  readonly maxAmountYuan: number;
  readonly maxItemCount: number;
  readonly maxDaysSupply: number;
};

export const DEFAULT_VALUE_BOUNDS: ValueBounds = {
  maxAmountYuan: 10_000_000,
  maxItemCount: 10_000,
  maxDaysSupply: 366,
};

export type Implausible = { readonly path: string; readonly message: string };

const SETTING = {
  maxAmountYuan: ['yuan', 'YIBAO_MAX_AMOUNT_YUAN'],
  maxItemCount: ['units', 'YIBAO_MAX_ITEM_COUNT'],
  maxDaysSupply: ['days', 'YIBAO_MAX_DAYS_SUPPLY'],
} as const;

/** The rejection for `v` over `bound`; built only then (ingest checks every record). */
function over(bounds: ValueBounds, bound: keyof ValueBounds, path: string, v: number): Implausible {
  const [unit, setting] = SETTING[bound];
  return {
    path,
    message: `${path}: ${v} is implausible: expected at most ${bounds[bound]} ${unit} (${setting})`,
  };
}

const above = (v: number | undefined, max: number): v is number => v !== undefined && !(v <= max);

/** The first amount or count of the settlement over its bound, in the order of the record's fields. */
function settlementImplausible(e: SettlementEvent, bounds: ValueBounds): Implausible | undefined {
  const max = bounds.maxAmountYuan;
  if (above(e.medfee_sumamt, max))
    return over(bounds, 'maxAmountYuan', 'settlement.medfee_sumamt', e.medfee_sumamt);
  if (above(e.fund_pay_sumamt, max))
    return over(bounds, 'maxAmountYuan', 'settlement.fund_pay_sumamt', e.fund_pay_sumamt);
  if (above(e.psn_cash_pay, max))
    return over(bounds, 'maxAmountYuan', 'settlement.psn_cash_pay', e.psn_cash_pay);
  if (above(e.acct_pay, max)) return over(bounds, 'maxAmountYuan', 'settlement.acct_pay', e.acct_pay);
  const items = e.items;
  if (items === undefined) return undefined;
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (above(it.pric, max)) return over(bounds, 'maxAmountYuan', `settlement.items[${i}].pric`, it.pric);
    if (above(it.det_item_fee_sumamt, max))
      return over(
        bounds,
        'maxAmountYuan',
        `settlement.items[${i}].det_item_fee_sumamt`,
        it.det_item_fee_sumamt,
      );
    if (above(it.cnt, bounds.maxItemCount))
      return over(bounds, 'maxItemCount', `settlement.items[${i}].cnt`, it.cnt);
    if (above(it.days_supply, bounds.maxDaysSupply))
      return over(bounds, 'maxDaysSupply', `settlement.items[${i}].days_supply`, it.days_supply);
  }
  return undefined;
}

/**
 * Undefined when every amount and count of `e` is within `bounds`, else the first that is not.
 * Numbers are compared first and a path is written only for a refusal: this runs for every
 * record (issue 14: a closure and its name set per call, and a path per fee line, showed in the
 * engine's profile).
 */
export function implausible(e: MonitorEvent, bounds: ValueBounds): Implausible | undefined {
  switch (e.type) {
    case 'settlement':
      return settlementImplausible(e, bounds);
    case 'claim_audit':
      return above(e.reduced_amount, bounds.maxAmountYuan)
        ? over(bounds, 'maxAmountYuan', 'claim_audit.reduced_amount', e.reduced_amount)
        : undefined;
    case 'supervision':
      return above(e.amount, bounds.maxAmountYuan)
        ? over(bounds, 'maxAmountYuan', 'supervision.amount', e.amount)
        : undefined;
    default:
      return undefined;
  }
}
