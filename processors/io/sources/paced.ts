/**
 * Paces any record stream to a steady rate (records per second) against the wall clock, for the
 * live demo and latency benchmarks. Event time stays the records' own; only delivery is paced.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SourceRecord } from './source.ts';

export async function* paced(
  records: AsyncIterable<SourceRecord>,
  perSecond: number,
  signal?: AbortSignal,
): AsyncGenerator<SourceRecord> {
  const started = performance.now();
  let n = 0;
  for await (const r of records) {
    if (signal?.aborted) return;
    n++;
    const due = started + (n / perSecond) * 1000;
    const wait = due - performance.now();
    if (wait > 1) {
      try {
        await sleep(wait, undefined, signal ? { signal } : undefined);
      } catch {
        return;
      }
    }
    yield r;
  }
}
