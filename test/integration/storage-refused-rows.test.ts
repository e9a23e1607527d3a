/**
 * Issue 16, "one row ClickHouse refuses stops every table": an indicator snapshot whose window end
 * rolled into year 10000 was refused (code 41), the sink kept a sink-wide failure and nothing more
 * was written anywhere. Now the refused row is found by bisection and becomes a dead letter with
 * the server's error; the rest of its batch and every other table are written. Against chDB
 * always, and a ClickHouse server in a container where a Docker engine is reachable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouseSink } from '../../processors/storage/clickhouse-sink.ts';
import { migrate } from '../../processors/storage/migrate.ts';
import type { StorageRecord } from '../../processors/storage/rows.ts';
import { createTestClickHouse, type TestClickHouse } from '../support/clickhouse.ts';
import { describeWithDocker } from '../support/docker.ts';
import { SNAPSHOT } from '../unit/storage/fixtures.ts';

const DB = 'yibao_refused';
/** Yesterday, China time: inside the tables' TTL (a fixture's 2025 date would be merged away). */
const AT = new Date(Date.now() - 86_400_000 + 8 * 3_600_000).toISOString().replace('Z', '+08:00');

async function rows<T>(ch: TestClickHouse, query: string): Promise<T[]> {
  const rs = await ch.client.query({ query, format: 'JSONEachRow' });
  return rs.json<T>();
}

function refusedRowsSuite(kind: 'chdb' | 'server') {
  let ch: TestClickHouse;
  beforeAll(async () => {
    ch = await createTestClickHouse({ kind });
    await migrate(ch.client, DB);
  }, 180_000);
  afterAll(async () => {
    await ch?.close();
  });

  it('a row the store refuses is a dead letter with its error; its batch and the other tables are written', async () => {
    const sink = createClickHouseSink({ client: ch.client, database: DB, maxRows: 500, maxDelayMs: 50 });
    const snapshots: StorageRecord[] = Array.from({ length: 300 }, (_, i) => ({
      ...SNAPSHOT,
      at: AT,
      subject_code: `H320102${String(i).padStart(5, '0')}`,
    }));
    // What a record at 9999-12-31T23:59:59+08:00 made: a window end in year 10000.
    snapshots[123] = { ...SNAPSHOT, subject_code: 'H32010299999', at: '+010000-01-01T00:00:00.000+08:00' };
    await sink.write(snapshots);
    await sink.write([{ ...SNAPSHOT, at: AT, indicator: 'visits', subject_code: 'H32010288888' }]);
    await sink.flush();
    await sink.close();

    const [count] = await rows<{ n: string }>(ch, `SELECT count() AS n FROM ${DB}.indicator_snapshots FINAL`);
    expect(Number(count?.n)).toBe(300); // 299 of the batch + the later one
    const dead = await rows<{ source: string; topic: string; raw: string; error: string; path: string }>(
      ch,
      `SELECT source, topic, raw, error, path FROM ${DB}.dead_letters FINAL`,
    );
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      source: 'clickhouse',
      topic: 'indicator_snapshots',
      path: 'indicator_snapshots',
    });
    expect(dead[0]!.raw).toContain('H32010299999');
    expect(dead[0]!.error).toMatch(/^ClickHouse refused 1 rows for indicator_snapshots \(code \d+\)/);
    expect(sink.stats()).toMatchObject({ unconfirmed_rows: 0, refused_rows: { indicator_snapshots: 1 } });
  });
}

describe('refused rows on chDB', () => refusedRowsSuite('chdb'));
await describeWithDocker('refused rows on a ClickHouse server in a container', () =>
  refusedRowsSuite('server'),
);
