/**
 * What every processor writes through: the store (a ClickHouse server or chDB), migrated, and its
 * sink, whose unconfirmed rows are bounded by YIBAO_CLICKHOUSE_MAX_BUFFERED_ROWS (backpressure).
 */
import type { Config } from '../../config.ts';
import { type ClickHouseSink, createClickHouseSink } from '../../storage/clickhouse-sink.ts';
import { createStorageClient, type StorageClient } from '../../storage/client.ts';
import { migrate } from '../../storage/migrate.ts';

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
