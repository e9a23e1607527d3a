/**
 * Rolling windows of one institution (key fixmedins_code, ARCHITECTURE.md institution stage):
 * day, hour and minute buckets (LayeredRing) for the 7-day, 30-day and 24-hour indicators, read at
 * minute boundaries; exact admission and readmission times for split admissions, read at the
 * crossing readmission.
 */

import { Evidence } from './evidence.ts';
import { HLL_REGISTERS, hllAdd, hllEstimate } from './hll.ts';
import { LayeredRing } from './layered-ring.ts';
import { chinaDay } from './ring.ts';
import type { TimeIndex } from './time-index.ts';

const PERSON_DAYS = 8;

export const D = { count: 0, fund: 1, offHours: 2, reductions: 3 } as const;

export class InstitutionWindows {
  /** 40 China days (a 30-day window, the day in progress, headroom), 28 hours, 4 hours of minutes. */
  readonly windows = new LayeredRing(4, 40);
  /** Inpatient admissions and readmissions (分解住院) by event time, for exact 30-day counts. */
  admissionTimes?: TimeIndex;
  readmissionTimes?: TimeIndex;
  readonly recent = new Evidence(10);
  offHoursEvidence?: Evidence;
  readmissionEvidence?: Evidence;
  reductionEvidence?: Evidence;
  lastSeen = Number.NEGATIVE_INFINITY;
  /** Boundary rules whose last read was breached, so their alert may be open (evaluate.ts `decides`). */
  mayBeOpen = 0;
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
    return (
      this.windows.bytes + 8 * ((this.admissionTimes?.size ?? 0) + (this.readmissionTimes?.size ?? 0)) + 200
    );
  }
}

/** Peer group: same kind, level and 4-digit division prefix (the peer definition). */
export class PeerGroup {
  readonly windows = new LayeredRing(3, 40);
  readonly members = new Set<string>();
}

export const P = { count: 0, fund: 1, offHours: 2 } as const;
