/** The storage client factory on chDB: on-disk store under YIBAO_DATA_DIR, inserts that stay independent. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClickHouseSink } from '../../processors/storage/clickhouse-sink.ts';
import { createStorageClient } from '../../processors/storage/client.ts';
import { migrate } from '../../processors/storage/migrate.ts';
import { loadMigrations } from '../../processors/storage/migration-files.ts';
import { alertRow } from '../../processors/storage/rows.ts';
import { ALERT } from '../unit/storage/fixtures.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'yibao-storage-client-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const DB = 'yibao';

describe('createStorageClient on chDB', () => {
  it('an insert without a token after the sink inserted with one is stored, not taken for a duplicate', async () => {
    const store = await createStorageClient({ YIBAO_DATA_DIR: dataDir });
    try {
      expect([store.kind, store.location]).toEqual(['chdb', join(dataDir, 'chdb')]);
      await migrate(store.client, DB);
      const sink = createClickHouseSink({ client: store.client, database: DB });
      await sink.write([ALERT]);
      await sink.close();
      // Two different rows, each inserted with no token of its own: on a bare chDB session the
      // sink's token would still be set and both would be dropped as duplicates.
      for (const id of ['alert-plain-1', 'alert-plain-2']) {
        await store.client.insert({
          table: `${DB}.alerts`,
          values: [alertRow({ ...ALERT, alert_id: id })],
          format: 'JSONEachRow',
        });
      }
      const rs = await store.client.query({
        query: `SELECT alert_id FROM ${DB}.alerts FINAL ORDER BY alert_id`,
        format: 'JSONEachRow',
      });
      expect((await rs.json<{ alert_id: string }>()).map((r) => r.alert_id)).toEqual([
        'alert-abc',
        'alert-plain-1',
        'alert-plain-2',
      ]);
    } finally {
      await store.close();
    }
  });

  it('the store is on disk: reopened after close, it has the rows and the migrations', async () => {
    const store = await createStorageClient({ YIBAO_DATA_DIR: dataDir });
    try {
      const rs = await store.client.query({
        query: `SELECT (SELECT count() FROM ${DB}.alerts FINAL) AS alerts,
                       (SELECT count() FROM ${DB}.schema_migrations FINAL) AS migrations`,
        format: 'JSONEachRow',
      });
      const [r] = await rs.json<{ alerts: string | number; migrations: string | number }>();
      expect([Number(r?.alerts), Number(r?.migrations)]).toEqual([3, loadMigrations().length]);
      const again = await migrate(store.client, DB);
      expect(again.steps.every((s) => s.status === 'skipped')).toBe(true);
    } finally {
      await store.close();
    }
  });
});
