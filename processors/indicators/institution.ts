/**
 * Rolling windows of one institution (key fixmedins_code, ARCHITECTURE.md institution stage):
 * daily buckets for 7-day and 30-day indicators, hourly buckets for the 24-hour fund.
 */

import { Evidence } from './evidence.ts';
import { BucketRing, CHINA_OFFSET_MS, DAY_MS, HOUR_MS } from './ring.ts';

export const D = { count: 0, fund: 1, offHours: 2, reductions: 3, readmissions: 4, admissions: 5 } as const;
export const H = { count: 0, fund: 1 } as const;

export class InstitutionWindows {
  /** 32 China-time days: a 30-day window, the day in progress, and one more for lateness. */
  readonly daily = new BucketRing(DAY_MS, 40, 6, CHINA_OFFSET_MS);
  /** 24-hour fund plus the trailing hour in progress. */
  readonly hourly = new BucketRing(HOUR_MS, 26, 2);
  readonly recent = new Evidence(10);
  offHoursEvidence?: Evidence;
  readmissionEvidence?: Evidence;
  reductionEvidence?: Evidence;
  lastSeen = Number.NEGATIVE_INFINITY;

  get bytes(): number {
    return this.daily.bytes + this.hourly.bytes + 200;
  }
}

/** Peer group: same kind, level and 4-digit division prefix (the peer definition). */
export class PeerGroup {
  readonly daily = new BucketRing(DAY_MS, 40, 3, CHINA_OFFSET_MS);
  readonly members = new Set<string>();
}

export const P = { count: 0, fund: 1, offHours: 2 } as const;
