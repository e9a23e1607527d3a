/**
 * Rolling windows of one institution (key fixmedins_code, ARCHITECTURE.md institution stage):
 * daily buckets for 7-day and 30-day indicators, hourly buckets for the 24-hour fund.
 */

import { Evidence } from './evidence.ts';
import { HLL_REGISTERS, hllAdd, hllEstimate } from './hll.ts';
import { chinaDay } from './ring.ts';

const PERSON_DAYS = 8;

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
  /** Distinct insured persons per China day (HyperLogLog sketches, 8 days kept). */
  private readonly persons = new Uint8Array(PERSON_DAYS * HLL_REGISTERS);
  private readonly personDays = new Float64Array(PERSON_DAYS).fill(Number.NEGATIVE_INFINITY);

  addPerson(t: number, token: string): void {
    const day = chinaDay(t);
    const slot = ((day % PERSON_DAYS) + PERSON_DAYS) % PERSON_DAYS;
    if (this.personDays[slot]! > day) return; // older than the sketches kept
    if (this.personDays[slot]! < day) {
      this.personDays[slot] = day;
      this.persons.fill(0, slot * HLL_REGISTERS, (slot + 1) * HLL_REGISTERS);
    }
    hllAdd(this.persons, slot * HLL_REGISTERS, token);
  }

  /** Estimated distinct insured persons over the days [fromDay, toDay]. */
  distinctPersons(fromDay: number, toDay: number): number {
    const offsets: number[] = [];
    for (let i = 0; i < PERSON_DAYS; i++) {
      const d = this.personDays[i]!;
      if (d >= fromDay && d <= toDay) offsets.push(i * HLL_REGISTERS);
    }
    return Math.round(hllEstimate(this.persons, offsets));
  }

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
