/**
 * Kafka as a source (kafkajs), behind the small `Source` interface so another client could
 * replace kafkajs. A consumer group reads the input topics; messages go through a bounded queue:
 * when it is full the partitions are paused (backpressure from the sinks reaches Kafka), and
 * resumed once the run loop has drained it. Offsets are committed only by `commit()`, which the
 * run loop calls after its sinks have flushed (ARCHITECTURE.md: offsets follow durable outputs).
 *
 * State is rebuilt from the log: with `fromStart` the group reads every partition from its first
 * offset on each start (the embedded state has no snapshot yet), and idempotent sinks make the
 * re-read change nothing.
 */
import { type Consumer, type Kafka, logLevel } from 'kafkajs';
import type { Source, SourceRecord } from '../sources/source.ts';
import type { Topology } from '../topology.ts';

export type KafkaRecord = SourceRecord & {
  readonly topic: string;
  readonly kafkaPartition: number;
  readonly offset: string;
  readonly partitionKey: string;
};

export type KafkaSourceOptions = {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Re-read every partition from its first offset on start (state rebuilt from the log). */
  readonly fromStart?: boolean;
  /**
   * How long the group coordinator keeps a member that stopped heartbeating (default 30 s).
   * Bounds how long a restart after a crash waits for its partitions (see `kafkaSource`).
   */
  readonly sessionTimeoutMs?: number;
  /** Records buffered between Kafka and the run loop before partitions are paused. */
  readonly maxQueued?: number;
  /** Stop when every assigned partition has been read to its end (tests, benchmarks). */
  readonly stopAtEnd?: boolean;
  /**
   * Watermark alignment: a partition whose next record runs too far ahead in event time waits
   * (its batch is held, other partitions go on) until the caller says it may deliver.
   */
  readonly alignment?: { mayDeliver(partition: string, raw: Buffer): boolean };
};

export type KafkaSource = Source & {
  readonly records: AsyncIterable<KafkaRecord>;
  /** Commits the offsets of every record handed out so far (call after the sinks flushed). */
  commit(): Promise<void>;
  /** Records behind the end of the assigned partitions, as of the last fetch. */
  lag(): number;
  held(): number;
};

export { logLevel };

/** How far (event time) a partition may run ahead of the watermark: within the windows' rings. */
export const MAX_SKEW_MS = 3_600_000;

const OCCURRED_AT = /"occurred_at"\s*:\s*"([^"]+)"/;

/** Alignment against a topology's watermark, reading each record's event time cheaply. */
export function alignWith(
  topology: Topology,
  maxSkewMs = MAX_SKEW_MS,
): NonNullable<KafkaSourceOptions['alignment']> {
  return {
    mayDeliver(partition, raw) {
      const m = OCCURRED_AT.exec(raw.toString('utf8', 0, Math.min(raw.length, 4096)));
      const t = m ? Date.parse(m[1]!) : Number.NaN;
      return Number.isNaN(t) || topology.mayDeliver(partition, t, maxSkewMs);
    },
  };
}

export const DEFAULT_SESSION_TIMEOUT_MS = 30_000;

/**
 * Restart after a crash. A monitor killed without leaving its group (SIGKILL, OOM, power) stays a
 * member until the coordinator has heard no heartbeat for `sessionTimeoutMs`. The restarted monitor
 * joins as a new member (kafkajs 2.2 has no static membership, KIP-345's group.instance.id, so it
 * cannot take over the dead member's identity); the join starts a rebalance, and the coordinator
 * answers no JoinGroup until every known member has rejoined or been dropped. Apache Kafka drops
 * the dead one when its session expires; librdkafka's mock cluster holds the join for the group's
 * session timeout − 1 s and its session timer drops the dead member after the same 30 s. So the
 * new consumer sat at 0 records for the whole session timeout (30.0 s to its first record in
 * test/integration/kafka-crash.test.ts with the default; its `fromStart` seeks, made on
 * GROUP_JOIN, could not help: there was no assignment to seek yet). The cure is a session timeout
 * sized to the restart the deployment can accept, configurable (YIBAO_KAFKA_SESSION_TIMEOUT_MS),
 * with heartbeats at a third of it as Kafka recommends; a clean stop leaves the group at once
 * (`close` → LeaveGroup) and waits for nothing.
 */
