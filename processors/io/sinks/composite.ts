/**
 * Several sinks as one: the same outputs to each, one sink at a time in the order given, for
 * writes, flushes and closes alike (open-sinks.ts says why that order).
 *
 * One at a time, not all at once: a sink whose write fails (or is still waiting for room) holds the
 * later ones back, as the run loops always did, so what reached a sink never depends on which of
 * two concurrent writes lost a race. The write therefore resolves when the slowest sink has room.
 */
import { MonitorError } from '../../../schemas/errors.ts';
import type { TopologyOutput } from '../../outputs.ts';
import type { Sink, StateRecord } from './sink.ts';

export interface CompositeSink extends Sink {
  readonly sinks: readonly Sink[];
  /** The state snapshot to every sink that keeps state, in order. */
  writeState(records: readonly StateRecord[]): Promise<void>;
  /** Each sink's stats, by its name (sinks without stats are left out). */
  stats(): Record<string, unknown>;
  /** To every sink that can be interrupted, in order. */
  interrupt(): void;
}

export type CompositeOptions = {
  /** How long each sink's write took, backpressure included (the yibao_sink_latency_seconds histogram). */
  readonly onWrite?: (sink: string, seconds: number) => void;
};

export function combineSinks(sinks: readonly Sink[], options: CompositeOptions = {}): CompositeSink {
  const names = sinks.map((s) => s.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined)
    throw new MonitorError('INTERNAL', `two sinks are named ${twice}: each sink needs a name of its own`, {
      sinks: names,
    });
  const stateful = sinks.filter((s) => s.writeState !== undefined);
  return {
    name: 'sinks',
    sinks,
    async write(outputs: readonly TopologyOutput[]) {
      for (const s of sinks) {
        const t0 = performance.now();
        await s.write(outputs);
        options.onWrite?.(s.name, (performance.now() - t0) / 1000);
      }
    },
    async writeState(records: readonly StateRecord[]) {
      for (const s of stateful) await s.writeState!(records);
    },
    // The first failure stops the flush: the caller then commits nothing, whatever the others did.
    async flush() {
      for (const s of sinks) await s.flush();
    },
    async close() {
      const failures: { sink: string; error: unknown }[] = [];
      for (const s of sinks) {
        try {
          await s.close();
        } catch (error) {
          failures.push({ sink: s.name, error });
        }
      }
      if (failures.length > 0) throw closeFailure(failures);
    },
    interrupt() {
      for (const s of sinks) s.interrupt?.();
    },
    stats() {
      const all: Record<string, unknown> = {};
      for (const s of sinks) if (s.stats) all[s.name] = s.stats();
      return all;
    },
  };
}

/**
 * One error naming every sink that did not close and why. It takes the class and code of the
 * first failure, so the exit code is the one that failure alone gave before the sinks were
 * combined (a MonitorError exits 2 with its message; anything else is an unexpected error).
 */
function closeFailure(failures: readonly { sink: string; error: unknown }[]): Error {
  const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));
  const first = failures[0]!;
  const message =
    failures.length === 1
      ? `sink ${first.sink} did not close: ${reason(first.error)}`
      : `sinks did not close: ${failures.map((f) => `${f.sink}: ${reason(f.error)}`).join('; ')}`;
  const cause =
    failures.length === 1
      ? first.error
      : new AggregateError(
          failures.map((f) => f.error),
          message,
        );
  const sinks = failures.map((f) => f.sink);
  if (first.error instanceof MonitorError)
    return new MonitorError(first.error.code, message, { ...first.error.context, sinks }, cause);
  return Object.assign(new Error(message, { cause }), { sinks });
}
