/**
 * The live monitor over Kafka (librdkafka's mock cluster) with YIBAO_KAFKA_DEAD_LETTER_TOPIC set:
 * every malformed record of the feed reaches the dead-letter topic once, keyed and headed by its
 * source position and reason, the same dead letters as the ClickHouse table holds, and no
 * personal identifier in clear, even one sent as an array.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../processors/config.ts';
import { kafkaDeadLetterOfRejected } from '../../processors/io/sinks/dead-letter-topic.ts';
import { alignWith, kafkaSource } from '../../processors/io/sources/kafka.ts';
import { MALFORMATIONS, malform } from '../../processors/io/sources/malformed.ts';
import { createKafkaDeadLetters, DEAD_LETTER_HEADERS as H } from '../../processors/kafka/dead-letters.ts';
import { type RunStatus, runMonitor } from '../../processors/run.ts';
import { createStorageClient, type StorageClient } from '../../processors/storage/client.ts';
import { createPseudonymiser, redactRaw, WITHHELD } from '../../schemas/pseudonymise.ts';
import { recentFeed } from '../support/feed.ts';
import { produceKeyed, startKafka, type TestKafka, testKafkaClient } from '../support/kafka.ts';
import { freePort } from '../support/ports.ts';

const KEY = 'kafka-dlq-topic-test-key-0123456';
const TOPIC = 'events';
const DLQ = 'events.dead-letters';
const PSN = '51000019800101009999';
const dir = mkdtempSync(join(tmpdir(), 'kafka-dlq-topic-'));

let kafka: TestKafka;
let store: StorageClient;
let status: RunStatus;
let letters: KafkaMessage[] = [];
/** What was sent, by position in the topic once produced: `events/p/offset` → raw value. */
const malformedSent: string[] = [];

const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();

async function readTopic(count: number): Promise<KafkaMessage[]> {
  const consumer = testKafkaClient(kafka.brokers, 'dlq-reader').consumer({
    groupId: 'dlq-topic-it-reader',
    maxWaitTimeInMs: 250,
  });
  const got: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [DLQ], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message);
      },
    });
    // Everything there is, then a little longer: a second copy would show up as a surplus.
    const until = Date.now() + 30_000;
    while (got.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1_500));
  } finally {
    await consumer.disconnect();
  }
  return got;
}

beforeAll(async () => {
  kafka = await startKafka({
    topics: [
      { name: TOPIC, partitions: 3 },
      { name: DLQ, partitions: 1 },
    ],
    kind: 'mock',
  });
  const days = 3;
  const good = await recentFeed(3, days);
  const messages: { key: string; value: string }[] = [];
  let arrayed = false;
  good.forEach((raw, i) => {
    messages.push({ key: String(i % 7), value: raw });
    if (i % 200 === 100) {
      const bad = malform(raw, MALFORMATIONS[malformedSent.length % MALFORMATIONS.length]!);
      messages.push({ key: String(i % 7), value: bad });
      malformedSent.push(bad);
    }
    // A settlement whose psn_no is an array: rejected, and its identifier must not leak.
    if (!arrayed && raw.includes('"psn_no"')) {
      arrayed = true;
      const bad = raw.replace(/"psn_no":"[^"]*"/, `"psn_no":["${PSN}"]`);
      messages.push({ key: 'arr', value: bad });
      malformedSent.push(bad);
    }
  });
  expect(arrayed).toBe(true);
  // gzip: the mock cluster keeps only a few MB per partition and drops the oldest beyond that.
  await produceKeyed(kafka.brokers, TOPIC, messages);

  const config = loadConfig({
    YIBAO_ENV: 'test',
    YIBAO_PSEUDONYM_KEY: KEY,
    YIBAO_DATA_DIR: join(dir, 'data'),
    YIBAO_STATUS_PORT: String(await freePort()),
    YIBAO_KAFKA_BROKERS: kafka.brokers.join(','),
    YIBAO_KAFKA_DEAD_LETTER_TOPIC: DLQ,
  });
  const client = testKafkaClient(kafka.brokers, 'dlq-topic-monitor');
  status = await runMonitor({
    config,
    source: (topology) =>
      kafkaSource({
        kafka: client,
        groupId: 'dlq-topic-it',
        topics: [TOPIC],
        fromStart: true,
        stopAtEnd: true,
        alignment: alignWith(topology),
      }),
    // The mock cluster names no controller, which kafkajs's idempotent producer needs.
    kafkaDeadLetters: createKafkaDeadLetters({
      kafka: client,
      topic: config.YIBAO_KAFKA_DEAD_LETTER_TOPIC!,
      idempotent: false,
    }),
    print: () => {},
    statusEveryMs: 60_000,
    idlePartitionMs: 5_000,
  });
  letters = await readTopic(malformedSent.length);
  store = await createStorageClient(config);
}, 240_000);

