/**
 * Event times of one kind of record for one key (an institution's inpatient admissions, its
 * readmissions), sorted, so a count over [from, to) is exact at any instant — what a rule read
 * at the record that crosses its threshold needs (issue 14 item 3: `split_admission` fires on
 * the crossing readmission), whatever order the records arrived in. Bounded by `expireBefore`.
 */
export class TimeIndex {
  private times: number[] = [];

  /** Position of the first time ≥ t. */
  private lowerBound(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(t: number): void {
    const n = this.times.length;
    // Records come mostly in time order: append without a search.
    if (n === 0 || this.times[n - 1]! <= t) this.times.push(t);
    else this.times.splice(this.lowerBound(t), 0, t);
  }

  /** Removes one occurrence of t (a reversal); false when there is none. */
  remove(t: number): boolean {
    const i = this.lowerBound(t);
    if (this.times[i] !== t) return false;
    this.times.splice(i, 1);
    return true;
  }

  /** Times in [from, to). */
  countIn(from: number, to: number): number {
    return Math.max(0, this.lowerBound(to) - this.lowerBound(from));
  }

  expireBefore(t: number): void {
    const i = this.lowerBound(t);
    if (i > 0) this.times = this.times.slice(i);
  }

  get size(): number {
    return this.times.length;
  }
}
