/**
 * Runs one stage of the distributed topology as a member of a Kafka consumer group (`--stage`):
 * reads its input (ingest: the input topics; the others: their hand-over topic), hands messages
 * over to the next stages, and after each batch writes the hand-over (acks from all in-sync
 * replicas) and flushes the sinks before committing the batch's offsets.
 *
 * State and restarts: on every assignment the instance drops its state and rebuilds it from the
 * first offset of each assigned partition, sending and emitting again what it rebuilds: sinks
 * are idempotent (deterministic ids) and the next stages drop what they already have (event ids,
 * visit ids, readmission ids, branch levels older than the one applied). Revoked partitions' state goes with the
 * dropped instance. Retention of the hand-over topics must therefore cover the longest window
 * (45 days of stays); snapshots (processors/state) are the way to shorten rebuilds.
 */
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import type { ChainStatus } from '../../rules/chains.ts';
import type { Thresholds } from '../../rules/early-warning/thresholds.ts';
import type { CompiledPack } from '../../rules/engine/engine.ts';
import type { Standing } from '../../rules/engine/standing.ts';
import type { TopologyOutput } from '../outputs.ts';
import { decodeStageMessage } from '../stages/codec.ts';
import { createStageInstance, type StageInstance, type StageKind } from '../stages/instance.ts';
import type { StageName } from '../stages/messages.ts';
import { KafkaHandOver } from './handover.ts';

export type KafkaStageOptions = {
  readonly stage: StageKind;
  readonly kafka: Kafka;
  /** Each stage joins the group `${groupId}.${stage}`. */
  readonly groupId: string;
  readonly inputTopics: readonly string[];
  readonly handOverTopics: Readonly<Record<StageName, string>>;
  readonly pseudonymKey: string;
  readonly packs: readonly CompiledPack[];
  readonly thresholds: Thresholds;
  readonly allowedLatenessMs: number;
  /** A bounded run: ingest ends once its partitions are read to the end they had at assignment. */
  readonly stopAtEnd?: boolean;
  readonly sessionTimeoutMs?: number;
  /** A source partition silent this long (wall clock) stops holding the watermark (ingest). */
  readonly idlePartitionMs?: number;
  /** Outputs to the sinks; resolves once accepted (backpressure). */
  readonly emit: (outs: readonly TopologyOutput[]) => Promise<void>;
  /** Makes everything emitted durable; offsets are committed after it resolves. */
  readonly flush: () => Promise<void>;
  readonly signal?: AbortSignal;
};

export type KafkaStageStatus = {
  readonly stage: StageKind;
  readonly assigned: readonly string[];
  readonly processed: number;
  readonly replayed: number;
  readonly rebuilds: number;
  readonly done: boolean;
};

export type KafkaStage = {
  readonly status: () => KafkaStageStatus;
  /** Resolves when a bounded run is done here, or the signal stopped it. */
  readonly finished: Promise<{ standings: Standing[]; chains: ChainStatus[] }>;
  /** The instance's current standings (institution stage) and chain statuses (chain stage). */
  snapshot(): { standings: Standing[]; chains: ChainStatus[] };
  /** Keys held in the windows of this instance, by kind (for the state-size metric). */
  stateSize(): Record<string, number>;
  stop(): Promise<void>;
};

async function partitionCount(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  const meta = await admin.fetchTopicMetadata({ topics: [...topics] });
  return new Map(meta.topics.map((t) => [t.name, t.partitions.length]));
}

