/**
 * Batches rows per table for an insert function, with the three properties the sink needs
 * (ARCHITECTURE.md: "State, restarts and no loss"):
 * - bounded latency and size: a table's rows go out when `maxRows` are waiting or `maxDelayMs`
 *   after the first of them arrived;
 * - retry without duplicates: a failed batch is sent again, unchanged and with the same
 *   content-derived token, with exponential backoff, for as long as the failure is retriable;
 * - backpressure: `add` resolves only while fewer than `maxBufferedRows` rows are unconfirmed
 *   (buffered or in flight), so the caller pauses its source while the store is slow or down
 *   instead of growing memory without bound.
 * One batch per table is in flight at a time, so a table's rows arrive in the order they came.
 * A non-retriable failure stops the batcher: every pending and later call rejects with it, and
 * nothing is dropped silently (the caller restarts from its last committed offsets). With
 * `onRefused`, a refusal of the data ('INTERNAL') is first narrowed down to the rows refused
 * alone, which go where `onRefused` says (dead letters), and the rest is written.
 */
import { createHash } from 'node:crypto';
import { MonitorError } from '../../schemas/errors.ts';
import { pushAll } from '../arrays.ts';

export type InsertBatch<R> = (table: string, rows: readonly R[], token: string) => Promise<void>;

export type RetryPolicy = {
  /** First pause after a failure. */
  readonly initialDelayMs: number;
  /** The pause doubles after each failure up to this. */
  readonly maxDelayMs: number;
};

export type BatcherOptions<R> = {
  readonly insert: InsertBatch<R>;
  readonly maxRows: number;
  readonly maxDelayMs: number;
  readonly maxBufferedRows: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Decides whether a failure is worth retrying; MonitorError's own flag by default. */
  readonly classify?: (err: unknown, table: string, rows: number) => MonitorError;
  readonly onRetry?: (info: {
    table: string;
    rows: number;
    attempt: number;
    delayMs: number;
    error: Error;
  }) => void;
  readonly now?: () => number;
  /**
   * A row the store refused (a non-retriable failure that stays when the row is sent alone, found
   * by bisecting the batch): where it goes instead, e.g. a dead-letter row; the rest of its batch
   * is written and the batcher goes on. Without it, or for the row it returns being refused in
   * turn, a refusal stops the batcher as before.
   */
  readonly onRefused?: (table: string, row: R, error: MonitorError) => { table: string; row: R };
};

export type BatcherStats = {
  readonly rows_written: Readonly<Record<string, number>>;
  readonly batches: number;
  readonly retries: number;
  readonly last_latency_ms: number | null;
  readonly unconfirmed_rows: number;
  readonly last_error: string | null;
  /** Unconfirmed rows per table (tables with none left out). */
  readonly unconfirmed_by_table: Readonly<Record<string, number>>;
  /** Rows the store refused, sent elsewhere by `onRefused`, per table. */
  readonly refused_rows: Readonly<Record<string, number>>;
};

export type Batcher<R> = {
  add(table: string, rows: readonly R[]): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): BatcherStats;
};

export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 30_000 };

/** Same rows in the same order → same token: a resent batch is recognised as the same insert. */
export function batchToken(table: string, rows: readonly unknown[]): string {
  const h = createHash('sha256').update(table).update('\n');
  for (const r of rows) h.update(JSON.stringify(r)).update('\n');
  return `${table}-${rows.length}-${h.digest('base64url').slice(0, 32)}`;
}

export function backoffMs(attempt: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
}

function positive(name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) {
    throw new MonitorError('CONFIG_INVALID', `${name}=${v} is invalid: expected a whole number > 0`, {
      option: name,
    });
  }
}

function defaultClassify(err: unknown): MonitorError {
  if (err instanceof MonitorError) return err;
  return new MonitorError('SINK_UNAVAILABLE', (err as Error)?.message ?? String(err), {}, err);
}

type TableState<R> = {
  buffer: R[];
  inFlight: Promise<void> | null;
  timer: NodeJS.Timeout | null;
  due: boolean;
};

