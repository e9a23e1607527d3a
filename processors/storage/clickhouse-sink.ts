/**
 * The ClickHouse sink: topology outputs (and standings, chain statuses, indicator snapshots,
 * dead letters, pipeline metrics) → one row each (rows.ts) → batches per table (batcher.ts) →
 * `INSERT … FORMAT JSONEachRow` through @clickhouse/client, on a server or on chDB alike.
 *
 * Idempotent twice over: each batch carries an insert_deduplication_token derived from its
 * content, so a batch resent after a timeout is dropped by the table and by the rollups fed from
 * it (deduplicate_blocks_in_dependent_materialized_views); and the ReplacingMergeTree tables key
 * on deterministic ids, so rows written again in another batch after a crash collapse too.
 *
 * On chDB, clickhouse_settings become `SET …` statements on the shared session and stay set for
 * later statements. Every insert here therefore passes every setting it relies on, including the
 * token: an insert that left the token out would inherit the previous one and could be dropped
 * as a "duplicate".
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { MonitorError } from '../../schemas/errors.ts';
import { type Batcher, type BatcherStats, createBatcher, type RetryPolicy } from './batcher.ts';
import { checkDatabaseName } from './database.ts';
import { refusedRowDeadLetter, type StorageRecord, TABLES, type TableName, toTableRow } from './rows.ts';

export type SinkOptions = {
  readonly maxRows?: number;
  readonly maxDelayMs?: number;
  readonly maxBufferedRows?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly onRetry?: (info: {
    table: string;
    rows: number;
    attempt: number;
    delayMs: number;
    error: Error;
  }) => void;
  /** The clock for dead letters that carry no arrival time (the sink is at the I/O edge). */
  readonly now?: () => number;
};

export type ClickHouseSinkOptions = SinkOptions & {
  readonly client: ClickHouseClient;
  readonly database: string;
};

export type SinkStats = BatcherStats & { readonly skipped_records: number };

export type ClickHouseSink = {
  /**
   * Resolves once the records are buffered and fewer than `maxBufferedRows` rows are unconfirmed:
   * the caller awaits it before reading more from its source. Buffered is not stored yet.
   */
  write(records: readonly StorageRecord[]): Promise<void>;
  /** Resolves when ClickHouse has every row written so far: commit source offsets after this. */
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): SinkStats;
};

export const SINK_DEFAULTS = { maxRows: 10_000, maxDelayMs: 1_000, maxBufferedRows: 100_000 } as const;

/**
 * ClickHouse error codes of passing trouble (overload, timeouts, network, read-only while a
 * replica recovers). Any other code is a refusal of the data or the statement: sending it again
 * cannot help. Errors without a ClickHouse code (sockets, HTTP) are retried.
 */
const TRANSIENT_CODES = new Set([
  '159', // TIMEOUT_EXCEEDED
  '202', // TOO_MANY_SIMULTANEOUS_QUERIES
  '203', // NO_FREE_CONNECTION
  '209', // SOCKET_TIMEOUT
  '210', // NETWORK_ERROR
  '241', // MEMORY_LIMIT_EXCEEDED
  '242', // TABLE_IS_READ_ONLY
  '252', // TOO_MANY_PARTS
  '285', // TOO_FEW_LIVE_REPLICAS
  '319', // UNKNOWN_STATUS_OF_INSERT
  '394', // QUERY_WAS_CANCELLED
  '425', // SYSTEM_ERROR
  '439', // CANNOT_SCHEDULE_TASK
  '999', // KEEPER_EXCEPTION
]);
const MISSING_SCHEMA_CODES = new Set(['60', '81']); // UNKNOWN_TABLE, UNKNOWN_DATABASE

/** The ClickHouse error code, when ClickHouse (server or chDB) answered with one. */
export function clickhouseCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^\d+$/.test(code) ? code : undefined;
}

export function classifyInsertError(err: unknown, table: string, rows: number): MonitorError {
  if (err instanceof MonitorError) return err;
  const message = (err as Error)?.message ?? String(err);
  const code = clickhouseCode(err);
  const context = { table, rows, clickhouse_code: code };
  if (code === undefined || TRANSIENT_CODES.has(code)) {
    return new MonitorError(
      'SINK_UNAVAILABLE',
      `ClickHouse did not take ${rows} rows for ${table}: ${message}`,
      context,
      err,
    );
  }
  if (MISSING_SCHEMA_CODES.has(code)) {
    return new MonitorError(
      'CONFIG_MISSING',
      `ClickHouse has no table for ${table} (${message}): run \`yibao-monitor migrate\` on this store first`,
      context,
      err,
    );
  }
  return new MonitorError(
    'INTERNAL',
    // One bad value refuses the whole insert: the sink narrows it down to the rows refused alone,
    // which become dead letters with this message (batcher.ts `onRefused`).
    `ClickHouse refused ${rows} rows for ${table} (code ${code}): ${message.trim()}`,
    context,
    err,
  );
}

/** The sink over any insert function: the mapping and batching without a client (unit tests). */
export function createSink(
  insert: (table: TableName, rows: readonly object[], token: string) => Promise<void>,
  options: SinkOptions = {},
): ClickHouseSink {
  const now = options.now ?? Date.now;
  let skipped = 0;
  const batcher: Batcher<object> = createBatcher<object>({
    insert: (table, rows, token) => insert(table as TableName, rows, token),
    maxRows: options.maxRows ?? SINK_DEFAULTS.maxRows,
    maxDelayMs: options.maxDelayMs ?? SINK_DEFAULTS.maxDelayMs,
    maxBufferedRows: options.maxBufferedRows ?? SINK_DEFAULTS.maxBufferedRows,
    classify: classifyInsertError,
    onRefused: (table, row, error) =>
      table === 'dead_letters'
        ? { table, row }
        : { table: 'dead_letters', row: refusedRowDeadLetter(table, row, error.message, now()) },
    ...(options.retry !== undefined && { retry: options.retry }),
    ...(options.onRetry !== undefined && { onRetry: options.onRetry }),
  });
  return {
    async write(records) {
      const receivedAt = now();
      const byTable = new Map<TableName, object[]>();
      for (const r of records) {
        const t = toTableRow(r, receivedAt);
        if (t === undefined) {
          skipped++;
          continue;
        }
        const rows = byTable.get(t.table) ?? [];
        rows.push(t.row);
        byTable.set(t.table, rows);
      }
      const added = TABLES.filter((t) => byTable.has(t)).map((t) => batcher.add(t, byTable.get(t)!));
      await Promise.all(added);
    },
    flush: () => batcher.flush(),
    close: () => batcher.close(),
    stats: () => ({ ...batcher.stats(), skipped_records: skipped }),
  };
}

/** One batch into `<database>.<table>`, with every setting it relies on (see the top comment). */
export function clickhouseInsert(
  client: ClickHouseClient,
  database: string,
): (table: TableName, rows: readonly object[], token: string) => Promise<void> {
  checkDatabaseName(database);
  return async (table, rows, token) => {
    await client.insert({
      table: `${database}.${table}`,
      values: rows as object[],
      format: 'JSONEachRow',
      clickhouse_settings: {
        insert_deduplicate: 1,
        insert_deduplication_token: token,
        deduplicate_blocks_in_dependent_materialized_views: 1,
      },
    });
  };
}

export function createClickHouseSink(options: ClickHouseSinkOptions): ClickHouseSink {
  return createSink(clickhouseInsert(options.client, options.database), options);
}
