/**
 * State of one insured person (key: pseudonymised psn_no, ARCHITECTURE.md person stage): recent
 * inpatient stays, the day's settlements, recent days of supply per item. Only what the person
 * rules read is kept, and entries older than the longest window are pruned on each touch.
 */
export type Stay = {
  readonly eventId: string;
  readonly setlId: string;
  readonly institution: string;
  readonly icd3: string;
  readonly begin: number;
  readonly end: number;
  readonly t: number;
};

export type Visit = {
  readonly eventId: string;
  readonly setlId: string;
  readonly institution: string;
  readonly pharmacy: boolean;
  readonly t: number;
};
export type Supply = {
  readonly eventId: string;
  readonly setlId: string;
  readonly item: string;
  readonly days: number;
  readonly t: number;
};

export class PersonState {
  stays?: Stay[];
  visits?: Visit[];
  supplies?: Supply[];
  /** Overlapping-stay signals not yet told: `idA|idB|time|overlapMs|instA|instB`. */
  overlaps?: string[];
  lastSeen = Number.NEGATIVE_INFINITY;

  prune(before: number, stayBefore: number): void {
    if (this.visits) this.visits = this.visits.filter((v) => v.t >= before);
    if (this.supplies) this.supplies = this.supplies.filter((s) => s.t >= stayBefore);
    if (this.stays) this.stays = this.stays.filter((s) => s.end >= stayBefore);
    if (this.visits?.length === 0) this.visits = undefined;
    if (this.supplies?.length === 0) this.supplies = undefined;
    if (this.stays?.length === 0) this.stays = undefined;
  }

  removeSettlement(setlId: string): void {
    if (this.visits) this.visits = this.visits.filter((v) => v.setlId !== setlId);
    if (this.supplies) this.supplies = this.supplies.filter((s) => s.setlId !== setlId);
    if (this.stays) this.stays = this.stays.filter((s) => s.setlId !== setlId);
  }

  isEmpty(): boolean {
    return !this.stays && !this.visits && !this.supplies;
  }
}
