// Settlements through Kafka and back with kafkajs: a 6-partition topic keyed by institution, a
// consumer group committing by hand after each batch, every record through the real decoder.
import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecoder } from '../../schemas/decode.ts';
import { describeWithDocker } from '../support/docker.ts';
import { startKafka, type TestKafka, testKafkaClient } from '../support/kafka.ts';
import { clearPsnNo, generateSettlements, seqOf, toFen } from '../support/settlements.ts';

const RECORDS = 10_000;
const PARTITIONS = 6;
const PRODUCE_BATCH = 1_000;
const CONSUME_TIMEOUT_MS = 45_000;

interface Consumed {
  seq: number;
  partition: number;
  offset: number;
  fixmedinsCode: string;
  fundFen: number;
  psnToken: string;
  setlId: string;
}

function kafkaRoundTrip(kind: 'mock' | 'apache') {
  const topic = `settlements-${kind}-${randomUUID().slice(0, 8)}`;
  const groupId = `monitor-it-${randomUUID().slice(0, 8)}`;
  const generated = generateSettlements(RECORDS);
  let kafka: TestKafka;

  beforeAll(async () => {
    kafka = await startKafka({ kind, topics: [{ name: topic, partitions: PARTITIONS }] });
    process.stderr.write(`kafka.test: ${kind}: ${kafka.detail} at ${kafka.brokers.join(',')}\n`);
  }, 180_000);

  afterAll(async () => {
    await kafka?.stop();
  });

  it('the topic has the partitions it was created with', () => {
    // The kcat fallback cannot choose: its topics get the mock's default of 4 partitions.
    const expected = kafka.detail.includes('via kcat') ? 4 : PARTITIONS;
    expect(kafka.topics).toEqual([{ name: topic, partitions: expected }]);
  });

  it('10,000 settlements keyed by institution come back once each, in per-institution order, decoded and pseudonymised, with committed offsets at the high watermarks', async () => {
    const client = testKafkaClient(kafka.brokers, `it-${kind}`);
    const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      for (let i = 0; i < generated.length; i += PRODUCE_BATCH) {
        await producer.send({
          topic,
          acks: -1,
          messages: generated
            .slice(i, i + PRODUCE_BATCH)
            .map((g) => ({ key: g.record.fixmedins_code, value: g.json })),
        });
      }
    } finally {
      await producer.disconnect();
    }

    const decode = createDecoder({ pseudonymKey: 'integration-test-pseudonym-key' });
    const consumed: Consumed[] = [];
    const rejected: string[] = [];
    const consumer = client.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 250,
    });
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, heartbeat }) => {
          for (const m of batch.messages) {
            const r = decode(m.value ?? Buffer.alloc(0));
            if (!r.ok) {
              rejected.push(`${batch.partition}@${m.offset}: ${r.error.message}`);
              continue;
            }
            if (r.event.type !== 'settlement') {
              rejected.push(`${batch.partition}@${m.offset}: unexpected type ${r.event.type}`);
              continue;
            }
            consumed.push({
              seq: seqOf(r.event.event_id),
              partition: batch.partition,
              offset: Number(m.offset),
              fixmedinsCode: r.event.fixmedins_code,
              fundFen: toFen(r.event.fund_pay_sumamt),
              psnToken: r.event.psn_no,
              setlId: r.event.setl_id,
            });
          }
          const last = batch.messages.at(-1);
          if (last) {
            // Processed, then committed: the next offset to read is the last one + 1.
            await consumer.commitOffsets([
              { topic: batch.topic, partition: batch.partition, offset: String(Number(last.offset) + 1) },
            ]);
          }
          await heartbeat();
          if (consumed.length + rejected.length >= RECORDS) finish();
        },
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        finished,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`consumed ${consumed.length} of ${RECORDS} in ${CONSUME_TIMEOUT_MS} ms`)),
            CONSUME_TIMEOUT_MS,
          );
        }),
      ]).finally(() => clearTimeout(timer));
    } finally {
      await consumer.disconnect();
    }

    expect(rejected).toEqual([]);
    expect(consumed).toHaveLength(RECORDS);
    expect(new Set(consumed.map((c) => c.seq)).size).toBe(RECORDS);

    // Content: each decoded record is the one produced under that event_id.
    for (const c of consumed) {
      const g = generated[c.seq]!;
      expect(c.fixmedinsCode).toBe(g.record.fixmedins_code);
      expect(c.setlId).toBe(g.record.setl_id);
      expect(c.fundFen).toBe(g.fundFen);
      expect(c.psnToken).not.toBe(clearPsnNo(c.seq));
      expect(c.psnToken).toMatch(/^ps_[A-Za-z0-9_-]{22}$/);
    }
    expect(new Set(consumed.map((c) => c.psnToken)).size).toBe(RECORDS);
    const producedFen = generated.reduce((s, g) => s + g.fundFen, 0);
    expect(consumed.reduce((s, c) => s + c.fundFen, 0)).toBe(producedFen);

    // Per key: one partition, and the production order.
    const byKey = new Map<string, Consumed[]>();
    for (const c of consumed) byKey.set(c.fixmedinsCode, [...(byKey.get(c.fixmedinsCode) ?? []), c]);
    expect(byKey.size).toBe(24);
    for (const [key, list] of byKey) {
      expect(new Set(list.map((c) => c.partition)).size, key).toBe(1);
      const seqs = list.map((c) => c.seq);
      expect(seqs, key).toEqual([...seqs].sort((a, b) => a - b));
    }
    expect(new Set(consumed.map((c) => c.partition)).size).toBe(kafka.topics[0]!.partitions);

    const admin = client.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const watermarks = await admin.fetchTopicOffsets(topic);
      const high = Object.fromEntries(watermarks.map((w) => [w.partition, w.high]));
      const commit = Object.fromEntries(committed!.partitions.map((p) => [p.partition, p.offset]));
      expect(commit).toEqual(high);
      expect(watermarks.reduce((s, w) => s + Number(w.high) - Number(w.low), 0)).toBe(RECORDS);
    } finally {
      await admin.disconnect();
    }
  }, 90_000);
}

describe("settlements over Kafka against librdkafka's mock cluster", () => kafkaRoundTrip('mock'));

await describeWithDocker('settlements over Kafka against Apache Kafka in a container', () =>
  kafkaRoundTrip('apache'),
);
