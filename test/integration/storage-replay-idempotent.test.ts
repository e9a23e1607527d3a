// Migration 003 on chDB: dead_letters and indicator_snapshots become ReplacingMergeTree on their
// natural identity. A store made by 001 and 002 with rows doubled by a crash (issue 6) is migrated:
// the doubles collapse, nothing else is lost; the file run again (as after a half-way failure)
// leaves the same schema and rows; rows the sink writes again after the migration collapse too;
// the alert rollups of 002 still fill.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouseSink } from '../../processors/storage/clickhouse-sink.ts';
import { migrate } from '../../processors/storage/migrate.ts';
import { loadMigrations, statements } from '../../processors/storage/migration-files.ts';
import type { DeadLetter, IndicatorSnapshot, StorageRecord } from '../../processors/storage/rows.ts';
import { createTestClickHouse, type TestClickHouse } from '../support/clickhouse.ts';
import { ALERT } from '../unit/storage/fixtures.ts';

const DB = 'yibao_replace';
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Recent, inside every TTL (rows past their TTL are dropped on insert). */
const BASE = Date.now() - 3 * DAY_MS;
const iso = (ms: number) => new Date(ms).toISOString();

/** 40 malformed records: 30 read from Kafka (10 of them with the same text), 10 from a file. */
function deadLetters(receivedAt: number): DeadLetter[] {
  return Array.from({ length: 40 }, (_, i) =>
    i < 30
      ? {
          kind: 'dead_letter' as const,
          received_at: iso(receivedAt + i * 1_000),
          source: `events/${i % 3}@${1_000 + i}`,
          topic: 'events',
          partition: i % 3,
          offset: String(1_000 + i),
          raw: i < 10 ? '{"type":"settlement"' : `{"n":${i}}`,
          error: i < 10 ? 'not JSON' : 'type: expected one of settlement, …',
          path: i < 10 ? '' : 'type',
        }
      : {
          kind: 'dead_letter' as const,
          received_at: iso(receivedAt + i * 1_000),
          source: 'file:feed.ndjson',
          line: i,
          raw: '{"type":',
          error: `line ${i}: not JSON`,
          path: '',
        },
  );
}

/** 3 institutions × 2 indicators × 2 windows × 25 hourly instants = 300 snapshots. */
function snapshots(valueShift = 0): IndicatorSnapshot[] {
  const out: IndicatorSnapshot[] = [];
  for (let s = 0; s < 3; s++)
    for (const indicator of ['fund_24h', 'off_hours_share'])
      for (const window of ['24h', '30d'])
        for (let h = 0; h < 25; h++)
          out.push({
            kind: 'indicator_snapshot',
            at: iso(BASE + h * HOUR_MS),
            subject_kind: 'institution',
            subject_code: `H32010200${s}`,
            division: '320102',
            institution_kind: s === 2 ? 'pharmacy' : 'hospital',
            indicator,
            window,
            value: s * 1_000 + h + valueShift,
          });
  return out;
}

let ch: TestClickHouse;

async function select<T>(query: string): Promise<T[]> {
  return (await ch.client.query({ query, format: 'JSONEachRow' })).json<T>();
}
async function count(from: string): Promise<number> {
  return Number((await select<{ n: string | number }>(`SELECT count() AS n FROM ${from}`))[0]?.n);
}
async function write(records: readonly StorageRecord[]): Promise<void> {
  const sink = createClickHouseSink({ client: ch.client, database: DB });
  await sink.write(records);
  await sink.close();
}
/** What the two tables hold, identity and content, in a stable order. */
async function contents() {
  return {
    dead_letters: await select<Record<string, unknown>>(
      `SELECT id, toString(received_at) AS received_at, source, topic, \`partition\`, toString(\`offset\`) AS o,
              line, raw, error, path
       FROM ${DB}.dead_letters FINAL ORDER BY source, line, o`,
    ),
    indicator_snapshots: await select<Record<string, unknown>>(
      `SELECT subject_code, indicator, \`window\`, toString(at) AS at, kind, value
       FROM ${DB}.indicator_snapshots FINAL ORDER BY subject_code, indicator, \`window\`, at`,
    ),
  };
}
async function tableDefinitions() {
  return select<{ name: string; engine: string; partition_key: string; sorting_key: string; q: string }>(
    `SELECT name, engine, partition_key, sorting_key, create_table_query AS q FROM system.tables
     WHERE database = '${DB}' ORDER BY name`,
  );
}

const all = loadMigrations();
const m003 = all.find((f) => f.version === 3)!;

beforeAll(async () => {
  ch = await createTestClickHouse({ kind: 'chdb' });
  // The store as it was before 003, written twice over as by a killed run and its restart: the
  // restart re-read every record, 26 hours later by the wall clock (across midnight), in other
  // batches (so the sink's insert deduplication tokens differ, as they do after a crash).
  await migrate(ch.client, DB, { migrations: all.filter((f) => f.version < 3) });
  await write([...deadLetters(BASE), ...snapshots()]);
  await write([...deadLetters(BASE + 26 * HOUR_MS), ...snapshots().reverse()]);
}, 120_000);

