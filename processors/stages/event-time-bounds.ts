/**
 * Event time bounded at ingest (issue 16): one record from the future must not move a watermark,
 * or every later record is counted late and dropped (a settlement re-timed to 2099 in a replayed
 * feed dropped 25,796 of 26,788 records). A record is refused — a dead letter with the bound in
 * its message — when it is
 * - before `floorMs` (nothing of the funds' credit management predates it), or
 * - live (`now` gives the wall clock): more than `maxAheadOfClockMs` ahead of it, or
 * - bounded input (a file, replay; `now` gives undefined): more than `maxJumpMs` ahead of the
 *   newest record accepted from its partition. A feed that really jumps (an upstream outage
 *   ends) is followed: `confirmAfter` such records in a row are refused, the next one is
 *   accepted and becomes the partition's newest.
 * Only bounded input is judged by jumps: live partitions of sparse topics (supervision, registry)
 * legitimately stay silent for days, and there the wall clock is the bound. Pure: the clock is the
 * caller's function.
 */
import { toIso } from '../../rules/engine/time.ts';

export type EventTimeBounds = {
  readonly floorMs: number;
  readonly maxAheadOfClockMs: number;
  readonly maxJumpMs: number;
  readonly confirmAfter: number;
  /** The wall clock for live sources; undefined (or absent) for bounded input. */
  readonly now?: () => number | undefined;
};

export const DEFAULT_EVENT_TIME_BOUNDS: EventTimeBounds = {
  floorMs: Date.parse('2000-01-01T00:00:00+08:00'),
  maxAheadOfClockMs: 10 * 60_000,
  maxJumpMs: 48 * 3_600_000,
  confirmAfter: 3,
};

/** RFC 3339 in China time, without a zero millisecond part. */
const shownTime = (ms: number) => toIso(ms).replace('.000', '');
const hours = (ms: number) => `${Math.round((ms / 3_600_000) * 10) / 10} h`;

export class EventTimeGuard {
  private readonly newest = new Map<string, number>();
  private readonly jumps = new Map<string, number>();

  constructor(private readonly bounds: EventTimeBounds = DEFAULT_EVENT_TIME_BOUNDS) {}

  /** Undefined when `t` (the record's `occurred_at`) is within bounds, else the refusal's message. */
  check(t: number, shown: string, partition: string): string | undefined {
    const b = this.bounds;
    if (t < b.floorMs)
      return `occurred_at: ${shown} is before the event-time floor: expected ${shownTime(b.floorMs)} or later (YIBAO_EVENT_TIME_FLOOR)`;
    const now = b.now?.();
    if (now !== undefined) {
      if (t > now + b.maxAheadOfClockMs)
        return `occurred_at: ${shown} is ${hours(t - now)} ahead of the wall clock (${shownTime(now)}): expected at most ${b.maxAheadOfClockMs / 1000} s ahead (YIBAO_MAX_CLOCK_SKEW_SECONDS); check the sender's clock`;
      return undefined;
    }
    const newest = this.newest.get(partition);
    if (newest !== undefined && t > newest + b.maxJumpMs) {
      const seen = (this.jumps.get(partition) ?? 0) + 1;
      if (seen <= b.confirmAfter) {
        this.jumps.set(partition, seen);
        return `occurred_at: ${shown} is ${hours(t - newest)} after the newest record of its source (${shownTime(newest)}): expected at most ${hours(b.maxJumpMs)} (YIBAO_MAX_EVENT_JUMP_HOURS); after ${b.confirmAfter} such records in a row the jump is taken as real`;
      }
    }
    this.jumps.delete(partition);
    if (newest === undefined || t > newest) this.newest.set(partition, t);
    return undefined;
  }
}