export async function startKafkaStage(o: KafkaStageOptions): Promise<KafkaStage> {
  const groupId = `${o.groupId}.${o.stage}`;
  const admin = o.kafka.admin();
  await admin.connect();
  const inputs = o.stage === 'ingest' ? [...o.inputTopics] : [o.handOverTopics[o.stage as StageName]];
  const counts = await partitionCount(admin, [...o.inputTopics, ...Object.values(o.handOverTopics)]);
  const countOf = (topic: string) => {
    const n = counts.get(topic);
    if (!n)
      throw new Error(`Kafka topic "${topic}" does not exist: create it (see README "Running at scale")`);
    return n;
  };
  const partitions = {
    institution: countOf(o.handOverTopics.institution),
    person: countOf(o.handOverTopics.person),
    chain: countOf(o.handOverTopics.chain),
  };
  const sourcePartitions = o.inputTopics.flatMap((t) =>
    Array.from({ length: countOf(t) }, (_, i) => `${t}/${i}`),
  );
  const producer: Producer = o.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const handOver = new KafkaHandOver(producer, o.handOverTopics, partitions);
  const sessionTimeout = o.sessionTimeoutMs ?? 30_000;
  const consumer: Consumer = o.kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout,
    heartbeatInterval: Math.max(100, Math.floor(sessionTimeout / 3)),
    maxBytesPerPartition: 512 << 10,
  });

  let stage: StageInstance | undefined;
  let ingestEnded = false;
  const isDone = () => (o.stage === 'ingest' ? ingestEnded : (stage?.done ?? false));
  let assigned: { topic: string; partition: number }[] = [];
  let generation = 0;
  let built = -1;
  /** Per `topic/partition`: offsets below this were committed (rebuild only), and where input ends. */
  let committed = new Map<string, bigint>();
  let endOffsets = new Map<string, bigint>();
  const position = new Map<string, bigint>();
  const lastSeen = new Map<string, number>();
  const idleTold = new Set<string>();
  let processed = 0;
  let replayed = 0;
  let rebuilds = 0;
  let stopped = false;
  let resolveFinished!: (v: { standings: Standing[]; chains: ChainStatus[] }) => void;
  let rejectFinished!: (e: unknown) => void;
  const finished = new Promise<{ standings: Standing[]; chains: ChainStatus[] }>((res, rej) => {
    resolveFinished = res;
    rejectFinished = rej;
  });
  const id = (topic: string, partition: number) =>
    o.stage === 'ingest' ? `${topic}/${partition}` : String(partition);

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assigned = Object.entries(payload.memberAssignment).flatMap(([topic, ps]) =>
      ps.map((partition) => ({ topic, partition })),
    );
    generation++;
  });

  /**
   * A new assignment: a new, empty stage instance, and every assigned partition read again from
   * its first offset — after a rebalance the consumer would go on from its position, and a
   * commit the rebalance refused leaves that position past the committed offset. Ingest keeps no
   * state and goes on from the committed offsets. False when it sought (batches from 0 follow).
   */
  async function rebuild(): Promise<boolean> {
    built = generation;
    rebuilds++;
    const offsets = await admin.fetchOffsets({ groupId, topics: inputs });
    committed = new Map(
      offsets.flatMap((t) =>
        t.partitions.map(
          (p) => [`${t.topic}/${p.partition}`, BigInt(Math.max(0, Number(p.offset)))] as const,
        ),
      ),
    );
    const sought = o.stage !== 'ingest' && assigned.length > 0;
    if (sought)
      for (const a of assigned) consumer.seek({ topic: a.topic, partition: a.partition, offset: '0' });
    endOffsets = new Map();
    for (const topic of new Set(assigned.map((a) => a.topic)))
      for (const p of await admin.fetchTopicOffsets(topic))
        endOffsets.set(`${topic}/${p.partition}`, BigInt(p.high));
    position.clear();
    ingestEnded = false;
    stage = createStageInstance({
      stage: o.stage,
      pseudonymKey: o.pseudonymKey,
      packs: o.packs,
      thresholds: o.thresholds,
      allowedLatenessMs: o.allowedLatenessMs,
      handOver,
      assigned: assigned.map((a) => id(a.topic, a.partition)),
      sourcePartitions,
      partitions,
    });
    if (stage.ingest) for (const a of assigned) stage.ingest.partition(id(a.topic, a.partition), 'expected');
    await handOver.flush();
    return !sought;
  }

  const atEnd = () =>
    assigned.every((a) => {
      const k = `${a.topic}/${a.partition}`;
      return (position.get(k) ?? -1n) + 1n >= (endOffsets.get(k) ?? 0n);
    });

  /** Marks, hand-over, sinks, then offsets: nothing is committed before what it caused is durable. */
  async function settle(outs: TopologyOutput[], commit?: () => Promise<void>) {
    stage?.flushMarks();
    await handOver.flush();
    if (outs.length > 0) await o.emit(outs);
    await o.flush();
    // Committed through the batch's own call: a rebalance refusal then makes kafkajs rejoin (and
    // whoever gets the partition next rebuilds and redoes what followed the last commit) instead
    // of crashing the consumer as a refused `consumer.commitOffsets` does.
    if (commit) await commit();
  }

  async function finishIfDone(): Promise<void> {
    if (!stage) return;
    if (stage.ingest && o.stopAtEnd && !ingestEnded && atEnd()) {
      stage.ingest.end(assigned.map((a) => id(a.topic, a.partition)));
      ingestEnded = true;
      await settle([]);
    }
    if (isDone() && !stopped) {
      const result = { standings: stage.standings(), chains: stage.chains() };
      resolveFinished(result);
    }
  }

  await consumer.connect();
  for (const topic of inputs) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
      if (isStale() || stopped) return;
      if (built !== generation && !(await rebuild())) return; // batches from offset 0 follow
      const s = stage!;
      const key = `${batch.topic}/${batch.partition}`;
      const limit = committed.get(key) ?? 0n;
      const outs: TopologyOutput[] = [];
      let last: string | undefined;
      for (const m of batch.messages) {
        if (!isRunning() || isStale() || built !== generation) return;
        const offset = BigInt(m.offset);
        const h = id(batch.topic, batch.partition);
        const got = !m.value
          ? []
          : s.ingest
            ? s.ingest.process(m.value, { partition: h, source: `${key}@${m.offset}` })
            : s.receive(decodeStageMessage(m.value), h);
        // Nothing is muted while rebuilding: what an output depends on (the watermark over all
        // partitions) does not replay in the same interleaving, so an output the crashed instance
        // never made may come up before the committed offset. Sinks are idempotent, and the next
        // stages drop what they already have (event, visit and readmission ids; stale branches).
        if (offset < limit) replayed++;
        else processed++;
        for (const x of got) outs.push(x);
        position.set(key, offset);
        last = m.offset;
        resolveOffset(m.offset);
      }
      lastSeen.set(key, performance.now());
      if (idleTold.delete(key)) s.ingest?.partition(key, 'expected');
      const next = last !== undefined && BigInt(last) >= limit ? (BigInt(last) + 1n).toString() : undefined;
      await settle(
        outs,
        next === undefined
          ? undefined
          : () =>
              commitOffsetsIfNecessary({
                topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
              }),
      );
      await heartbeat();
      await finishIfDone();
    },
  });

  // Ingest only: a source partition silent for a while stops holding the watermark back.
  const idleTimer =
    o.stage === 'ingest'
      ? setInterval(() => {
          const now = performance.now();
          for (const [k, seen] of lastSeen)
            if (now - seen > (o.idlePartitionMs ?? 30_000) && !idleTold.has(k) && stage) {
              idleTold.add(k);
              stage.ingest?.partition(k, 'idle');
              handOver.flush().catch(rejectFinished);
            }
        }, 1_000)
      : undefined;

  // A bounded ingest whose partitions are all empty never gets a batch: check on a timer too.
  const endTimer = setInterval(() => {
    if (stage && built === generation) finishIfDone().catch(rejectFinished);
  }, 500);

  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    clearInterval(endTimer);
    if (idleTimer) clearInterval(idleTimer);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  }
  o.signal?.addEventListener('abort', () => {
    stop().then(() => resolveFinished({ standings: [], chains: [] }), rejectFinished);
  });

  return {
    status: () => ({
      stage: o.stage,
      assigned: assigned.map((a) => `${a.topic}/${a.partition}`),
      processed,
      replayed,
      rebuilds,
      done: isDone(),
    }),
    finished,
    snapshot: () => ({ standings: stage?.standings() ?? [], chains: stage?.chains() ?? [] }),
    stateSize: () => ({
      ...(stage?.institution?.warnings.store.stateSize() ?? stage?.person?.warnings.store.stateSize() ?? {}),
    }),
    stop,
  };
}
