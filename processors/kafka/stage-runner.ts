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
 * dropped instance.
 *
 * Checkpoints (`checkpoints`): after a batch is settled, at most every `everyMs`, the instance's
 * whole state is saved with the next offset of each assigned partition, named by the stage and
 * its assignment. A new assignment equal to a saved one restores that state and seeks to its
 * offsets instead of reading from offset 0; a snapshot that is missing, corrupt, of another
 * version or taken under another layout is reported and the state is rebuilt from the log. The
 * hand-over topics' retention must cover what a rebuild reads: the longest window (45 days of
 * stays) without checkpoints, the time since the last checkpoint with them — but an assignment
 * no checkpoint matches (instances added or removed) still rebuilds from offset 0.
 */

import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import type { ChainStatus } from '../../rules/chains.ts';
import type { Thresholds } from '../../rules/early-warning/thresholds.ts';
import type { CompiledPack } from '../../rules/engine/engine.ts';
import type { Standing } from '../../rules/engine/standing.ts';
import { toIso } from '../../rules/engine/time.ts';
import type { TopologyOutput } from '../outputs.ts';
import { decodeStageMessage } from '../stages/codec.ts';
import { DEFAULT_EVENT_TIME_BOUNDS, type EventTimeBounds } from '../stages/event-time-bounds.ts';
import {
  createStageInstance,
  type StageInstance,
  type StageInstanceOptions,
  type StageKind,
} from '../stages/instance.ts';
import type { StageName } from '../stages/messages.ts';
import type { CheckpointStore } from '../state/checkpoints.ts';
import { KafkaHandOver } from './handover.ts';
import { Checkpointer, checkpointName, restoreCheckpoint, type StageStart } from './stage/checkpointing.ts';
import { StagePartitions } from './stage/partitions.ts';
import { batchSettler } from './stage/settle.ts';

export { checkpointName, type StageStart };

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
  /** Ingest: which event times are dead letters (default: the floor and the wall clock + 10 min). */
  readonly eventTime?: EventTimeBounds;
  /** A bounded run: ingest ends once its partitions are read to the end they had at assignment. */
  readonly stopAtEnd?: boolean;
  readonly sessionTimeoutMs?: number;
  /** A source partition silent this long (wall clock) stops holding the watermark (ingest). */
  readonly idlePartitionMs?: number;
  /** Outputs to the sinks; resolves once accepted (backpressure). */
  readonly emit: (outs: readonly TopologyOutput[]) => Promise<void>;
  /** Makes everything emitted durable; offsets are committed after it resolves. */
  readonly flush: () => Promise<void>;
  /** Snapshots of the stage's state (not for ingest, which keeps none). */
  readonly checkpoints?: { readonly store: CheckpointStore; readonly everyMs: number };
  /** What the runner has to tell: a checkpoint restored, or refused and why. */
  readonly log?: (
    level: 'info' | 'warn',
    message: string,
    event: 'restored' | 'refused' | 'rejoined',
  ) => void;
  readonly signal?: AbortSignal;
};

export type KafkaStageStatus = {
  readonly stage: StageKind;
  readonly assigned: readonly string[];
  readonly processed: number;
  readonly replayed: number;
  /**
   * Messages read since the current assignment was built (restored or rebuilt): `processed` and
   * `replayed` count since the process started, across every rebalance.
   */
  readonly read_since_start: number;
  readonly rebuilds: number;
  readonly start?: StageStart;
  readonly checkpoints_saved: number;
  readonly checkpoint_bytes: number;
  /** Milliseconds the last checkpoint took to encode and to save. */
  readonly checkpoint_ms: { readonly encode_ms: number; readonly save_ms: number };
  /** When the last checkpoint was saved (RFC 3339), or null before the first. */
  readonly checkpoint_at: string | null;
  /** Records behind each assigned partition's end, as of its last batch. */
  readonly lag: Readonly<Record<string, number>>;
  /**
   * The newest event time this process has seen (RFC 3339), or null before the first: of its
   * input for ingest, institution and person, of what every institution instance released for chain.
   */
  readonly event_time: string | null;
  readonly done: boolean;
};

