/**
 * Kafka as a source (kafkajs), behind the small `Source` interface so another client could
 * replace kafkajs. A consumer group reads the input topics with `eachBatch`; whole batches go
 * through a bounded queue: when it is full the partitions are paused (backpressure from the sinks
 * reaches Kafka), and resumed once the run loop has drained it. Offsets are committed only by
 * `commit()`, which the run loop calls after its sinks have flushed (ARCHITECTURE.md: offsets
 * follow durable outputs).
 *
 * Where each partition stands (`partitionState`) decides event-time idleness (Flink's
 * `withIdleness`): a partition still behind its end offset is `reading` and always holds the
 * watermark back, however long it has been silent (a backlog read unevenly across partitions
 * loses nothing); one read to its latest end offset is `caught_up` and may be declared idle by
 * the caller after a silence; in a bounded run (`stopAtEnd`) one read to the end offset it had at
 * assignment is `ended`, like a finished split, and holds nothing back. End offsets come from the
 * broker (ListOffsets) at assignment and every `END_REFRESH_MS`, so empty partitions and those that
 * never delivered a batch are known too.
 *
 * State is rebuilt from the log: with `fromStart` the group reads every partition from its first
 * offset on each start (the embedded state has no snapshot yet), and idempotent sinks make the
 * re-read change nothing.
 */
import { type Admin, type Consumer, type Kafka, logLevel } from 'kafkajs';
import type { Topology } from '../../topology.ts';
import type { PartitionState, Source, SourceRecord } from './source.ts';

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
  /**
   * A bounded run: stop once every assigned partition, empty ones included, has been handed out
   * up to the end offset it had when it was assigned (records produced later are left).
   */
  readonly stopAtEnd?: boolean;
  /** Bytes fetched per partition and request (kafkajs `maxBytesPerPartition`). */
  readonly maxBytesPerPartition?: number;
  /**
   * Watermark alignment: a partition whose next record runs too far ahead in event time waits
   * (its batch is held, other partitions go on) until the caller says it may deliver.
   */
  readonly alignment?: { mayDeliver(partition: string, raw: Buffer): boolean };
};

export type KafkaSource = Source & {
  readonly records: AsyncIterable<KafkaRecord>;
  readonly batches: AsyncIterable<readonly KafkaRecord[]>;
  /** Commits the offsets of every record handed out so far (call after the sinks flushed). */
  commit(): Promise<void>;
  /** Records behind the end of the assigned partitions (latest end offsets known). */
  lag(): number;
  held(): number;
};

export { logLevel };

/** How far (event time) a partition may run ahead of the watermark: within the windows' rings. */
export const MAX_SKEW_MS = 3_600_000;
/** How often the partitions' end offsets are asked again (for lag and `caught_up`). */
export const END_REFRESH_MS = 2_000;

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

