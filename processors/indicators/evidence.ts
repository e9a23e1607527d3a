/**
 * Up to N evidence event ids per indicator, chosen by (event time, id) so the choice does not
 * depend on arrival order: the newest N events before the boundary being evaluated. A boundary
 * is evaluated after records up to the alignment (15 min) plus the allowed lateness beyond it
 * were applied; keeping only the newest N overall let those later records push the boundary's
 * own evidence out, so how far ahead a partition ran changed the alert (issue 14: empty evidence
 * on the live path). Events within `KEEP_MS` of the newest are kept whatever their number
 * (bounded by `HARD_CAP`), older ones only while fewer than N remain.
 */
export const KEEP_MS = 2 * 3_600_000;
const HARD_CAP = 2_000;

export class Evidence {
  private readonly times: number[] = [];
  private readonly ids: string[] = [];

  constructor(private readonly max = 10) {}

  add(t: number, id: string): void {
    let i = this.ids.length;
    while (i > 0 && (this.times[i - 1]! > t || (this.times[i - 1] === t && this.ids[i - 1]! > id))) i--;
    if (i > 0 && this.ids[i - 1] === id && this.times[i - 1] === t) return;
    if (i === 0 && this.ids.length >= this.max && this.tooOld(t)) return;
    this.times.splice(i, 0, t);
    this.ids.splice(i, 0, id);
    while (this.ids.length > this.max && (this.tooOld(this.times[0]!) || this.ids.length > HARD_CAP)) {
      this.times.shift();
      this.ids.shift();
    }
  }

  private tooOld(t: number): boolean {
    return t < this.times[this.times.length - 1]! - KEEP_MS;
  }

  remove(id: string): void {
    const i = this.ids.indexOf(id);
    if (i >= 0) {
      this.ids.splice(i, 1);
      this.times.splice(i, 1);
    }
  }

  /**
   * Events in [from, until). Exact while `from` is within `KEEP_MS` of the newest event (all of
   * those are kept, up to `HARD_CAP`).
   */
  countIn(from: number, until: number): number {
    let n = 0;
    for (let i = this.times.length - 1; i >= 0; i--) {
      const t = this.times[i]!;
      if (t < from) break;
      if (t < until) n++;
    }
    return n;
  }

  /** Ids of the newest N events before `until`, oldest first. */
  before(until: number): string[] {
    let end = this.ids.length;
    while (end > 0 && this.times[end - 1]! >= until) end--;
    return this.ids.slice(Math.max(0, end - this.max), end);
  }
}
