/**
 * The store's client: @clickhouse/client to a ClickHouse server when YIBAO_CLICKHOUSE_URL is set,
 * else chDB in-process at `<YIBAO_DATA_DIR>/chdb` plugged into the same client through
 * `chdb/connection` (ARCHITECTURE.md), so callers write the same SQL and calls either way.
 *
 * chDB locks its data directory (`Cannot lock file …/status`) and binds one directory per
 * process: while a `yibao-monitor run` holds the embedded store, no other process can open it,
 * and this process cannot open a second directory until the first is closed and drained. Commands
 * that read the live embedded store ask the running monitor instead of opening the directory.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { MonitorError } from '../../schemas/errors.ts';
import type { Config } from '../config.ts';

export type StorageConfig = Pick<
  Config,
  'YIBAO_CLICKHOUSE_URL' | 'YIBAO_CLICKHOUSE_USER' | 'YIBAO_CLICKHOUSE_PASSWORD' | 'YIBAO_DATA_DIR'
>;

export type StorageClient = {
  readonly client: ClickHouseClient;
  readonly kind: 'server' | 'chdb';
  /** Where the data lives, without credentials: the server URL or the chDB directory. */
  readonly location: string;
  /** Closes the client; for chDB also waits until the engine has let go of the directory. */
  close(): Promise<void>;
};

/**
 * chdb/connection is typed against @clickhouse/client-common, while @clickhouse/client bundles its
 * own copy of those types; their `SettingsMap` class has private members, so TypeScript treats the
 * two copies as unrelated although they are the same contract at run time (chdb's README).
 */
type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

export function chdbDirectory(config: Pick<Config, 'YIBAO_DATA_DIR'>): string {
  return resolve(config.YIBAO_DATA_DIR, 'chdb');
}

function withoutCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString();
}

/**
 * chdb/connection turns clickhouse_settings into `SET …` on the shared session, where they stay
 * for every later statement. An insert_deduplication_token set by one insert would then apply to
 * the next insert that sets none, and ClickHouse would drop that insert as a duplicate whenever its
 * table had already seen the token. Every insert through this client therefore carries a token: its
 * own, or '' (no token, the server's default: a block is a duplicate only if its content is).
 */
export function keepDeduplicationTokenPerInsert(client: ClickHouseClient): void {
  const insert = client.insert.bind(client);
  client.insert = (params) =>
    insert({
      ...params,
      clickhouse_settings: { insert_deduplication_token: '', ...params.clickhouse_settings },
    });
}

export async function createStorageClient(config: StorageConfig): Promise<StorageClient> {
  const url = config.YIBAO_CLICKHOUSE_URL;
  if (url !== undefined) {
    const client = createClient({
      url,
      ...(config.YIBAO_CLICKHOUSE_USER !== undefined && { username: config.YIBAO_CLICKHOUSE_USER }),
      ...(config.YIBAO_CLICKHOUSE_PASSWORD !== undefined && { password: config.YIBAO_CLICKHOUSE_PASSWORD }),
      application: 'yibao-monitor',
    });
    return { client, kind: 'server', location: withoutCredentials(url), close: () => client.close() };
  }

  const dir = chdbDirectory(config);
  mkdirSync(dir, { recursive: true });
  const { createChdbConnection } = await import('chdb/connection');
  const { drainPending } = await import('chdb');
  let connection: ClientConnection;
  try {
    connection = createChdbConnection({ path: dir }) as unknown as ClientConnection;
  } catch (err) {
    throw new MonitorError(
      'SINK_UNAVAILABLE',
      `cannot open the embedded ClickHouse store (chDB) at ${dir}: ${(err as Error).message}. chDB locks ` +
        'its data directory, so only one process can use it at a time: if a `yibao-monitor run` is using ' +
        `${dir}, stop it first or ask it over its status port; or set YIBAO_CLICKHOUSE_URL to use a ClickHouse server`,
      { path: dir },
      err,
    );
  }
  const client = createClient({ connection });
  keepDeduplicationTokenPerInsert(client);
  return {
    client,
    kind: 'chdb',
    location: dir,
    close: async () => {
      await client.close();
      await drainPending();
    },
  };
}
