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
import type { MonitorEvent } from './events.ts';

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

function over(
  bounds: ValueBounds,
  bound: keyof ValueBounds,
  path: string,
  v: number | undefined,
): Implausible | undefined {
  if (v === undefined || v <= bounds[bound]) return undefined;
  const [unit, setting] = SETTING[bound];
  return {
    path,
    message: `${path}: ${v} is implausible: expected at most ${bounds[bound]} ${unit} (${setting})`,
  };
}

/** Undefined when every amount and count of `e` is within `bounds`, else the first that is not. */
export function implausible(e: MonitorEvent, bounds: ValueBounds): Implausible | undefined {
  const amount = (field: string, v: number | undefined) =>
    over(bounds, 'maxAmountYuan', `${e.type}.${field}`, v);
  switch (e.type) {
    case 'settlement': {
      const top =
        amount('medfee_sumamt', e.medfee_sumamt) ??
        amount('fund_pay_sumamt', e.fund_pay_sumamt) ??
        amount('psn_cash_pay', e.psn_cash_pay) ??
        amount('acct_pay', e.acct_pay);
      if (top) return top;
      const items = e.items ?? [];
      for (let i = 0; i < items.length; i++) {
        const it = items[i]!;
        const at = `${e.type}.items[${i}]`;
        const bad =
          over(bounds, 'maxAmountYuan', `${at}.pric`, it.pric) ??
          over(bounds, 'maxAmountYuan', `${at}.det_item_fee_sumamt`, it.det_item_fee_sumamt) ??
          over(bounds, 'maxItemCount', `${at}.cnt`, it.cnt) ??
          over(bounds, 'maxDaysSupply', `${at}.days_supply`, it.days_supply);
        if (bad) return bad;
      }
      return undefined;
    }
    case 'claim_audit':
      return amount('reduced_amount', e.reduced_amount);
    case 'supervision':
      return amount('amount', e.amount);
    default:
      return undefined;
  }
}
