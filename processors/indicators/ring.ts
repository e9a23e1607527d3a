/**
 * A fixed ring of event-time buckets holding several numeric series at once (count, fund, …).
 * Bucket i holds [start_i, start_i + width); a bucket is reset when a newer period reuses its
 * slot, so expired buckets drop by event time with no sweep and memory per key is constant.
 * Pure and allocation-free on the hot path.
 */
export class BucketRing {
  private readonly periods: Float64Array;
  private readonly values: Float64Array;

  /**
   * @param width bucket width in ms
   * @param slots buckets kept (the longest window / width, plus the current one)
   * @param series numeric series per bucket
   * @param offset shifts bucket boundaries (8 h puts daily buckets on China-time midnight)
   */
  constructor(
    readonly width: number,
    readonly slots: number,
    readonly series: number,
    private readonly offset = 0,
  ) {
    this.periods = new Float64Array(slots).fill(Number.NEGATIVE_INFINITY);
    this.values = new Float64Array(slots * series);
  }

  period(t: number): number {
    return Math.floor((t + this.offset) / this.width);
  }

  /** The instant period p begins. */
  start(p: number): number {
    return p * this.width - this.offset;
  }

  /** Adds `v` to series `s` at event time t; false when t is older than the ring keeps. */
  add(t: number, s: number, v: number): boolean {
    const p = this.period(t);
    const i = ((p % this.slots) + this.slots) % this.slots;
    const held = this.periods[i]!;
    if (held > p) return false; // slot already reused by a newer period: t has expired
    if (held < p) {
      this.periods[i] = p;
      this.values.fill(0, i * this.series, (i + 1) * this.series);
    }
    this.values[i * this.series + s]! += v;
    return true;
  }

  /** Sum of series s over periods [fromPeriod, toPeriod] (inclusive). */
  sumPeriods(s: number, fromPeriod: number, toPeriod: number): number {
    let sum = 0;
    for (let i = 0; i < this.slots; i++) {
      const p = this.periods[i]!;
      if (p >= fromPeriod && p <= toPeriod) sum += this.values[i * this.series + s]!;
    }
    return sum;
  }

  /** Sum of series s over the `n` periods ending with the one holding t. */
  sumLast(s: number, t: number, n: number): number {
    const p = this.period(t);
    return this.sumPeriods(s, p - n + 1, p);
  }

  /** Adds every series of `period` (when held) into out[at + s]. */
  addInto(period: number, out: Float64Array, at: number): void {
    const i = ((period % this.slots) + this.slots) % this.slots;
    if (this.periods[i] !== period) return;
    const base = i * this.series;
    for (let s = 0; s < this.series; s++) out[at + s]! += this.values[base + s]!;
  }

  valueAt(s: number, period: number): number {
    const i = ((period % this.slots) + this.slots) % this.slots;
    return this.periods[i] === period ? this.values[i * this.series + s]! : 0;
  }

  /** Newest period holding data, or -Infinity. */
  newestPeriod(): number {
    let best = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.slots; i++) if (this.periods[i]! > best) best = this.periods[i]!;
    return best;
  }

  get bytes(): number {
    return this.periods.byteLength + this.values.byteLength;
  }
}

export const HOUR_MS = 3_600_000;
export const CHINA_OFFSET_MS = 8 * HOUR_MS;
export const DAY_MS = 24 * HOUR_MS;

/** China-time hour of day 0–23 of an instant. */
export function chinaHour(t: number): number {
  return Math.floor(((t + CHINA_OFFSET_MS) % DAY_MS) / HOUR_MS);
}

/** 22:00–06:00 China time (the night window). */
export function isOffHours(t: number): boolean {
  const h = chinaHour(t);
  return h >= 22 || h < 6;
}

export function chinaDay(t: number): number {
  return Math.floor((t + CHINA_OFFSET_MS) / DAY_MS);
}
