/**
 * The live monitor over Kafka (librdkafka's mock cluster; Apache Kafka where Docker exists): the
 * simulator's feed, keyed by institution over a 6-partition topic with 1% malformed records mixed
 * in, gives the same standings and alerts as `replay` of the good records, and every malformed
 * record lands in dead letters with its reason. Per-partition watermarks keep records of a lagging
 * partition from being counted late.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay } from '../../processors/cli/replay.ts';
import { loadConfig } from '../../processors/config.ts';
import { kafkaSource } from '../../processors/io/sources/kafka.ts';
import { MALFORMATIONS, malform } from '../../processors/io/sources/malformed.ts';
import { type RunStatus, runMonitor } from '../../processors/run.ts';
import { createStorageClient, type StorageClient } from '../../processors/storage/client.ts';
import { compilePacks } from '../../rules/packs/index.ts';
import { recentFeed } from '../support/feed.ts';
import { produceKeyed, startKafka, type TestKafka, testKafkaClient } from '../support/kafka.ts';
import { freePort } from '../support/ports.ts';

const KEY = 'kafka-monitor-test-key-0123456789';
const TOPIC = 'events';
const dir = mkdtempSync(join(tmpdir(), 'kafka-monitor-'));
const lines = (f: string) =>
  readFileSync(join(dir, 'replay', f), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

/** The institution a record belongs to: registry, facts and settlements of one institution share a partition. */
function keyOf(raw: string): string {
  const r = JSON.parse(raw) as Record<string, string>;
  return r.fixmedins_code ?? r.subject_code ?? r.practitioner_code ?? r.event_id ?? '';
}

let kafka: TestKafka;
let store: StorageClient;
let status: RunStatus;
let malformed = 0;
const query = async <T>(sql: string): Promise<T[]> =>
  (await (await store.client.query({ query: sql, format: 'JSONEachRow' })).json()) as T[];

beforeAll(async () => {
  kafka = await startKafka({ topics: [{ name: TOPIC, partitions: 6 }], kind: 'mock' });
  const days = 14;
  const good = await recentFeed(5, days);
  writeFileSync(join(dir, 'feed.ndjson'), `${good.join('\n')}\n`);
  await replay({
    input: join(dir, 'feed.ndjson'),
    out: join(dir, 'replay'),
    pseudonymKey: KEY,
    packs: compilePacks(),
    progress: false,
  });

  const messages: { key: string; value: string }[] = [];
  good.forEach((raw, i) => {
    messages.push({ key: keyOf(raw), value: raw });
    if (i % 100 === 50) {
      messages.push({
        key: keyOf(raw),
        value: malform(raw, MALFORMATIONS[malformed % MALFORMATIONS.length]!),
      });
      malformed++;
    }
  });
  // gzip: the mock cluster keeps only a few MB per partition and drops the oldest beyond that.
  await produceKeyed(kafka.brokers, TOPIC, messages);

  const config = loadConfig({
    YIBAO_ENV: 'test',
    YIBAO_PSEUDONYM_KEY: KEY,
    YIBAO_DATA_DIR: join(dir, 'data'),
    YIBAO_STATUS_PORT: String(await freePort()),
  });
  let source: ReturnType<typeof kafkaSource> | undefined;
  status = await runMonitor({
    config,
    // No source-side alignment: the topology holds records that run ahead of the watermark itself.
    source: () =>
      (source = kafkaSource({
        kafka: testKafkaClient(kafka.brokers, 'kafka-monitor'),
        groupId: 'monitor-it',
        topics: [TOPIC],
        fromStart: true,
        stopAtEnd: true,
        maxQueued: 2000,
      })),
    print: () => {},
    statusEveryMs: 60_000,
    // Partitions end one after another here; the default 30 s idleness would stall each end.
    idlePartitionMs: 10_000,
  });
  console.log(
    `kafka monitor: ${JSON.stringify({ records: status.records, late: status.late, held: source?.held() })}`,
  );
  store = await createStorageClient(config);
}, 300_000);

afterAll(async () => {
  await store?.close();
  await kafka?.stop();
});

describe('the monitor over a 6-partition Kafka topic', () => {
  it('reads every record once: the good ones applied, the malformed ones rejected, almost none late', () => {
    expect(status.records).toBe(
      JSON.parse(readFileSync(join(dir, 'replay', 'summary.json'), 'utf8')).input_records + malformed,
    );
    expect(status.rejected).toBe(malformed);
    // Per-partition watermarks and the topology's alignment keep records from being late; a rare
    // one (a partition declared idle under load, see the notes of issue 6) is counted, never lost.
    expect(status.late).toBeLessThanOrEqual(Math.ceil(status.records / 1000));
  });

  it('every malformed record lands in dead letters with its reason and Kafka position', async () => {
    const rows = await query<{ error: string; source: string }>(
      'SELECT error, source FROM yibao.dead_letters',
    );
    expect(rows).toHaveLength(malformed);
    for (const r of rows) {
      expect(r.error).toMatch(/^(record|type|[a-z_]+\.[a-z_]+):/);
      expect(r.source).toMatch(/^events\/\d@\d+$/);
    }
  });

  it('gives the same final standings as replay', async () => {
    const files = lines('standings.ndjson');
    const rows = await query<{ subject_kind: string; subject_code: string; level: string }>(
      'SELECT subject_kind, subject_code, level FROM yibao.standings_current FINAL',
    );
    const live = new Map(rows.map((r) => [`${r.subject_kind}:${r.subject_code}`, r.level || null]));
    expect(live.size).toBe(files.length);
    for (const s of files)
      expect(live.get(`${s.subject_kind}:${s.subject_code}`), s.subject_code).toBe(s.level);
  });

  it('raises alerts on the same (rule, subject) pairs as replay', async () => {
    const files = [...new Set(lines('alerts.ndjson').map((a) => `${a.rule}|${a.subject_code}`))].sort();
    const rows = await query<{ k: string }>(
      "SELECT DISTINCT concat(rule, '|', subject_code) AS k FROM yibao.alerts FINAL WHERE status = 'firing'",
    );
    expect(files.length).toBeGreaterThan(5);
    expect(rows.map((r) => r.k).sort()).toEqual(files);
  });
});
