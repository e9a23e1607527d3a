// Dead letters through librdkafka's mock cluster and back with kafkajs: values byte for byte
// (invalid UTF-8 and a 600 KB record included), headers, keys, and no identifier in clear.
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../../processors/io/sources/kafka.ts';
import {
  createKafkaDeadLetters,
  deadLetterOf,
  DEAD_LETTER_HEADERS as H,
  type KafkaDeadLetter,
} from '../../processors/kafka/dead-letters.ts';
import { createPseudonymiser } from '../../schemas/pseudonymise.ts';
import { describeWithDocker } from '../support/docker.ts';
import { startKafka, type TestKafka, testKafkaClient } from '../support/kafka.ts';

const TOPIC = `dead-letters-${randomUUID().slice(0, 8)}`;
const pseudonymise = createPseudonymiser('dead-letter-test-pseudonym-key');

const sourceRecord = (raw: Buffer, offset: string): KafkaRecord => ({
  raw,
  topic: 'settlements',
  kafkaPartition: 2,
  offset,
  partitionKey: 'settlements/2',
  partition: 'settlements/2',
});

async function consumeAll(kafka: TestKafka, count: number): Promise<KafkaMessage[]> {
  const consumer = testKafkaClient(kafka.brokers, 'dead-letters-reader').consumer({
    groupId: `dead-letters-it-${randomUUID().slice(0, 8)}`,
    maxWaitTimeInMs: 250,
  });
  const got: KafkaMessage[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message);
        if (got.length >= count) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`read ${got.length} of ${count} dead letters in 30 s`)),
          30_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
  return got;
}

const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString('utf8');

function deadLetterRoundTrip(kind: 'mock' | 'apache') {
  // The mock cluster reports no controller broker, which kafkajs's idempotent producer needs.
  const idempotent = kind === 'apache';
  let kafka: TestKafka;
  beforeAll(async () => {
    kafka = await startKafka({ kind, topics: [{ name: TOPIC, partitions: 3 }] });
  }, 180_000);
  afterAll(async () => {
    await kafka?.stop();
  });

  it('sends raw bytes unchanged with their error and source position, keyed by source position', async () => {
    const clearPsn = '510100199001011234';
    const json = Buffer.from(
      `{"type":"settlement","psn_no":"${clearPsn}","fund_pay_sumamt":"abc","note":"住院"}`,
    );
    const notUtf8 = Buffer.concat([
      Buffer.from('{"psn_no":"42","x":"'),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80, 0x00]),
      Buffer.from('"}'),
    ]);
    const huge = `{"type":"settlement","memo":"${'医保'.repeat(100_000)}x"}`; // 600 KB of UTF-8
    const rejected = (error: string, path: string) => ({ kind: 'rejected' as const, raw: '', error, path });

    const letters: KafkaDeadLetter[] = [
      deadLetterOf(
        sourceRecord(json, '100'),
        rejected('fund_pay_sumamt: 期望数字, got "abc"', 'fund_pay_sumamt'),
        pseudonymise,
      ),
      deadLetterOf(
        sourceRecord(notUtf8, '101'),
        rejected('record is not valid UTF-8 JSON', ''),
        pseudonymise,
      ),
      {
        raw: huge,
        error: 'memo: too long',
        path: 'memo',
        topic: 'settlements',
        partition: 0,
        offset: '9007199254740993',
      },
      {
        raw: Buffer.from('{"psn_no":["123"]}'),
        error: 'psn_no: expected string',
        path: 'psn_no',
        topic: 'settlements',
        partition: 1,
        offset: '5',
      },
    ];
    const small = {
      raw: Buffer.alloc(5_000, 0x61),
      error: 'too big',
      path: '',
      topic: 'settlements',
      partition: 1,
      offset: '6',
    };

    const client = testKafkaClient(kafka.brokers, 'dead-letters-writer');
    const dl = createKafkaDeadLetters({ kafka: client, topic: TOPIC, idempotent });
    const capped = createKafkaDeadLetters({ kafka: client, topic: TOPIC, idempotent, maxValueBytes: 1_000 });
    try {
      await dl.send(letters);
      await capped.send([small]);
      // A retry after a crash sends the same dead letter again: same key, so consumers can dedup.
      await dl.send([letters[0]!]);
      await dl.send([]);
    } finally {
      await dl.close();
      await capped.close();
    }

    const got = await consumeAll(kafka, 6);
    const byKey = new Map<string, KafkaMessage[]>();
    for (const m of got) {
      const k = m.key!.toString('utf8');
      byKey.set(k, [...(byKey.get(k) ?? []), m]);
    }
    expect([...byKey.keys()].sort()).toEqual(
      [
        'settlements/2/100',
        'settlements/2/101',
        'settlements/0/9007199254740993',
        'settlements/1/5',
        'settlements/1/6',
      ].sort(),
    );
    expect(byKey.get('settlements/2/100')).toHaveLength(2);

    const [first] = byKey.get('settlements/2/100')!;
    expect(first!.value!.toString('utf8')).toBe(
      json.toString('utf8').replace(`"${clearPsn}"`, `"${pseudonymise(clearPsn)}"`),
    );
    expect(first!.value!.includes(clearPsn)).toBe(false);
    expect(header(first!, H.error)).toBe('fund_pay_sumamt: 期望数字, got "abc"');
    expect(header(first!, H.errorPath)).toBe('fund_pay_sumamt');
    expect(header(first!, H.sourceTopic)).toBe('settlements');
    expect(header(first!, H.sourcePartition)).toBe('2');
    expect(header(first!, H.sourceOffset)).toBe('100');
    expect(first!.headers?.[H.truncated]).toBeUndefined();

    const [bin] = byKey.get('settlements/2/101')!;
    const expected = Buffer.concat([
      Buffer.from(`{"psn_no":"${pseudonymise('42')}","x":"`),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80, 0x00]),
      Buffer.from('"}'),
    ]);
    expect(bin!.value!.equals(expected)).toBe(true);
    expect(header(bin!, H.errorPath)).toBe('');

    const [big] = byKey.get('settlements/0/9007199254740993')!;
    expect(big!.value!.length).toBe(Buffer.byteLength(huge));
    expect(big!.value!.equals(Buffer.from(huge, 'utf8'))).toBe(true);
    expect(header(big!, H.sourceOffset)).toBe('9007199254740993');

    const [withheld] = byKey.get('settlements/1/5')!;
    expect(withheld!.value!.length).toBe(0);
    expect(header(withheld!, H.withheld)).toMatch(/not a pseudonym token/);
    expect(header(withheld!, H.error)).toBe('psn_no: expected string');

    const [cut] = byKey.get('settlements/1/6')!;
    expect(cut!.value!.equals(Buffer.alloc(1_000, 0x61))).toBe(true);
    expect(header(cut!, H.truncated)).toBe('5000');
  }, 90_000);

  it('refuses a maxValueBytes that is not a positive integer', () => {
    const client = testKafkaClient(kafka.brokers, 'dead-letters-bad');
    expect(() => createKafkaDeadLetters({ kafka: client, topic: TOPIC, maxValueBytes: 0 })).toThrow(
      /maxValueBytes: 0, expected a positive integer/,
    );
  });
}

describe("Kafka dead letters against librdkafka's mock cluster", () => deadLetterRoundTrip('mock'));

await describeWithDocker('Kafka dead letters against Apache Kafka in a container', () =>
  deadLetterRoundTrip('apache'),
);