/** Where one assigned partition's reading starts and ends, as offsets. */
type Bounds = {
  /** The first offset this reader hands out (log start, or the committed offset). */
  start: bigint;
  /** The end offset when the partition was assigned (a bounded run reads to here). */
  endAtAssign: bigint;
  /** The newest end offset known. */
  end: bigint;
};

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
    maxBytesPerPartition: o.maxBytesPerPartition ?? 1 << 20,
    maxBytes: 16 << 20,
    maxWaitTimeInMs: 100,
    sessionTimeout,
    heartbeatInterval: Math.max(100, Math.floor(sessionTimeout / 3)),
  });
  const admin: Admin = o.kafka.admin();
  const maxQueued = o.maxQueued ?? 20_000;
  /** Whole batches in arrival order; `queued` counts their records not yet handed out. */
  const queue: KafkaRecord[][] = [];
  let queued = 0;
  let wake: (() => void) | undefined;
  let paused = false;
  let closed = false;
  let failure: Error | undefined;
  /** Per `topic/partition`: the next offset to hand out (one past the last handed out). */
  const next = new Map<string, bigint>();
  const bounds = new Map<string, Bounds>();
  let assigned: string[] = [];
  /** Set once the bounds of the current assignment are known. */
  let boundsReady = false;
  let generation = 0;
  // Partitions this process has already read from their first offset: a later rebalance hands
  // them back at their committed offset instead of re-reading the whole log into live state.
  const rebuilt = new Set<string>();
  let held = 0;
  /**
   * The partition of the batch last handed out, until the caller asks for the next one: its
   * offsets count as handed out (`commit`, lag), but the caller is still applying its records —
   * in slices, with awaits on its sinks between them, where its idle timer runs. Until the caller
   * comes back that partition is `reading`: called `ended` as soon as its last batch left the
   * queue, it could be declared idle mid-batch (when the caller's idle timer ticked inside a
   * partition's last batch), and the watermark moving past it made the rest of that batch late.
   */
  let inHand: string | undefined;

  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const moveOn = (k: string, offset: bigint) => {
    if (offset > (next.get(k) ?? -1n)) next.set(k, offset);
  };
  const position = (k: string) => next.get(k) ?? bounds.get(k)?.start ?? 0n;

  function partitionState(k: string): PartitionState {
    const b = bounds.get(k);
    if (!boundsReady || b === undefined || k === inHand) return 'reading';
    const at = position(k);
    if (o.stopAtEnd && at >= b.endAtAssign) return 'ended';
    return at >= b.end ? 'caught_up' : 'reading';
  }

  const atEnd = () =>
    boundsReady && assigned.length > 0 && assigned.every((k) => partitionState(k) === 'ended');

  /** Start and end offsets of the assigned partitions, from the broker (ListOffsets, OffsetFetch). */
  async function readBounds(
    gen: number,
    byTopic: Record<string, number[]>,
    fromLogStart: ReadonlySet<string>,
  ): Promise<void> {
    const committed = await admin.fetchOffsets({ groupId: o.groupId, topics: o.topics as string[] });
    const committedOf = new Map<string, number>(
      committed.flatMap((t) =>
        t.partitions.map((p) => [`${t.topic}/${p.partition}`, Number(p.offset)] as const),
      ),
    );
    const found = new Map<string, Bounds>();
    for (const [topic, partitions] of Object.entries(byTopic)) {
      const offsets = await admin.fetchTopicOffsets(topic);
      for (const p of offsets) {
        if (!partitions.includes(p.partition)) continue;
        const k = `${topic}/${p.partition}`;
        const low = BigInt(p.low);
        const high = BigInt(p.high);
        const c = committedOf.get(k) ?? -1;
        const start = fromLogStart.has(k) || c < 0 ? low : BigInt(c);
        found.set(k, { start: start > low ? start : low, endAtAssign: high, end: high });
      }
    }
    if (gen !== generation) return; // a newer assignment came meanwhile
    bounds.clear();
    for (const [k, b] of found) bounds.set(k, b);
    boundsReady = true;
    notify();
  }

  /** The newest end offsets, for lag and `caught_up` (a batch's high watermark is only its own). */
  async function refreshEnds(): Promise<void> {
    if (!boundsReady || closed) return;
    for (const topic of new Set(assigned.map((k) => k.slice(0, k.lastIndexOf('/'))))) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        const b = bounds.get(`${topic}/${p.partition}`);
        if (b && BigInt(p.high) > b.end) b.end = BigInt(p.high);
      }
    }
  }

  async function start(): Promise<void> {
    await admin.connect();
    await consumer.connect();
    for (const topic of o.topics) await consumer.subscribe({ topic, fromBeginning: true });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const gen = ++generation;
      boundsReady = false;
      assigned = Object.entries(payload.memberAssignment).flatMap(([topic, ps]) =>
        ps.map((p) => `${topic}/${p}`),
      );
      const fresh = new Set<string>();
      if (o.fromStart) {
        for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
          for (const partition of partitions) {
            if (rebuilt.has(`${topic}/${partition}`)) continue;
            rebuilt.add(`${topic}/${partition}`);
            fresh.add(`${topic}/${partition}`);
            consumer.seek({ topic, partition, offset: '0' });
          }
        }
      }
      readBounds(gen, payload.memberAssignment, fresh).catch((err) => {
        failure = err as Error;
        notify();
      });
    });
    await consumer.run({
      autoCommit: false,
      // Partitions are consumed side by side, so holding one back (alignment) does not stop the others.
      partitionsConsumedConcurrently: 64,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const key = `${batch.topic}/${batch.partition}`;
        const b = bounds.get(key);
        if (b && BigInt(batch.highWatermark) > b.end) b.end = BigInt(batch.highWatermark);
        const records: KafkaRecord[] = [];
        for (const m of batch.messages) {
          if (!isRunning() || isStale()) break;
          while (o.alignment && m.value && !o.alignment.mayDeliver(key, m.value) && isRunning() && !closed) {
            held++;
            await new Promise((r) => setTimeout(r, 10));
            await heartbeat();
          }
          if (m.value) {
            records.push({
              raw: m.value,
              origin: `${key}@${m.offset}`,
              partition: key,
              partitionKey: key,
              topic: batch.topic,
              kafkaPartition: batch.partition,
              offset: m.offset,
            });
          }
          resolveOffset(m.offset);
        }
        const last = batch.messages.at(-1);
        if (records.length > 0) {
          queue.push(records);
          queued += records.length;
        }
        // A batch of only tombstones still moves the partition on.
        if (records.length === 0 && last && !isStale()) moveOn(key, BigInt(last.offset) + 1n);
        notify();
        if (queued >= maxQueued && !paused) {
          paused = true;
          consumer.pause(o.topics.map((topic) => ({ topic })));
        }
        await heartbeat();
      },
    });
  }

  const started = start().catch((err) => {
    failure = err as Error;
    notify();
  });
  const refresher = setInterval(() => {
    refreshEnds().catch(() => {}); // a failed refresh only delays `caught_up`
  }, END_REFRESH_MS);
  refresher.unref();

  /** Takes the oldest batch, marking its records handed out. */
  function take(): KafkaRecord[] {
    const batch = queue.shift()!;
    queued -= batch.length;
    const lastRecord = batch[batch.length - 1]!;
    moveOn(lastRecord.partitionKey, BigInt(lastRecord.offset) + 1n);
    if (paused && queued < maxQueued / 2) {
      paused = false;
      consumer.resume(o.topics.map((topic) => ({ topic })));
    }
    return batch;
  }

  async function* batches(): AsyncGenerator<readonly KafkaRecord[]> {
    await started;
    for (;;) {
      if (failure) throw failure;
      if (queue.length > 0) {
        const batch = take();
        inHand = batch[0]!.partitionKey;
        try {
          yield batch;
        } finally {
          inHand = undefined;
        }
        continue;
      }
      if (closed || (o.stopAtEnd && atEnd())) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (o.stopAtEnd) setTimeout(resolve, 100);
      });
    }
  }

  async function* records(): AsyncGenerator<KafkaRecord> {
    for await (const batch of batches()) for (const r of batch) yield r;
  }

  return {
    name: `kafka(${o.groupId}: ${o.topics.join(', ')})`,
    records: records(),
    batches: batches(),
    async commit() {
      const offsets = [...next].map(([k, offset]) => ({
        topic: k.slice(0, k.lastIndexOf('/')),
        partition: Number(k.slice(k.lastIndexOf('/') + 1)),
        offset: offset.toString(),
      }));
      if (offsets.length > 0) await consumer.commitOffsets(offsets);
    },
    partitions: () => assigned,
    partitionState,
    /** Times a partition was held back by watermark alignment (10 ms each). */
    held: () => held,
    lag() {
      let lag = 0n;
      for (const k of assigned) {
        const b = bounds.get(k);
        if (b) lag += b.end > position(k) ? b.end - position(k) : 0n;
      }
      return Number(lag);
    },
    stop() {
      closed = true;
      notify();
    },
    async close() {
      closed = true;
      clearInterval(refresher);
      notify();
      await consumer.disconnect();
      await admin.disconnect();
    },
  };
}
