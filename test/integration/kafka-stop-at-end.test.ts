/**
 * `run --source kafka --stop-at-end` ends where the topics ended at start, empty partitions
 * included (issue 14: on a topic whose only partition was empty it never stopped; on
 * murmur2-partitioned topics it stopped after 413 of 35,477 records). Here: a topic with one
 * empty partition, and a topic of 8 partitions of which some get no record (every record keyed
 * to one of two institutions), read together; the monitor ends by itself, having read every record.
 * librdkafka's mock cluster, Apache Kafka where Docker exists.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../processors/config.ts';
import { kafkaSource } from '../../processors/io/sources/kafka.ts';
import { runMonitor } from '../../processors/run.ts';
import { recentFeed } from '../support/feed.ts';
import { produceKeyed, startKafka, subjectKeyOf, type TestKafka, testKafkaClient } from '../support/kafka.ts';
import { freePort } from '../support/ports.ts';

const dir = mkdtempSync(join(tmpdir(), 'kafka-stop-at-end-'));
let kafka: TestKafka;
let produced = 0;

beforeAll(async () => {
  kafka = await startKafka({
    topics: [
      { name: 'empty', partitions: 1 },
      { name: 'sparse', partitions: 8 },
    ],
    kind: 'auto',
  });
  const feed = await recentFeed(19, 2);
  const codes = [...new Set(feed.map(subjectKeyOf))].filter(Boolean).slice(0, 2);
  const mine = feed.filter((l) => codes.includes(subjectKeyOf(l)));
  produced = mine.length;
  await produceKeyed(
    kafka.brokers,
    'sparse',
    mine.map((value) => ({ key: subjectKeyOf(value), value })),
  );
}, 180_000);

afterAll(async () => {
  await kafka?.stop();
});

const monitor = async (topics: string[], group: string) =>
  runMonitor({
    config: loadConfig({
      YIBAO_ENV: 'test',
      YIBAO_PSEUDONYM_KEY: 'kafka-stop-at-end-test-key-012345',
      YIBAO_DATA_DIR: join(dir, group),
      YIBAO_STATUS_PORT: String(await freePort()),
    }),
    source: kafkaSource({
      kafka: testKafkaClient(kafka.brokers, group),
      groupId: group,
      topics,
      fromStart: true,
      stopAtEnd: true,
    }),
    json: true,
    print: () => {},
    statusEveryMs: 60_000,
  });

/** Resolves with what `work` gave, or rejects after `ms`: a run that never ends fails, not hangs. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

it('a topic whose only partition is empty: the run ends, having read nothing', async () => {
  const status = await within(60_000, monitor(['empty'], 'stop-at-end-empty'));
  expect(status.state).toBe('stopped');
  expect(status.records).toBe(0);
}, 90_000);

it('an empty topic and a topic with empty partitions read together: every record, then the end', async () => {
  expect(produced).toBeGreaterThan(100);
  const status = await within(90_000, monitor(['empty', 'sparse'], 'stop-at-end-sparse'));
  expect(status.state).toBe('stopped');
  expect(status.records).toBe(produced);
  expect(status.late).toBe(0);
}, 120_000);
