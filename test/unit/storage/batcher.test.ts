import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffMs, batchToken, createBatcher } from '../../../processors/storage/batcher.ts';
import { MonitorError } from '../../../schemas/errors.ts';

type Call = { table: string; rows: number[]; token: string };

/** A store that keeps what it was sent and, like ClickHouse, drops an insert whose token it has seen. */
function fakeStore() {
  const calls: Call[] = [];
  const stored: number[] = [];
  const tokens = new Set<string>();
  const insert = async (table: string, rows: readonly number[], token: string) => {
    calls.push({ table, rows: [...rows], token });
    if (tokens.has(token)) return;
    tokens.add(token);
    stored.push(...rows);
  };
  return { calls, stored, insert };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** Whether a promise has settled, after letting pending microtasks run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('batcher bounds', () => {
  it('sends full batches of maxRows at once and the rest after maxDelayMs', async () => {
    const store = fakeStore();
    const b = createBatcher({ insert: store.insert, maxRows: 3, maxDelayMs: 1_000, maxBufferedRows: 100 });
    await b.add('alerts', range(1, 7));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.calls.map((c) => c.rows)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    await vi.advanceTimersByTimeAsync(999);
    expect(store.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.calls.map((c) => c.rows)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('a few rows wait exactly maxDelayMs from the first of them, whatever arrives after', async () => {
    const store = fakeStore();
    const b = createBatcher({ insert: store.insert, maxRows: 100, maxDelayMs: 500, maxBufferedRows: 1_000 });
    await b.add('alerts', [1]);
    await vi.advanceTimersByTimeAsync(300);
    await b.add('alerts', [2]);
    await vi.advanceTimersByTimeAsync(199);
    expect(store.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.calls.map((c) => c.rows)).toEqual([[1, 2]]);
  });

  it('batches per table: rows of two tables never share an insert', async () => {
    const store = fakeStore();
    const b = createBatcher({ insert: store.insert, maxRows: 10, maxDelayMs: 50, maxBufferedRows: 1_000 });
    await b.add('alerts', [1, 2]);
    await b.add('level_changes', [3]);
    await b.add('alerts', [4]);
    await b.flush();
    expect(store.calls.map((c) => [c.table, c.rows])).toEqual([
      ['alerts', [1, 2, 4]],
      ['level_changes', [3]],
    ]);
    expect(b.stats().rows_written).toEqual({ alerts: 3, level_changes: 1 });
    expect(b.stats().batches).toBe(2);
  });

  it('one batch per table is in flight at a time, so a table keeps its order', async () => {
    const gate = deferred();
    const seen: number[][] = [];
    let inFlight = 0;
    let most = 0;
    const b = createBatcher<number>({
      insert: async (_t, rows) => {
        inFlight++;
        most = Math.max(most, inFlight);
        seen.push([...rows]);
        await gate.promise;
        inFlight--;
      },
      maxRows: 2,
      maxDelayMs: 10,
      maxBufferedRows: 100,
    });
    await b.add('alerts', range(1, 6));
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([[1, 2]]);
    gate.resolve();
    await b.flush();
    expect(seen).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(most).toBe(1);
  });

  it('flush sends everything now and resolves when the store has it; close refuses later rows', async () => {
    const store = fakeStore();
    const b = createBatcher({
      insert: store.insert,
      maxRows: 100,
      maxDelayMs: 60_000,
      maxBufferedRows: 1_000,
    });
    await b.add('alerts', [1, 2, 3]);
    await b.flush();
    expect(store.stored).toEqual([1, 2, 3]);
    expect(b.stats().unconfirmed_rows).toBe(0);
    await b.add('alerts', [4]);
    await b.close();
    expect(store.stored).toEqual([1, 2, 3, 4]);
    await expect(b.add('alerts', [5])).rejects.toThrow('the ClickHouse sink is closed');
  });

  it('refuses bounds that are not whole numbers > 0, naming the option', () => {
    const insert = async () => {};
    expect(() => createBatcher({ insert, maxRows: 0, maxDelayMs: 1, maxBufferedRows: 1 })).toThrow(
      'maxRows=0 is invalid: expected a whole number > 0',
    );
    expect(() => createBatcher({ insert, maxRows: 1, maxDelayMs: 1.5, maxBufferedRows: 1 })).toThrow(
      'maxDelayMs=1.5 is invalid: expected a whole number > 0',
    );
  });
});

describe('batcher retries', () => {
  it('the token is the batch content: same rows same token, other rows another token', () => {
    expect(batchToken('alerts', [{ a: 1 }])).toBe(batchToken('alerts', [{ a: 1 }]));
    expect(batchToken('alerts', [{ a: 1 }])).not.toBe(batchToken('alerts', [{ a: 2 }]));
    expect(batchToken('alerts', [{ a: 1 }])).not.toBe(batchToken('level_changes', [{ a: 1 }]));
  });

  it('backoff doubles from the initial delay up to the cap', () => {
    const p = { initialDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, p))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('a batch that failed after the store took it is sent again with the same token and stored once', async () => {
    const store = fakeStore();
    let failures = 2;
    const retries: number[] = [];
    const b = createBatcher<number>({
      insert: async (table, rows, token) => {
        await store.insert(table, rows, token);
        // The store has the rows, but the answer is lost: the caller cannot tell.
        if (failures-- > 0) throw new MonitorError('SINK_UNAVAILABLE', 'socket hang up');
      },
      maxRows: 10,
      maxDelayMs: 10,
      maxBufferedRows: 100,
      retry: { initialDelayMs: 100, maxDelayMs: 1_000 },
      onRetry: (i) => retries.push(i.delayMs),
    });
    await b.add('alerts', [1, 2, 3]);
    const flushed = b.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(store.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    await flushed;
    expect(store.calls).toHaveLength(3);
    expect(new Set(store.calls.map((c) => c.token)).size).toBe(1);
    expect(store.calls.every((c) => c.rows.join() === '1,2,3')).toBe(true);
    expect(store.stored).toEqual([1, 2, 3]);
    expect(retries).toEqual([100, 200]);
    expect(b.stats()).toMatchObject({
      retries: 2,
      batches: 1,
      rows_written: { alerts: 3 },
      last_error: 'socket hang up',
    });
  });

  it('a plain error (a socket, HTTP) counts as retriable', async () => {
    const store = fakeStore();
    let failures = 1;
    const b = createBatcher<number>({
      insert: async (t, rows, token) => {
        if (failures-- > 0) throw new Error('connect ECONNREFUSED 127.0.0.1:8123');
        await store.insert(t, rows, token);
      },
      maxRows: 10,
      maxDelayMs: 10,
      maxBufferedRows: 100,
    });
    await b.add('alerts', [1]);
    const flushed = b.flush();
    await vi.advanceTimersByTimeAsync(100);
    await flushed;
    expect(store.stored).toEqual([1]);
    expect(b.stats().retries).toBe(1);
  });

  it('a non-retriable failure stops the batcher: flush, waiting writers and later writes reject with it', async () => {
    const b = createBatcher<number>({
      insert: async () => {
        throw new MonitorError('INTERNAL', 'ClickHouse refused 2 rows for alerts (code 27)');
      },
      maxRows: 2,
      maxDelayMs: 10,
      maxBufferedRows: 2,
    });
    const waiting = b.add('alerts', [1, 2]);
    const caught = waiting.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    const err = await caught;
    expect(err).toBeInstanceOf(MonitorError);
    expect((err as MonitorError).code).toBe('INTERNAL');
    await expect(b.flush()).rejects.toThrow('ClickHouse refused 2 rows for alerts (code 27)');
    await expect(b.add('alerts', [3])).rejects.toThrow('ClickHouse refused');
    expect(b.stats()).toMatchObject({ retries: 0, batches: 0, unconfirmed_rows: 2 });
  });
});

describe('batcher backpressure', () => {
  it('add stays pending while maxBufferedRows rows are unconfirmed and resolves once the store takes them', async () => {
    const gate = deferred();
    const b = createBatcher<number>({
      insert: () => gate.promise,
      maxRows: 3,
      maxDelayMs: 1_000,
      maxBufferedRows: 5,
    });
    expect(await settled(b.add('alerts', [1, 2]))).toBe(true);
    const full = b.add('alerts', [3, 4, 5]);
    expect(await settled(full)).toBe(false);
    expect(b.stats().unconfirmed_rows).toBe(5);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await settled(full)).toBe(false);
    gate.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(await settled(full)).toBe(true);
    await b.flush();
    expect(b.stats().unconfirmed_rows).toBe(0);
  });

  it('while the store is down, writers wait through the retries and go on when it is back', async () => {
    let down = true;
    const stored: number[] = [];
    const b = createBatcher<number>({
      insert: async (_t, rows) => {
        if (down) throw new MonitorError('SINK_UNAVAILABLE', 'ClickHouse is down');
        stored.push(...rows);
      },
      maxRows: 4,
      maxDelayMs: 100,
      maxBufferedRows: 4,
      retry: { initialDelayMs: 100, maxDelayMs: 400 },
    });
    const writer = b.add('alerts', range(1, 4));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await settled(writer)).toBe(false);
    expect(b.stats().retries).toBeGreaterThan(5);
    expect(b.stats().unconfirmed_rows).toBe(4);
    down = false;
    await vi.advanceTimersByTimeAsync(400);
    expect(await settled(writer)).toBe(true);
    expect(stored).toEqual([1, 2, 3, 4]);
  });

  it('over the bound, rows below maxRows in other tables are sent early rather than waiting for timers', async () => {
    const store = fakeStore();
    const b = createBatcher({ insert: store.insert, maxRows: 10, maxDelayMs: 60_000, maxBufferedRows: 4 });
    await b.add('alerts', [1, 2]);
    const w = b.add('level_changes', [3, 4]);
    await vi.advanceTimersByTimeAsync(0);
    expect(await settled(w)).toBe(true);
    expect(store.calls.map((c) => c.table).sort()).toEqual(['alerts', 'level_changes']);
  });
});

describe('batcher: a refused row is that row’s problem (issue 16)', () => {
  /** A store that refuses any insert holding a negative row, as ClickHouse refuses a whole block. */
  function refusingStore() {
    const s = fakeStore();
    const insert = async (table: string, rows: readonly number[], token: string) => {
      if (table !== 'dead' && rows.some((r) => r < 0)) {
        s.calls.push({ table, rows: [...rows], token });
        throw new MonitorError('INTERNAL', `ClickHouse refused ${rows.length} rows for ${table} (code 41)`);
      }
      await s.insert(table, rows, token);
    };
    return { ...s, insert };
  }

  it('the refused rows go where onRefused says, the rest of the batch and every other table are written', async () => {
    const store = refusingStore();
    const moved: [string, number, string][] = [];
    const b = createBatcher<number>({
      insert: store.insert,
      maxRows: 100,
      maxDelayMs: 10,
      maxBufferedRows: 1_000,
      onRefused: (table, row, error) => {
        moved.push([table, row, error.message]);
        return { table: 'dead', row: 1_000_000 - row };
      },
    });
    const rows = range(0, 100).map((i) => (i === 17 || i === 64 ? -i : i));
    await b.add('snapshots', rows);
    await b.add('alerts', range(200, 5));
    await b.flush();
    expect(moved).toEqual([
      ['snapshots', -17, 'ClickHouse refused 1 rows for snapshots (code 41)'],
      ['snapshots', -64, 'ClickHouse refused 1 rows for snapshots (code 41)'],
    ]);
    expect([...store.stored].sort((x, y) => x - y)).toEqual(
      [...rows.filter((r) => r >= 0), ...range(200, 5), 1_000_017, 1_000_064].sort((x, y) => x - y),
    );
    expect(b.stats()).toMatchObject({ unconfirmed_rows: 0, refused_rows: { snapshots: 2 } });
    // Bisection: about 2·log2(100) inserts per refused row, not one per row.
    expect(store.calls.filter((c) => c.table === 'snapshots').length).toBeLessThan(30);
    await expect(b.add('alerts', [300])).resolves.toBeUndefined();
  });

  it('a row refused where it was sent to stops the batcher as before', async () => {
    const store = refusingStore();
    const b = createBatcher<number>({
      insert: store.insert,
      maxRows: 10,
      maxDelayMs: 10,
      maxBufferedRows: 1_000,
      onRefused: (table, row) => ({ table, row }),
    });
    await b.add('alerts', [1, -2, 3]);
    await expect(b.flush()).rejects.toThrow('ClickHouse refused 1 rows for alerts (code 41)');
    expect(store.stored).toEqual([1]); // stopped at the row with nowhere to go
  });
});
