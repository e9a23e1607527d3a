// ClickHouse for integration tests, through @clickhouse/client either way: chDB in-process on a
// fresh temporary directory (default), or a ClickHouse server in a container (testcontainers).
// chDB binds one data directory per process, which is why vitest runs in forked workers
// (ARCHITECTURE.md); close() waits for chDB to let go before the directory is removed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';

export interface TestClickHouse {
  client: ClickHouseClient;
  kind: 'chdb' | 'server';
  /** Engine version as the engine reports it (`SELECT version()`). */
  version: string;
  close(): Promise<void>;
}

/**
 * chdb/connection is typed against @clickhouse/client-common, while @clickhouse/client bundles its
 * own copy of those types; their `SettingsMap` class has private members, so TypeScript treats the
 * two copies as unrelated although they are the same contract at run time (chdb's README).
 */
type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

const CLICKHOUSE_IMAGE = process.env.YIBAO_TEST_CLICKHOUSE_IMAGE ?? 'clickhouse/clickhouse-server:25.8';

async function engineVersion(client: ClickHouseClient): Promise<string> {
  const rs = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
  const [row] = await rs.json<{ v: string }>();
  return row?.v ?? 'unknown';
}

/** chDB on a fresh temporary directory; `wrap` may put something between the client and the engine. */
async function openChdb(wrap: (c: ClientConnection) => ClientConnection = (c) => c): Promise<TestClickHouse> {
  const { createChdbConnection } = await import('chdb/connection');
  const { drainPending } = await import('chdb');
  const dir = mkdtempSync(join(tmpdir(), 'yibao-chdb-'));
  const connection = wrap(createChdbConnection({ path: dir }) as unknown as ClientConnection);
  const client = createClient({ connection });
  return {
    client,
    kind: 'chdb',
    version: await engineVersion(client),
    close: async () => {
      await client.close();
      await drainPending();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type ClickHouseWithOutage = TestClickHouse & {
  /** While true every call through the client fails as an unreachable server's would. */
  down: boolean;
  /** Calls refused so far. */
  readonly refused: number;
};

/**
 * chDB behind a connection that can be cut: while `down`, every request the client sends (query,
 * insert, command, ping) fails with ECONNREFUSED before reaching the engine, as it would with a
 * ClickHouse server stopped or unreachable. chDB runs inside this process, so there is no server
 * to stop; the fault sits where the network would be, under the real @clickhouse/client.
 */
export async function openChdbWithOutage(): Promise<ClickHouseWithOutage> {
  const state = { down: false, refused: 0 };
  const cut = (inner: ClientConnection) =>
    new Proxy(inner, {
      get(target, name, receiver) {
        const v = Reflect.get(target, name, receiver);
        if (typeof v !== 'function') return v;
        if (name === 'close') return v.bind(target);
        return (...args: unknown[]) => {
          if (!state.down) return v.apply(target, args);
          state.refused++;
          return Promise.reject(
            Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }),
          );
        };
      },
    });
  const opened = await openChdb(cut);
  return Object.defineProperties(opened, {
    down: { get: () => state.down, set: (v: boolean) => void (state.down = v) },
    refused: { get: () => state.refused },
  }) as ClickHouseWithOutage;
}

async function openServer(): Promise<TestClickHouse> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(CLICKHOUSE_IMAGE)
    .withExposedPorts(8123)
    .withEnvironment({ CLICKHOUSE_USER: 'test', CLICKHOUSE_PASSWORD: 'test', CLICKHOUSE_DB: 'default' })
    .withUlimits({ nofile: { soft: 262_144, hard: 262_144 } })
    .withWaitStrategy(Wait.forHttp('/ping', 8123).forStatusCode(200))
    .withStartupTimeout(120_000)
    .start();
  const client = createClient({
    url: `http://${container.getHost()}:${container.getMappedPort(8123)}`,
    username: 'test',
    password: 'test',
  });
  try {
    return {
      client,
      kind: 'server',
      version: await engineVersion(client),
      close: async () => {
        await client.close();
        await container.stop();
      },
    };
  } catch (err) {
    await client.close();
    await container.stop();
    throw err;
  }
}

/** chDB unless `kind: 'server'` is asked (which needs a Docker engine; see docker.ts). */
export function createTestClickHouse(opts: { kind?: 'chdb' | 'server' } = {}): Promise<TestClickHouse> {
  return opts.kind === 'server' ? openServer() : openChdb();
}