afterAll(async () => {
  await store?.close();
  await kafka?.stop();
});

describe('the monitor over Kafka with a dead-letter topic', () => {
  it('rejects every malformed record, and each reaches the topic once', () => {
    expect(malformedSent.length).toBeGreaterThan(3);
    expect(status.rejected).toBe(malformedSent.length);
    expect(letters).toHaveLength(malformedSent.length);
    const keys = letters.map((m) => m.key?.toString());
    expect(new Set(keys).size).toBe(letters.length);
  });

  it('keys and headers give the source position and the reason the ClickHouse table holds', async () => {
    const rows = await (
      await store.client.query({
        query: 'SELECT source, error, path FROM yibao.dead_letters FINAL ORDER BY source',
        format: 'JSONEachRow',
      })
    ).json<{ source: string; error: string; path: string }>();
    expect(rows).toHaveLength(malformedSent.length);
    const byKey = new Map(letters.map((m) => [m.key!.toString(), m]));
    for (const r of rows) {
      const [, topic, partition, offset] = /^(.+)\/(\d+)@(\d+)$/.exec(r.source)!;
      const key = `${topic}/${partition}/${offset}`;
      const m = byKey.get(key);
      expect(m, `dead letter ${key} on ${DLQ}`).toBeDefined();
      expect(header(m!, H.sourceTopic), key).toBe(TOPIC);
      expect(header(m!, H.sourcePartition), key).toBe(partition);
      expect(header(m!, H.sourceOffset), key).toBe(offset);
      expect(header(m!, H.error), key).toBe(r.error);
      expect(header(m!, H.errorPath), key).toBe(r.path);
      expect(header(m!, H.withheld), key).toBeUndefined();
      expect(m!.value!.length, key).toBeGreaterThan(0);
    }
  });

  it('values are the records as sent, personal identifiers replaced; an array psn_no is withheld', () => {
    const pseudonymise = createPseudonymiser(KEY);
    const values = letters.map((m) => m.value!.toString('utf8'));
    const arrayed = values.filter((v) => v.includes(`"psn_no":"${WITHHELD}"`));
    expect(arrayed).toHaveLength(1);
    for (const v of values) expect(v).not.toContain(PSN);
    // Each malformed record sent is there as redactRaw gives it (test/unit/schemas checks that).
    let tokens = 0;
    for (const sent of malformedSent) {
      const expected = redactRaw(sent, pseudonymise);
      expect(values, sent.slice(0, 120)).toContain(expected);
      const psn = /"psn_no":"([^"]+)"/.exec(sent)?.[1];
      if (psn) {
        expect(expected).toContain(`"psn_no":"${pseudonymise(psn)}"`);
        expect(expected).not.toContain(`"${psn}"`);
        tokens++;
      }
    }
    expect(tokens).toBeGreaterThan(0);
  });
});

describe('kafkaDeadLetterOfRejected (the ingest stage of the distributed runtime)', () => {
  const rejected = { kind: 'rejected' as const, raw: '{"x":', error: 'not JSON', path: '' };

  it('reads the Kafka position from the origin ingest gives a rejected record', () => {
    expect(kafkaDeadLetterOfRejected({ ...rejected, origin: 'settle.ments/11@9007199254740993' })).toEqual({
      raw: '{"x":',
      error: 'not JSON',
      path: '',
      topic: 'settle.ments',
      partition: 11,
      offset: '9007199254740993',
    });
  });

  it.each([undefined, 'file:feed.ndjson', 'events/3', 'events@5'])('has none for origin %j', (origin) => {
    expect(
      kafkaDeadLetterOfRejected({ ...rejected, ...(origin !== undefined && { origin }) }),
    ).toBeUndefined();
  });
});