export function kafkaSource(o: KafkaSourceOptions): KafkaSource {
  const sessionTimeout = o.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  const consumer: Consumer = o.kafka.consumer({
    groupId: o.groupId,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: 256 << 10,
    sessionTimeout,
    heartbeatInterval: Math.max(100, Math.floor(sessionTimeout / 3)),
  });
  const maxQueued = o.maxQueued ?? 10_000;
  const queue: KafkaRecord[] = [];
  let head = 0;
  let wake: (() => void) | undefined;
  let paused = false;
  let closed = false;
  let failure: Error | undefined;
  const handedOut = new Map<string, { topic: string; partition: number; offset: bigint }>();
  const highWater = new Map<string, bigint>();
  const position = new Map<string, bigint>();
  let assigned: string[] = [];
  // Partitions this process has already read from their first offset: a later rebalance hands
  // them back at their committed offset instead of re-reading the whole log into live state.
  const rebuilt = new Set<string>();
  let held = 0;

  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const atEnd = () =>
    highWater.size > 0 && [...highWater].every(([k, hw]) => (position.get(k) ?? -1n) + 1n >= hw);

  async function start(): Promise<void> {
    await consumer.connect();
    for (const topic of o.topics) await consumer.subscribe({ topic, fromBeginning: true });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      assigned = Object.entries(payload.memberAssignment).flatMap(([topic, ps]) =>
        ps.map((p) => `${topic}/${p}`),
      );
      if (!o.fromStart) return;
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        for (const partition of partitions) {
          if (rebuilt.has(`${topic}/${partition}`)) continue;
          rebuilt.add(`${topic}/${partition}`);
          consumer.seek({ topic, partition, offset: '0' });
        }
      }
    });
    await consumer.run({
      autoCommit: false,
      // Partitions are consumed side by side, so holding one back (alignment) does not stop the others.
      partitionsConsumedConcurrently: 64,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const key = `${batch.topic}/${batch.partition}`;
        highWater.set(key, BigInt(batch.highWatermark));
        for (const m of batch.messages) {
          if (!isRunning() || isStale()) return;
          while (o.alignment && m.value && !o.alignment.mayDeliver(key, m.value) && isRunning() && !closed) {
            held++;
            await new Promise((r) => setTimeout(r, 10));
            await heartbeat();
          }
          if (m.value) {
            queue.push({
              raw: m.value,
              origin: `${batch.topic}/${batch.partition}@${m.offset}`,
              partitionKey: `${batch.topic}/${batch.partition}`,
              topic: batch.topic,
              kafkaPartition: batch.partition,
              offset: m.offset,
            });
          }
          position.set(key, BigInt(m.offset));
          resolveOffset(m.offset);
          notify();
          if (queue.length - head >= maxQueued && !paused) {
            paused = true;
            consumer.pause(o.topics.map((topic) => ({ topic })));
          }
          await heartbeat();
        }
      },
    });
  }

  const started = start().catch((err) => {
    failure = err as Error;
    notify();
  });

  async function* records(): AsyncGenerator<KafkaRecord> {
    await started;
    for (;;) {
      if (failure) throw failure;
      if (head < queue.length) {
        const r = queue[head]!;
        queue[head++] = undefined as never;
        if (head > 4096 && head * 2 > queue.length) {
          queue.splice(0, head);
          head = 0;
        }
        handedOut.set(r.partitionKey, {
          topic: r.topic,
          partition: r.kafkaPartition,
          offset: BigInt(r.offset),
        });
        if (paused && queue.length - head < maxQueued / 2) {
          paused = false;
          consumer.resume(o.topics.map((topic) => ({ topic })));
        }
        yield { ...r, partition: r.partitionKey };
        continue;
      }
      if (closed || (o.stopAtEnd && atEnd())) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (o.stopAtEnd) setTimeout(resolve, 200);
      });
    }
  }

  return {
    name: `kafka(${o.groupId}: ${o.topics.join(', ')})`,
    records: records(),
    async commit() {
      const offsets = [...handedOut.values()].map((h) => ({
        topic: h.topic,
        partition: h.partition,
        offset: (h.offset + 1n).toString(),
      }));
      if (offsets.length > 0) await consumer.commitOffsets(offsets);
    },
    partitions: () => assigned,
    /** Times a partition was held back by watermark alignment (10 ms each). */
    held: () => held,
    lag() {
      let lag = 0n;
      for (const [k, hw] of highWater) lag += hw - ((position.get(k) ?? -1n) + 1n);
      return Number(lag) + (queue.length - head);
    },
    stop() {
      closed = true;
      notify();
    },
    async close() {
      closed = true;
      notify();
      await consumer.disconnect();
    },
  };
}
