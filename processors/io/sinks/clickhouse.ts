/**
 * What every processor writes through: the store (a ClickHouse server or chDB), migrated, and its
 * sink, whose unconfirmed rows are bounded by YIBAO_CLICKHOUSE_MAX_BUFFERED_ROWS (backpressure).
 * The batching, rows and migrations are the store's own (processors/storage/).
 */
import type { Config } from '../../config.ts';
import { type ClickHouseSink, createClickHouseSink, type SinkStats } from '../../storage/clickhouse-sink.ts';
import { createStorageClient, type StorageClient } from '../../storage/client.ts';
import { migrate } from '../../storage/migrate.ts';
import type { Sink } from './sink.ts';

export async function openStoreSink(
  config: Config,
  /** An open store to use instead of the configured one (the caller closes it). */
  storage?: StorageClient,
): Promise<{ store: StorageClient; database: string; sink: ClickHouseSink }> {
  const store = storage ?? (await createStorageClient(config));
  const database = config.YIBAO_CLICKHOUSE_DATABASE;
  await migrate(store.client, database);
  const sink = createClickHouseSink({
    client: store.client,
    database,
    maxBufferedRows: config.YIBAO_CLICKHOUSE_MAX_BUFFERED_ROWS,
  });
  return { store, database, sink };
}

export interface StoreSink extends Sink {
  /** The store itself, for queries (/top, the closing summary). Closing the sink leaves it open. */
  readonly store: StorageClient;
  readonly database: string;
  writeState: NonNullable<Sink['writeState']>;
  stats(): SinkStats;
}

/** The store as a Sink: every output and the state snapshots, one row each (storage/rows.ts). */
export async function openClickHouseSink(config: Config, storage?: StorageClient): Promise<StoreSink> {
  const { store, database, sink } = await openStoreSink(config, storage);
  return {
    name: 'clickhouse',
    store,
    database,
    write: (outputs) => sink.write(outputs),
    writeState: (records) => sink.write(records),
    flush: () => sink.flush(),
    close: () => sink.close(),
    stats: () => sink.stats(),
  };
}
