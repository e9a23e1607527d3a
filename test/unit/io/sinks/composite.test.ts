/**
 * The composite the run loops write through (processors/io/sinks/composite.ts): the same outputs
 * to every sink, flushes and closes in one order, a failing close that does not keep the others
 * open, and a write that holds the loop until the slowest sink has room.
 */
import { describe, expect, it } from 'vitest';
import { combineSinks } from '../../../../processors/io/sinks/composite.ts';
import type { Sink, StateRecord } from '../../../../processors/io/sinks/sink.ts';
import type { TopologyOutput } from '../../../../processors/outputs.ts';
import { MonitorError } from '../../../../schemas/errors.ts';

type Call = `${string}.${'write' | 'writeState' | 'flush' | 'close'}`;

/** A sink that records what it was asked, into a log shared by all of a test's sinks. */
function recording(name: string, log: Call[], over: Partial<Sink> = {}): Sink & { got: unknown[] } {
  const got: unknown[] = [];
  return {
    name,
    got,
    async write(outputs) {
      log.push(`${name}.write`);
      got.push(outputs);
    },
    async flush() {
      log.push(`${name}.flush`);
    },
    async close() {
      log.push(`${name}.close`);
    },
    ...over,
  };
}

const outputs: TopologyOutput[] = [
  { kind: 'rejected', raw: '{"x":', error: 'not JSON', path: '' },
  { kind: 'rejected', raw: '[]', error: 'not an object', path: '', line: 2 },
];