afterAll(async () => {
  await ch?.close();
});

describe('migration 003: dead letters and indicator snapshots collapse on replay', () => {
  it('before it, the crash left every dead letter and snapshot twice', async () => {
    expect(await count(`${DB}.dead_letters`)).toBe(80);
    expect(await count(`${DB}.indicator_snapshots`)).toBe(600);
  });

  it('migrating keeps one row per dead letter (its first arrival) and per snapshot', async () => {
    // Up to 003: the later files (004 adds dead-letter columns) are not what this test is about.
    const r = await migrate(ch.client, DB, { migrations: all.filter((f) => f.version <= 3) });
    expect(r.steps.map((s) => [s.version, s.status])).toEqual([
      [1, 'skipped'],
      [2, 'skipped'],
      [3, 'applied'],
    ]);
    const got = await contents();
    expect(got.dead_letters).toHaveLength(40);
    expect(got.indicator_snapshots).toHaveLength(300);
    const first = new Map(deadLetters(BASE).map((d) => [`${d.source}|${d.line ?? 0}`, d.received_at]));
    for (const d of got.dead_letters) {
      const key = `${d.source}|${d.line}`;
      // The first arrival (BASE …), not the restart's (BASE + 26 h).
      expect(Date.parse(`${String(d.received_at).replace(' ', 'T')}+08:00`), key).toBe(
        Date.parse(first.get(key)!),
      );
      expect(d.id, key).toMatch(/^[0-9a-f]{32}$/);
    }
    // Ten records share raw text and error but not their position: ten dead letters, not one.
    expect(got.dead_letters.filter((d) => d.error === 'not JSON')).toHaveLength(10);
    expect(new Set(got.dead_letters.map((d) => d.id)).size).toBe(40);
  });

  it('the new tables keep the TTLs, the snapshots their monthly partitions; both are ReplacingMergeTree', async () => {
    const t = new Map((await tableDefinitions()).map((x) => [x.name, x]));
    const dl = t.get('dead_letters')!;
    const snap = t.get('indicator_snapshots')!;
    expect([dl.engine, dl.sorting_key, dl.partition_key]).toEqual(['ReplacingMergeTree', 'source, id', '']);
    expect(dl.q).toContain('TTL toDateTime(received_at) + toIntervalDay(90)');
    expect([snap.engine, snap.sorting_key, snap.partition_key]).toEqual([
      'ReplacingMergeTree',
      'subject_kind, subject_code, indicator, window, at',
      'toYYYYMM(at)',
    ]);
    expect(snap.q).toContain('TTL toDateTime(at) + toIntervalDay(400)');
    expect(snap.q).toContain('non_replicated_deduplication_window = 1000');
  });

  it('run again (a file that failed half-way is applied again), it leaves the same schema and rows', async () => {
    const before = { tables: await tableDefinitions(), rows: await contents() };
    for (const stmt of statements(m003.sql, DB)) await ch.client.command({ query: stmt });
    expect({ tables: await tableDefinitions(), rows: await contents() }).toEqual(before);
  });

  it('rows the sink writes again after the migration collapse into those already there', async () => {
    const before = await contents();
    // A later restart re-reads everything once more, two days on.
    await write([...deadLetters(BASE + 2 * DAY_MS), ...snapshots().slice(1)]);
    await ch.client.command({ query: `OPTIMIZE TABLE ${DB}.dead_letters FINAL` });
    await ch.client.command({ query: `OPTIMIZE TABLE ${DB}.indicator_snapshots FINAL` });
    expect(await count(`${DB}.dead_letters`)).toBe(40);
    expect(await count(`${DB}.indicator_snapshots`)).toBe(300);
    expect(await contents()).toEqual(before);
    // A new dead letter and a new instant are added, not collapsed.
    const extra = deadLetters(BASE)[0]!;
    await write([
      { ...extra, offset: '5000', source: 'events/0@5000' },
      { ...snapshots()[0]!, at: iso(BASE + 30 * HOUR_MS) },
    ]);
    expect(await count(`${DB}.dead_letters FINAL`)).toBe(41);
    expect(await count(`${DB}.indicator_snapshots FINAL`)).toBe(301);
  });

  it('the alert rollups of 002 still fill as alerts arrive', async () => {
    await write([{ ...ALERT, raised_at: iso(BASE), alert_id: 'after-003' }]);
    const [r] = await select<{ n: string | number }>(
      `SELECT uniqExactMerge(alert_ids) AS n FROM ${DB}.alerts_per_day`,
    );
    expect(Number(r?.n)).toBe(1);
  });
});
