/**
 * The range each early-warning threshold may take in YIBAO_RULE_OVERRIDES. The seeds give no
 * numbers for these indicators (definitions.ts says why each default is what it is); the ranges
 * are what the indicator can mean at all, so a typo like `ratio: -4` (every institution spikes) or
 * `max_per_hour: 0` (every settlement is too many) stops start-up instead of flooding inspectors.
 * The type makes the table complete: a threshold added to a rule without a range does not compile.
 */
import type { RULES, RuleId } from './definitions.ts';

export type Range = {
  /** The lowest value allowed (inclusive unless `above`). */
  readonly min: number;
  /** The value must be greater than `min`, not equal to it. */
  readonly above?: true;
  /** The highest value allowed (inclusive). */
  readonly max?: number;
  readonly integer?: true;
  /** Why the bound is where it is, for the error message. */
  readonly why: string;
};

type NamesOf<R extends RuleId> = keyof (typeof RULES)[R]['thresholds'];
export type RangeTable = { readonly [R in RuleId]: { readonly [K in NamesOf<R>]: Range } };

const COUNT: Range = { min: 1, integer: true, why: 'a count of at least one' };
const SHARE: Range = { min: 0, above: true, max: 1, why: 'a share of a whole, over 0 and at most 1' };
const MONEY: Range = { min: 0, why: 'an amount in yuan, not negative' };
const ABOVE_ONE: Range = {
  min: 1,
  above: true,
  why: 'a multiple of the baseline: at or under 1 is no excess',
};

export const RANGES: RangeTable = {
  split_admission: {
    gap_days: { min: 1, max: 365, integer: true, why: 'days after discharge, within a year' },
    min_count: COUNT,
    min_share: SHARE,
    min_count_for_share: COUNT,
  },
  overlapping_stays: { min_overlap_hours: { min: 0, above: true, why: 'hours of overlap, over 0' } },
  multi_institution_day: {
    min_institutions: { min: 2, integer: true, why: 'one institution a day is ordinary care' },
  },
  pharmacy_repeat_purchase: {
    min_purchases: { min: 2, integer: true, why: 'one purchase a day is ordinary' },
  },
  drug_oversupply: {
    max_days_supply: { min: 31, integer: true, why: '30 days of supply within 30 days is ordinary' },
  },
  off_hours_share: { min_share: SHARE, peer_ratio: ABOVE_ONE, min_settlements: COUNT },
  amount_spike: {
    ratio: ABOVE_ONE,
    min_amount: MONEY,
    min_baseline_days: { min: 1, max: 7, integer: true, why: 'days of the trailing 7-day baseline' },
  },
  peer_outlier: { ratio: ABOVE_ONE, min_visits: COUNT, min_peers: COUNT },
  claim_reduction_rate: { min_rate: SHARE, min_fund: MONEY },
  practitioner_throughput: { max_per_hour: COUNT },
  grade_boundary_proximity: {},
  chain_threshold_proximity: { branches: COUNT },
};

/** `greater than 1`, `an integer from 1 to 7`, … */
export function describeRange(r: Range): string {
  const kind = r.integer ? 'an integer' : 'a number';
  const low = r.above ? `greater than ${r.min}` : `at least ${r.min}`;
  if (r.max === undefined) return `${kind} ${low}`;
  return r.above ? `${kind} ${low} and at most ${r.max}` : `${kind} from ${r.min} to ${r.max}`;
}

export function inRange(v: number, r: Range): boolean {
  if (r.integer && !Number.isInteger(v)) return false;
  if (r.above ? v <= r.min : v < r.min) return false;
  return r.max === undefined || v <= r.max;
}