/** Settles or not within a few turns of the event loop. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return done;
}

describe('combineSinks', () => {
  it('gives every sink the same outputs, one sink after the other in the order given', async () => {
    const log: Call[] = [];
    const a = recording('a', log);
    const b = recording('b', log);
    const c = recording('c', log);
    await combineSinks([a, b, c]).write(outputs);
    expect(log).toEqual(['a.write', 'b.write', 'c.write']);
    for (const s of [a, b, c]) expect(s.got).toEqual([outputs]);
    expect(b.got[0]).toBe(outputs); // the same array, not a copy per sink
  });

  it('hands state snapshots only to the sinks that keep state', async () => {
    const log: Call[] = [];
    const kept: StateRecord[][] = [];
    const stateful = recording('store', log, {
      async writeState(records) {
        log.push('store.writeState');
        kept.push([...records]);
      },
    });
    const state: StateRecord[] = [
      { kind: 'pipeline_metric', at: '2026-03-02T10:00:00Z', stage: 'decode', metric: 'records', value: 3 },
    ];
    await combineSinks([recording('file', log), stateful]).writeState(state);
    expect(log).toEqual(['store.writeState']);
    expect(kept).toEqual([state]);
  });

  it('write resolves only when the slowest sink has room (backpressure)', async () => {
    const log: Call[] = [];
    let room!: () => void;
    const slow = recording('slow', log, {
      write: () => new Promise<void>((resolve) => (room = resolve)),
    });
    const fast = recording('fast', log);
    const writing = combineSinks([fast, slow]).write(outputs);
    expect(await settled(writing)).toBe(false);
    room();
    expect(await settled(writing)).toBe(true);
  });

  it('a sink still waiting for room holds back the sinks after it', async () => {
    const log: Call[] = [];
    let room!: () => void;
    const slow = recording('slow', log, {
      write: () => new Promise<void>((resolve) => (room = resolve)),
    });
    const after = recording('after', log);
    const writing = combineSinks([slow, after]).write(outputs);
    await settled(writing);
    expect(after.got).toEqual([]);
    room();
    await writing;
    expect(after.got).toEqual([outputs]);
  });

  it('reports how long each sink took to take a write, by name', async () => {
    const log: Call[] = [];
    const seen: [string, number][] = [];
    const slow = recording('slow', log, {
      write: () => new Promise<void>((resolve) => setTimeout(resolve, 30)),
    });
    await combineSinks([recording('fast', log), slow], { onWrite: (n, s) => seen.push([n, s]) }).write(
      outputs,
    );
    expect(seen.map(([n]) => n)).toEqual(['fast', 'slow']);
    expect(seen[1]![1]).toBeGreaterThanOrEqual(0.025);
    expect(seen[0]![1]).toBeLessThan(seen[1]![1]);
  });

  it('flushes every sink in order and resolves only after the last (offsets follow durable outputs)', async () => {
    const log: Call[] = [];
    let durable!: () => void;
    const last = recording('last', log, {
      async flush() {
        log.push('last.flush');
        await new Promise<void>((resolve) => (durable = resolve));
      },
    });
    const flushing = combineSinks([recording('a', log), recording('b', log), last]).flush();
    expect(await settled(flushing)).toBe(false);
    expect(log).toEqual(['a.flush', 'b.flush', 'last.flush']);
    durable();
    expect(await settled(flushing)).toBe(true);
  });

  it('a failing flush fails the whole flush, so the caller commits nothing', async () => {
    const log: Call[] = [];
    const down = new MonitorError('SINK_UNAVAILABLE', 'ClickHouse did not take 3 rows for alerts');
    const failing = recording('b', log, {
      flush: async () => {
        throw down;
      },
    });
    await expect(combineSinks([recording('a', log), failing, recording('c', log)]).flush()).rejects.toBe(
      down,
    );
    expect(log).toEqual(['a.flush']);
  });

  it('closes every sink in order even when one close fails, and the error names that sink', async () => {
    const log: Call[] = [];
    const failing = recording('alert_bus', log, {
      close: async () => {
        log.push('alert_bus.close');
        throw new MonitorError('SINK_UNAVAILABLE', 'cannot publish alert a-1 to the alert bus', {
          stream: 'ALERTS',
        });
      },
    });
    const closing = combineSinks([
      recording('alert_file', log),
      failing,
      recording('clickhouse', log),
    ]).close();
    const err = await closing.catch((e: unknown) => e);
    expect(log).toEqual(['alert_file.close', 'alert_bus.close', 'clickhouse.close']);
    // The class and code of the failure itself: the CLI exits as it did for it alone.
    expect(err).toBeInstanceOf(MonitorError);
    expect((err as MonitorError).code).toBe('SINK_UNAVAILABLE');
    expect((err as MonitorError).message).toBe(
      'sink alert_bus did not close: cannot publish alert a-1 to the alert bus',
    );
    expect((err as MonitorError).context).toEqual({ stream: 'ALERTS', sinks: ['alert_bus'] });
  });

  it('reports every close that failed, in order, in one error', async () => {
    const log: Call[] = [];
    const boom = (name: string, err: unknown) =>
      recording(name, log, {
        close: async () => {
          log.push(`${name}.close`);
          throw err;
        },
      });
    const plain = new Error('EBADF: bad file descriptor, close');
    const closing = combineSinks([
      boom('alert_file', plain),
      recording('alert_bus', log),
      boom('clickhouse', new MonitorError('SINK_UNAVAILABLE', 'ClickHouse did not take 5 rows for alerts')),
    ]).close();
    const err = (await closing.catch((e: unknown) => e)) as Error & { sinks: string[] };
    expect(log).toEqual(['alert_file.close', 'alert_bus.close', 'clickhouse.close']);
    // The first failure is not a MonitorError, so neither is the whole (an unexpected error, exit 1).
    expect(err).not.toBeInstanceOf(MonitorError);
    expect(err.message).toBe(
      'sinks did not close: alert_file: EBADF: bad file descriptor, close; clickhouse: ClickHouse did not take 5 rows for alerts',
    );
    expect(err.sinks).toEqual(['alert_file', 'clickhouse']);
    expect((err.cause as AggregateError).errors).toHaveLength(2);
    expect((err.cause as AggregateError).errors[0]).toBe(plain);
  });

  it('shows the stats of the sinks that have them, by name', () => {
    const log: Call[] = [];
    const store = recording('clickhouse', log, { stats: () => ({ unconfirmed_rows: 7 }) });
    expect(combineSinks([recording('alert_file', log), store]).stats()).toEqual({
      clickhouse: { unconfirmed_rows: 7 },
    });
  });

  it('refuses two sinks of one name (their stats and metrics would be mixed)', () => {
    const log: Call[] = [];
    expect(() => combineSinks([recording('alert_file', log), recording('alert_file', log)])).toThrow(
      'two sinks are named alert_file',
    );
  });
});