/** An instance's event time (see KafkaStageStatus.event_time); not finite before the first. */
function eventTimeOf(s: StageInstance): number {
  if (s.ingest) return s.ingest.newestEventTime;
  if (s.institution) return s.institution.newest;
  if (s.person) return s.person.warnings.store.newestEventTime;
  if (s.chain) return s.chain.watermark;
  return Number.NEGATIVE_INFINITY;
}

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
  const partitionsRead = new StagePartitions();
  let processed = 0;
  let replayed = 0;
  /** processed + replayed when the current assignment was built. */
  let readAtStart = 0;
  let rebuilds = 0;
  let start: StageStart | undefined;
  const checkpointer = o.checkpoints && new Checkpointer(o.checkpoints.store, o.checkpoints.everyMs);
  /** The newest event time any instance of this process had (a rebuilt one starts again from −∞). */
  let eventTime = Number.NEGATIVE_INFINITY;
  const eventTimeNow = () => {
    const t = stage ? eventTimeOf(stage) : Number.NEGATIVE_INFINITY;
    if (Number.isFinite(t) && t > eventTime) eventTime = t;
    return Number.isFinite(eventTime) ? toIso(eventTime) : null;
  };
  /** The options the current instance was made with (a snapshot's fingerprint is taken of them). */
  let instanceOptions: StageInstanceOptions | undefined;
  /** False once a batch stopped midway: the state then holds records whose outputs were not settled. */
  let clean = true;
  let stopped = false;
  let resolveFinished!: (v: { standings: Standing[]; chains: ChainStatus[] }) => void;
  let rejectFinished!: (e: unknown) => void;
  const finished = new Promise<{ standings: Standing[]; chains: ChainStatus[] }>((res, rej) => {
    resolveFinished = res;
    rejectFinished = rej;
  });
  const id = (topic: string, partition: number) =>
    o.stage === 'ingest' ? `${topic}/${partition}` : String(partition);
  const keyOf = (a: { topic: string; partition: number }) => `${a.topic}/${a.partition}`;

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assigned = Object.entries(payload.memberAssignment).flatMap(([topic, ps]) =>
      ps.map((partition) => ({ topic, partition })),
    );
    generation++;
    // Restored or rebuilt at once, not at the first batch: a checkpoint at the end of the input
    // gets no batch at all, and a bounded run must still end.
    ensureBuilt().catch(rejectFinished);
  });

  let rebuilding: Promise<void> | undefined;
  /** Brings the instance up to the current assignment, one rebuild at a time. */
  function ensureBuilt(): Promise<void> {
    rebuilding ??= (async () => {
      try {
        while (built !== generation) await rebuild();
      } finally {
        rebuilding = undefined;
      }
    })();
    return rebuilding;
  }

  /**
   * A new assignment: the state its checkpoint holds, or a new, empty stage instance, and every
   * assigned partition read again from the checkpoint's offsets or from its first offset — after
   * a rebalance the consumer would go on from its position, and a commit the rebalance refused
   * leaves that position past the committed offset. Ingest keeps no state and goes on from the
   * committed offsets. A batch fetched before the seek is stale (kafkajs) and is dropped.
   */
  async function rebuild(): Promise<void> {
    built = generation;
    rebuilds++;
    readAtStart = processed + replayed;
    const offsets = await admin.fetchOffsets({ groupId, topics: inputs });
    const committed = new Map(
      offsets.flatMap((t) =>
        t.partitions.map(
          (p) => [`${t.topic}/${p.partition}`, BigInt(Math.max(0, Number(p.offset)))] as const,
        ),
      ),
    );
    const endOffsets = new Map<string, bigint>();
    for (const topic of new Set(assigned.map((a) => a.topic)))
      for (const p of await admin.fetchTopicOffsets(topic))
        endOffsets.set(`${topic}/${p.partition}`, BigInt(p.high));
    partitionsRead.reset(assigned.map(keyOf), committed, endOffsets, performance.now());
    ingestEnded = false;
    clean = true;
    const options: StageInstanceOptions = {
      stage: o.stage,
      pseudonymKey: o.pseudonymKey,
      packs: o.packs,
      thresholds: o.thresholds,
      allowedLatenessMs: o.allowedLatenessMs,
      eventTime: o.eventTime ?? { ...DEFAULT_EVENT_TIME_BOUNDS, now: Date.now },
      handOver,
      assigned: assigned.map((a) => id(a.topic, a.partition)),
      sourcePartitions,
      partitions,
    };
    instanceOptions = options;
    const sought = o.stage !== 'ingest' && assigned.length > 0;
    const restored = sought
      ? await restoreCheckpoint(
          o.checkpoints?.store,
          checkpointName(groupId, assigned),
          assigned.map(keyOf),
          options,
          o.log,
        )
      : undefined;
    stage = restored?.instance ?? createStageInstance(options);
    start = restored?.start ?? { from: 'committed' };
    if (sought)
      for (const a of assigned) {
        const offset = restored?.offsets?.[keyOf(a)] ?? '0';
        partitionsRead.seek(keyOf(a), BigInt(offset));
        consumer.seek({ topic: a.topic, partition: a.partition, offset });
      }
    if (stage.ingest) {
      for (const a of assigned) stage.ingest.partition(id(a.topic, a.partition), 'expected');
      tellIdle(false); // empty partitions of a bounded run hold nothing back
    }
    partitionsRead.startLag();
    await handOver.flush();
    checkpointer?.restart();
  }

  /** After a settled batch: the state and the next offset of every assigned partition, if it is time. */
  async function checkpointIfDue(): Promise<void> {
    if (!checkpointer || !stage || !instanceOptions || o.stage === 'ingest' || !clean) return;
    await checkpointer.saveIfDue(
      checkpointName(groupId, assigned),
      stage,
      instanceOptions,
      partitionsRead.offsets(),
    );
  }

  /**
   * Ingest: source partitions that stop holding the watermark back (see io/sources/idleness.ts):
   * in a bounded run, one read to the end it had at assignment, at once (a finished split); one
   * read to its newest end and silent for `idlePartitionMs`, when `bySilence`. Never one with
   * records waiting, however long silent. Not by silence while a batch settles: sinks that are
   * slow or down hold every partition back then. True when something was told.
   */
  function tellIdle(bySilence: boolean): boolean {
    if (!stage?.ingest) return false;
    const idle = partitionsRead.takeIdle({
      stopAtEnd: o.stopAtEnd === true,
      bySilence: bySilence && !settler.settling(),
      idleMs: o.idlePartitionMs ?? 30_000,
      now: performance.now(),
    });
    for (const k of idle) stage.ingest.partition(k, 'idle');
    return idle.length > 0;
  }

  const settler = batchSettler({
    flushMarks: () => stage?.flushMarks(),
    flushHandOver: () => handOver.flush(),
    emit: o.emit,
    flush: o.flush,
    onWaited: (ms) => partitionsRead.notSilentFor(ms),
  });
  const settle = settler.settle;

  async function finishIfDone(): Promise<void> {
    if (!stage) return;
    if (stage.ingest && o.stopAtEnd && !ingestEnded && partitionsRead.atEnd()) {
      stage.ingest.end(assigned.map((a) => id(a.topic, a.partition)));
      ingestEnded = true;
      await settle([]);
    }
    // A later stage is done once every source has ended and the stages it waits on are through;
    // in a bounded run it also reads what its partitions held at assignment first. One partition
    // can carry every end and progress mark while another still has messages after a restored
    // checkpoint's offsets: done then, the run ended with those unread (what we take to explain
    // 765 of 861 read once in the kafka-stages checkpoint test, in a full run under load).
    const readAll = stage.ingest !== undefined || !o.stopAtEnd || partitionsRead.atEnd();
    if (isDone() && readAll && !stopped) {
      const result = { standings: stage.standings(), chains: stage.chains() };
      resolveFinished(result);
    }
  }

  /**
   * A consumer that crashes on an error kafkajs does not retry (librdkafka's mock cluster answers
   * some SyncGroup requests of a group with several members joining at once with an error
   * kafkajs reads as "malformed request") stops for good: the instance sat at `assigned: []`
   * and a bounded run never ended. It rejoins instead, after a second, and the new assignment
   * rebuilds or restores as any rebalance does.
   */
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart || stopped) return;
    o.log?.('warn', `${o.stage}: consumer crashed (${payload.error.message}); rejoining in 1 s`, 'rejoined');
    setTimeout(() => {
      if (stopped) return;
      consumer
        .disconnect()
        .then(() => consume())
        .catch(rejectFinished);
    }, 1_000);
  });

  await consume();
  async function consume(): Promise<void> {
    await consumer.connect();
    for (const topic of inputs) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({
        batch,
        resolveOffset,
        heartbeat,
        isRunning,
        isStale,
        commitOffsetsIfNecessary,
      }) => {
        if (isStale() || stopped) return;
        if (built !== generation || rebuilding) await ensureBuilt();
        // After a seek, what was fetched before it is stale; batches from the new offsets follow.
        if (isStale() || stopped || !stage) return;
        const s = stage;
        const key = `${batch.topic}/${batch.partition}`;
        const limit = partitionsRead.committed(key);
        const outs: TopologyOutput[] = [];
        let last: string | undefined;
        for (const m of batch.messages) {
          if (!isRunning() || isStale() || built !== generation) {
            clean = false; // what this batch did so far is in the state but not settled
            return;
          }
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
          partitionsRead.applied(key, offset);
          last = m.offset;
          resolveOffset(m.offset);
        }
        // It delivered: it takes part with its records again.
        partitionsRead.batchDone(
          key,
          last === undefined ? undefined : BigInt(last),
          BigInt(batch.highWatermark),
          performance.now(),
        );
        eventTimeNow(); // after every batch: chain's watermark is +∞ once all ended, a rebuild starts at −∞
        if (s.ingest) tellIdle(false);
        const next = last !== undefined && BigInt(last) >= limit ? (BigInt(last) + 1n).toString() : undefined;
        await settle(
          outs,
          next === undefined
            ? undefined
            : () =>
                commitOffsetsIfNecessary({
                  topics: [
                    { topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] },
                  ],
                }),
        );
        await checkpointIfDue();
        await heartbeat();
        await finishIfDone();
      },
    });
  }

  // Ingest only: the timer side of `tellIdle` (a partition silent for a while while caught up).
  const idleTimer =
    o.stage === 'ingest'
      ? setInterval(() => {
          if (settler.settling() || !stage || built !== generation) return;
          if (tellIdle(true)) handOver.flush().catch(rejectFinished);
        }, 1_000)
      : undefined;

  // A bounded ingest whose partitions are all empty never gets a batch: check on a timer too.
  const endTimer = setInterval(() => {
    if (stage && built === generation) finishIfDone().catch(rejectFinished);
  }, 500);

  let stopping: Promise<void> | undefined;
  /** Leaves the group and closes the clients; every caller waits for the same stop. */
  function stop(): Promise<void> {
    stopped = true;
    stopping ??= (async () => {
      clearInterval(endTimer);
      if (idleTimer) clearInterval(idleTimer);
      await consumer.disconnect();
      await producer.disconnect();
      await admin.disconnect();
    })();
    return stopping;
  }
  // A signal ends the run at once: the consumer's disconnect waits for the batch in hand, which
  // may wait on a sink that is away; the caller bounds that wait (run-stage.ts), not this promise.
  o.signal?.addEventListener('abort', () => {
    resolveFinished({ standings: [], chains: [] });
    stop().catch(() => {}); // the caller's own stop() reports what fails
  });

  return {
    status: () => ({
      stage: o.stage,
      assigned: assigned.map((a) => `${a.topic}/${a.partition}`),
      processed,
      replayed,
      read_since_start: processed + replayed - readAtStart,
      rebuilds,
      ...(start && { start }),
      checkpoints_saved: checkpointer?.saved ?? 0,
      checkpoint_bytes: checkpointer?.bytes ?? 0,
      checkpoint_ms: checkpointer?.times ?? { encode_ms: 0, save_ms: 0 },
      checkpoint_at: checkpointer?.at ?? null,
      lag: partitionsRead.lag(),
      event_time: eventTimeNow(),
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
