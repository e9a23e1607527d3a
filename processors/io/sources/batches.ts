/**
 * Records in batches for the run loop: the outputs of a batch go to the sinks in one write, so
 * nothing awaits per record (issue 14). A source with batches of its own (Kafka's fetches) keeps
 * them; any other is grouped here: whatever arrives within `lingerMs` of a batch's first record,
 * up to `max`, so a paced source is not held back by more than the linger.
 */
import type { Source, SourceRecord } from './source.ts';

const TIMEOUT = Symbol('timeout');

export async function* grouped<T>(
  items: AsyncIterable<T>,
  max: number,
  lingerMs: number,
): AsyncGenerator<T[]> {
  const it = items[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined;
  try {
    for (;;) {
      const first = await (pending ?? it.next());
      pending = undefined;
      if (first.done) return;
      const batch = [first.value];
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<typeof TIMEOUT>((resolve) => {
        timer = setTimeout(() => resolve(TIMEOUT), lingerMs);
      });
      try {
        while (batch.length < max) {
          pending = it.next();
          const r = await Promise.race([pending, timeout]);
          if (r === TIMEOUT) break; // `pending` is the next batch's first record
          pending = undefined;
          if (r.done) {
            yield batch;
            return;
          }
          batch.push(r.value);
        }
      } finally {
        clearTimeout(timer);
      }
      yield batch;
    }
  } finally {
    await it.return?.();
  }
}

/** A source's records in batches: its own, or grouped (at most 1,000 records or 20 ms). */
export function batchesOf(source: Source): AsyncIterable<readonly SourceRecord[]> {
  return source.batches ?? grouped(source.records, 1_000, 20);
}
