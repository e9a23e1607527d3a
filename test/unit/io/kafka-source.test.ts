/**
 * Where the Kafka source says a partition stands while the caller still applies its last batch.
 * The run loop applies a batch in slices with awaits on its sinks between them, and its idle timer
 * runs in those awaits: a partition called `ended` as soon as its last batch left the queue was
 * declared idle mid-batch, and the rest of that batch became late (the kafka-parity flake). The
 * kafkajs client here is a stand-in that delivers fixed batches (the source's logic is under test,
 * not the wire; test/integration/kafka-parity.test.ts runs the same source on a real cluster).
 */
import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaSource } from '../../../processors/io/sources/kafka.ts';

const TOPIC = 't';
const GROUP_JOIN = 'consumer.group_join';

/** A kafkajs client whose one consumer is assigned `perPartition.length` partitions of TOPIC. */
function fakeKafka(perPartition: number[]): Kafka {
  const listeners = new Map<string, (e: unknown) => void>();
  const partitions = perPartition.map((_, i) => i);
  const consumer = {
    events: { GROUP_JOIN },
    connect: async () => {},
    subscribe: async () => {},
    on: (event: string, listener: (e: unknown) => void) => listeners.set(event, listener),
    seek: () => {},
    pause: () => {},
    resume: () => {},
    commitOffsets: async () => {},
    disconnect: async () => {},
    async run(o: { eachBatch: (p: unknown) => Promise<void> }) {
      listeners.get(GROUP_JOIN)?.({ payload: { memberAssignment: { [TOPIC]: partitions } } });
      for (const [partition, n] of perPartition.entries()) {
        const messages = Array.from({ length: n }, (_, i) => ({
          offset: String(i),
          value: Buffer.from(`{"n":${i}}`),
        }));
        await o.eachBatch({
          batch: { topic: TOPIC, partition, highWatermark: String(n), messages },
          resolveOffset: () => {},
          heartbeat: async () => {},
          isRunning: () => true,
          isStale: () => false,
        });
      }
    },
  };
  const admin = {
    connect: async () => {},
    disconnect: async () => {},
    fetchOffsets: async () => [
      { topic: TOPIC, partitions: partitions.map((partition) => ({ partition, offset: '-1' })) },
    ],
    fetchTopicOffsets: async () =>
      perPartition.map((n, partition) => ({ partition, low: '0', high: String(n) })),
  };
  return { consumer: () => consumer, admin: () => admin } as unknown as Kafka;
}

const settle = () => new Promise((r) => setTimeout(r, 20));

let source: ReturnType<typeof kafkaSource>;
const stateOf = (partition: string) => source.partitionState?.(partition);

describe('kafkaSource partitionState in a bounded run', () => {
  it('a partition whose last batch the caller holds is still reading; ended once the caller asks for more', async () => {
    source = kafkaSource({
      kafka: fakeKafka([3, 2]),
      groupId: 'g',
      topics: [TOPIC],
      fromStart: true,
      stopAtEnd: true,
    });
    const batches = source.batches[Symbol.asyncIterator]();
    const first = await batches.next();
    await settle(); // the bounds (ListOffsets, OffsetFetch) are known from here on
    expect(first.value?.map((r: { offset: string }) => r.offset)).toEqual(['0', '1', '2']);
    // Handed out to its end offset, but still being applied: it must hold the watermark.
    expect(stateOf('t/0')).toBe('reading');
    expect(stateOf('t/1')).toBe('reading');
    expect(source.lag()).toBe(2); // its offsets count as handed out

    const second = await batches.next();
    expect(second.value?.[0]?.partitionKey).toBe('t/1');
    expect(stateOf('t/0')).toBe('ended');
    expect(stateOf('t/1')).toBe('reading');

    expect((await batches.next()).done).toBe(true);
    expect(stateOf('t/1')).toBe('ended');
    await source.close?.();
  });

  it('per record: the partition is reading until its last record has been taken and the next asked for', async () => {
    source = kafkaSource({
      kafka: fakeKafka([2]),
      groupId: 'g',
      topics: [TOPIC],
      fromStart: true,
      stopAtEnd: true,
    });
    const records = source.records[Symbol.asyncIterator]();
    await records.next();
    await settle();
    expect(stateOf('t/0')).toBe('reading');
    await records.next();
    expect(stateOf('t/0')).toBe('reading');
    expect((await records.next()).done).toBe(true);
    expect(stateOf('t/0')).toBe('ended');
    await source.close?.();
  });
});
