/**
 * Day, hour and minute buckets of the same series, so a window of N days (or hours) can be read
 * as of any minute boundary, not only at the end of its last bucket (issue 14 item 3: boundary
 * rules fire at minute boundaries, not at the next midnight).
 *
 * The window read at a minute boundary `at` is [ceil(at) − N units, at): the N whole units
 * before the unit boundary at or after `at`, so far. At a unit boundary that is exactly the N
 * units before it (what the day and hour evaluations read before); inside a unit it is the N − 1
 * whole units before plus the unit in progress up to `at`. Only buckets before `at` count, so a
 * record later than `at` (already applied, within the lateness or the alignment) never changes
 * the value read at `at`. Memory per key is constant: each level is a fixed BucketRing.
 */
import { BucketRing, CHINA_OFFSET_MS, DAY_MS, HOUR_MS } from './ring.ts';

export const MINUTE_MS = 60_000;

/** Whole units kept beyond the longest window, for records applied ahead of the evaluation. */
const HOUR_SLOTS = 24 + 4;
/** One hour of minutes plus three of headroom: lateness + alignment must stay under 3 h. */
const MINUTE_SLOTS = 60 + 180;

export type WindowUnit = 'day' | 'hour';

/** Scratch for `read` (module-level: not state, and nothing to allocate per read). */
const MAX_SERIES = 8;
const PARTIAL = new Float64Array(MAX_SERIES);
const WHOLE = new Float64Array(MAX_SERIES);

export class LayeredRing {
  readonly days: BucketRing;
  readonly hours: BucketRing;
  readonly minutes: BucketRing;

  /** `days` whole China days are kept (the longest window plus headroom). */
  constructor(
    readonly series: number,
    days: number,
  ) {
    if (series > MAX_SERIES) throw new RangeError(`LayeredRing: at most ${MAX_SERIES} series, not ${series}`);
    this.days = new BucketRing(DAY_MS, days, series, CHINA_OFFSET_MS);
    this.hours = new BucketRing(HOUR_MS, HOUR_SLOTS, series);
    this.minutes = new BucketRing(MINUTE_MS, MINUTE_SLOTS, series);
  }

  add(t: number, s: number, v: number): void {
    this.days.add(t, s, v);
    this.hours.add(t, s, v);
    this.minutes.add(t, s, v);
  }

  /**
   * Every series over the windows of `lengths` units before the unit boundary at or after `at`,
   * so far (see the file comment), for a minute boundary `at`: out[k * series + s] is series s
   * over lengths[k]. One pass per level for all series and lengths (this runs every minute for
   * every institution with traffic).
   */
  read(unit: WindowUnit, lengths: readonly number[], at: number, out: Float64Array): Float64Array {
    out.fill(0);
    const level = unit === 'day' ? this.days : this.hours;
    const current = level.period(at);
    const onBoundary = level.start(current) === at;
    const ceil = onBoundary ? current : current + 1;
    const n = this.series;
    if (!onBoundary) {
      // The unit in progress, up to `at`: whole hours of it (for days), then minutes.
      const partial = PARTIAL.fill(0);
      const hourNow = this.hours.period(at);
      if (unit === 'day')
        for (let p = this.hours.period(level.start(current)); p < hourNow; p++)
          this.hours.addInto(p, partial, 0);
      const fromMinute = this.minutes.period(
        unit === 'day' ? this.hours.start(hourNow) : level.start(current),
      );
      for (let p = fromMinute, to = this.minutes.period(at); p < to; p++) this.minutes.addInto(p, partial, 0);
      for (let k = 0; k < lengths.length; k++) for (let s = 0; s < n; s++) out[k * n + s] = partial[s]!;
    }
    const whole = WHOLE;
    for (let k = 0; k < lengths.length; k++) {
      whole.fill(0);
      for (let p = ceil - lengths[k]!; p < current; p++) level.addInto(p, whole, 0);
      for (let s = 0; s < n; s++) out[k * n + s]! += whole[s]!;
    }
    return out;
  }

  get bytes(): number {
    return this.days.bytes + this.hours.bytes + this.minutes.bytes;
  }
}