export function createBatcher<R>(options: BatcherOptions<R>): Batcher<R> {
  positive('maxRows', options.maxRows);
  positive('maxDelayMs', options.maxDelayMs);
  positive('maxBufferedRows', options.maxBufferedRows);
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const classify = options.classify ?? defaultClassify;
  const now = options.now ?? Date.now;
  const tables = new Map<string, TableState<R>>();
  const written: Record<string, number> = {};
  const refused: Record<string, number> = {};
  const waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let unconfirmed = 0;
  const unconfirmedOf: Record<string, number> = {};
  const count = (table: string, n: number) => {
    unconfirmed += n;
    unconfirmedOf[table] = (unconfirmedOf[table] ?? 0) + n;
  };
  let batches = 0;
  let retries = 0;
  let lastLatency: number | null = null;
  let lastError: string | null = null;
  let failure: MonitorError | null = null;
  let flushing = 0;
  let closed = false;

  const state = (table: string): TableState<R> => {
    let s = tables.get(table);
    if (!s) {
      s = { buffer: [], inFlight: null, timer: null, due: false };
      tables.set(table, s);
    }
    return s;
  };

  function settleWaiters(): void {
    if (failure) {
      for (const w of waiters.splice(0)) w.reject(failure);
    } else if (unconfirmed < options.maxBufferedRows) {
      for (const w of waiters.splice(0)) w.resolve();
    }
  }

  /** One insert, retried while its failure is passing: undefined when written, else the refusal. */
  async function insertRetrying(table: string, rows: readonly R[]): Promise<MonitorError | undefined> {
    const token = batchToken(table, rows);
    for (let attempt = 1; ; attempt++) {
      const started = now();
      try {
        await options.insert(table, rows, token);
        lastLatency = now() - started;
        batches++;
        written[table] = (written[table] ?? 0) + rows.length;
        return undefined;
      } catch (err) {
        const e = classify(err, table, rows.length);
        lastError = e.message;
        if (!e.retriable) return e;
        retries++;
        const delayMs = backoffMs(attempt, retry);
        options.onRetry?.({ table, rows: rows.length, attempt, delayMs, error: e });
        await new Promise((r) => setTimeout(r, delayMs));
        if (failure) return failure;
      }
    }
  }

  /**
   * Writes what the store takes of a refused batch by halves, down to single rows: the rows it
   * still refuses alone go to `onRefused` (issue 16: one bad row stopped every table). A refused
   * row k of n costs about 2·log2(n) inserts.
   */
  async function isolate(
    table: string,
    rows: readonly R[],
    refusal: MonitorError,
  ): Promise<MonitorError | undefined> {
    if (rows.length === 1) {
      const moved = options.onRefused!(table, rows[0]!, refusal);
      refused[table] = (refused[table] ?? 0) + 1;
      if (moved.table === table) return refusal; // nowhere else to go
      pushAll(state(moved.table).buffer, [moved.row]);
      count(moved.table, 1);
      pump(moved.table);
      return undefined;
    }
    const half = Math.ceil(rows.length / 2);
    for (const part of [rows.slice(0, half), rows.slice(half)]) {
      const e = await insertRetrying(table, part);
      if (e === undefined) continue;
      if (e === failure || e.code !== refusal.code) return e;
      const fatal = await isolate(table, part, e);
      if (fatal) return fatal;
    }
    return undefined;
  }

  async function send(table: string, rows: readonly R[]): Promise<void> {
    let e = await insertRetrying(table, rows);
    if (e !== undefined && e !== failure && options.onRefused && e.code === 'INTERNAL')
      e = await isolate(table, rows, e);
    // A batch that failed stays unconfirmed (the caller restarts from its last committed offsets).
    if (e === undefined) count(table, -rows.length);
    else failure ??= e;
    settleWaiters();
  }

  function pump(table: string): void {
    const s = state(table);
    if (s.inFlight || failure || s.buffer.length === 0) return;
    if (!(s.due || flushing > 0 || s.buffer.length >= options.maxRows)) {
      s.timer ??= setTimeout(() => {
        s.timer = null;
        s.due = true;
        pump(table);
      }, options.maxDelayMs);
      return;
    }
    if (s.timer) clearTimeout(s.timer);
    s.timer = null;
    s.due = false;
    const batch = s.buffer.splice(0, options.maxRows);
    s.inFlight = send(table, batch).finally(() => {
      s.inFlight = null;
      pump(table);
    });
  }

  /** Over the bound, send everything now rather than wait for the timers. */
  function drainEarly(): void {
    for (const [table, s] of tables) {
      s.due = s.buffer.length > 0;
      pump(table);
    }
  }

  async function flush(): Promise<void> {
    flushing++;
    try {
      for (;;) {
        if (failure) throw failure;
        for (const table of tables.keys()) pump(table);
        const busy = [...tables.values()].map((s) => s.inFlight).filter((p) => p !== null);
        if (busy.length === 0) break;
        await Promise.all(busy);
      }
      if (failure) throw failure;
    } finally {
      flushing--;
    }
  }

  return {
    add(table, rows) {
      if (failure) return Promise.reject(failure);
      if (closed) return Promise.reject(new MonitorError('INTERNAL', 'the ClickHouse sink is closed'));
      if (rows.length > 0) {
        pushAll(state(table).buffer, rows);
        count(table, rows.length);
        pump(table);
      }
      if (unconfirmed < options.maxBufferedRows) return Promise.resolve();
      drainEarly();
      return new Promise((resolve, reject) => {
        waiters.push({ resolve, reject });
      });
    },
    flush,
    async close() {
      closed = true;
      try {
        await flush();
      } finally {
        for (const s of tables.values()) {
          if (s.timer) clearTimeout(s.timer);
          s.timer = null;
        }
      }
    },
    stats: () => ({
      rows_written: { ...written },
      batches,
      retries,
      last_latency_ms: lastLatency,
      unconfirmed_rows: unconfirmed,
      last_error: lastError,
      unconfirmed_by_table: Object.fromEntries(Object.entries(unconfirmedOf).filter(([, n]) => n > 0)),
      refused_rows: { ...refused },
    }),
  };
}
