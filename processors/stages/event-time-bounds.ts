/**
 * Event time bounded at ingest (issue 16): one record from the future must not move a watermark,
 * or every later record is counted late and dropped (a settlement re-timed to 2099 in a replayed
 * feed dropped 25,796 of 26,788 records). A record is refused — a dead letter with the bound in
 * its message — when it is before `floorMs`, or more than `maxAheadOfClockMs` ahead of the wall
 * clock (`now`). Every real source has a wall clock: Kafka, JetStream, files, stdin and `replay`
 * (nothing recorded can be from the future); only the simulator, whose timeline runs to the end
 * of today, has none. Judging by jumps ahead of a partition's newest record was tried and
 * dropped: sparse inputs (supervision decisions, a registry dated years before the traffic)
 * legitimately jump by days. Pure: the clock is the caller's function.
 */
import { toIso } from '../../rules/engine/time.ts';
import type { ValueBounds } from '../../schemas/value-bounds.ts';

export type EventTimeBounds = {
  readonly floorMs: number;
  readonly maxAheadOfClockMs: number;
  /** The wall clock; absent, or giving undefined, for synthetic input (no bound ahead). */
  readonly now?: () => number | undefined;
  /** The amounts and counts ingest refuses too (default DEFAULT_VALUE_BOUNDS). */
  readonly values?: ValueBounds;
};

export const DEFAULT_EVENT_TIME_BOUNDS: EventTimeBounds = {
  floorMs: Date.parse('2000-01-01T00:00:00+08:00'),
  maxAheadOfClockMs: 10 * 60_000,
};

/** RFC 3339 in China time, without a zero millisecond part. */
const shownTime = (ms: number) => toIso(ms).replace('.000', '');
const hours = (ms: number) => `${Math.round((ms / 3_600_000) * 10) / 10} h`;

/**
 * False when `outOfBounds` cannot refuse `t` (after the floor, no wall clock): ingest checks every
 * record, and only a record this lets through needs its time written out for a message.
 */
export function mayBeOutOfBounds(bounds: EventTimeBounds, t: number): boolean {
  return t < bounds.floorMs || bounds.now !== undefined;
}

/** Undefined when `t` (the record's `occurred_at`, shown as `shown`) is within bounds, else why not. */
export function outOfBounds(bounds: EventTimeBounds, t: number, shown: string): string | undefined {
  if (t < bounds.floorMs)
    return `occurred_at: ${shown} is before the event-time floor: expected ${shownTime(bounds.floorMs)} or later (YIBAO_EVENT_TIME_FLOOR)`;
  const now = bounds.now?.();
  if (now !== undefined && t > now + bounds.maxAheadOfClockMs)
    return `occurred_at: ${shown} is ${hours(t - now)} ahead of the wall clock (${shownTime(now)}): expected at most ${bounds.maxAheadOfClockMs / 1000} s ahead (YIBAO_MAX_CLOCK_SKEW_SECONDS); check the sender's clock`;
  return undefined;
}
