/**
 * Rate-limited publishing of a simulated feed to any transport: the transport is a
 * `publish(line)` function (a Kafka producer's send, a JetStream publish, a file write), awaited
 * before the next record, so a slow transport slows the feed down instead of filling memory.
 * The clock is a parameter, so pacing is tested without waiting.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { MonitorError } from '../../schemas/errors.ts';

export type Clock = {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
};

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: async (ms, signal) => {
    await sleep(ms, undefined, signal ? { signal } : undefined);
  },
};

export type Publish = (line: string) => Promise<void>;

export type PublishOptions = {
  readonly clock?: Clock;
  /** Stops after the record being published; the promise then resolves with what was done. */
  readonly signal?: AbortSignal;
  /** Called after each published record with the count so far. */
  readonly onPublished?: (count: number) => void;
};

export type PublishStats = {
  readonly published: number;
  readonly elapsedMs: number;
  readonly aborted: boolean;
};

/**
 * Publishes `records` in order at most `rate` per second (record n is not published before
 * n / rate seconds from the start; `Infinity` means as fast as `publish` resolves). A rejection
 * of `publish` stops the feed and is passed on to the caller.
 */
export async function publishAtRate(
  records: Iterable<string> | AsyncIterable<string>,
  rate: number,
  publish: Publish,
  options: PublishOptions = {},
): Promise<PublishStats> {
  if (!(rate > 0)) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `rate: ${rate} is invalid: expected records per second > 0 (or Infinity)`,
      {
        rate,
      },
    );
  }
  const clock = options.clock ?? systemClock;
  const { signal } = options;
  const started = clock.now();
  let published = 0;
  for await (const line of records) {
    if (signal?.aborted) break;
    if (Number.isFinite(rate)) {
      const wait = started + (published / rate) * 1000 - clock.now();
      if (wait > 0) {
        try {
          await clock.sleep(wait, signal);
        } catch (err) {
          if (signal?.aborted) break;
          throw err;
        }
      }
    }
    await publish(line);
    published++;
    options.onPublished?.(published);
  }
  return { published, elapsedMs: clock.now() - started, aborted: signal?.aborted === true };
}
