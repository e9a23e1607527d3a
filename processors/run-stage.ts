/**
 * `yibao-monitor run --source kafka --stage <stage>`: one stage of the distributed topology as
 * its own process (ARCHITECTURE.md "Keys and stages"). Its outputs go where the embedded
 * monitor's go — ClickHouse (server or chDB), data/alerts.jsonl and the JetStream alert bus —
 * and its input offsets are committed only after they are durable. Add processes to a stage's
 * consumer group to add capacity; Kafka's group protocol spreads the partitions.
 */
import { type Config, developmentKeyWarning } from './config.ts';
import { openSinks } from './io/sinks/open-sinks.ts';
import { createKafka } from './kafka/client.ts';
import type { KafkaDeadLetters } from './kafka/dead-letters.ts';
import { type KafkaStageStatus, startKafkaStage } from './kafka/stage-runner.ts';
import { createMetrics } from './metrics.ts';
import type { TopologyOutput } from './outputs.ts';
import { loadEventTimeBounds, loadPacks, loadThresholds } from './packs-config.ts';
import { countOutputs, noOutputs } from './runtime/output-counts.ts';
import { unfinishedStop, withinBound } from './runtime/shutdown.ts';
import { onStopSignal } from './runtime/signals.ts';
import type { StageKind } from './stages/instance.ts';
import type { StageName } from './stages/messages.ts';
import { openCheckpointStore } from './state/open-store.ts';
import { startStatusServer } from './status-server.ts';
import type { StorageClient } from './storage/client.ts';

export type StageRunOptions = {
  readonly config: Config;
  readonly stage: StageKind;
  readonly inputTopics: readonly string[];
  /** Hand-over topics are `${prefix}.institution`, `${prefix}.person`, `${prefix}.chain`. */
  readonly handOverPrefix: string;
  readonly groupId: string;
  readonly stopAtEnd?: boolean;
  readonly json?: boolean;
  readonly print?: (line: string) => void;
  readonly statusEveryMs?: number;
  /** An open store to write to instead of the configured one (tests); the caller closes it. */
  readonly storage?: StorageClient;
  /** Stops the stage as a SIGINT/SIGTERM does (embedding, tests). */
  readonly signal?: AbortSignal;
  /** Where the ingest stage's rejected records also go (default: YIBAO_KAFKA_DEAD_LETTER_TOPIC, io/sinks/dead-letter-topic.ts). */
  readonly kafkaDeadLetters?: KafkaDeadLetters;
};

/**
 * The stage's last status, and how its stop went: `stopped` when everything was flushed, committed
 * and closed; `failed` when a sink failed at the stop or the stop ran past
 * YIBAO_SHUTDOWN_TIMEOUT_SECONDS (what was not confirmed is printed; nothing past it is committed).
 */
export type StageRunResult = KafkaStageStatus & { readonly state: 'stopped' | 'failed' };

export const handOverTopics = (prefix: string): Record<StageName, string> => ({
  institution: `${prefix}.institution`,
  person: `${prefix}.person`,
  chain: `${prefix}.chain`,
});

const SNAPSHOT_EVERY_MS = 10_000;

export async function runStage(o: StageRunOptions): Promise<StageRunResult> {
  const { config } = o;
  const print = o.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  if (!config.YIBAO_KAFKA_BROKERS)
    throw new Error('--stage needs YIBAO_KAFKA_BROKERS=host:port[,host:port…]');
  const metrics = createMetrics();
  // The sinks of the embedded monitor (io/sinks/open-sinks.ts). Only ingest decodes input, so only
  // its outputs hold rejected records: their dead letters for the Kafka topic come from them.
  const sinks = await openSinks(config, {
    deadLettersFrom: 'outputs',
    ...(o.storage && { storage: o.storage }),
    ...(o.stage === 'ingest' && o.kafkaDeadLetters && { kafkaDeadLetters: o.kafkaDeadLetters }),
    onWrite: (sink, seconds) => metrics.sinkLatency.observe({ sink }, seconds),
  });
  const store = sinks.get('clickhouse')!; // always on
  // Ingest keeps no state: it goes on from its committed offsets.
  const checkpoints = o.stage === 'ingest' ? undefined : await openCheckpointStore(config);
  const stopping = new AbortController();
  const counts = { outputs: 0, alerts: 0, ...noOutputs() };

  const emit = async (outs: readonly TopologyOutput[]) => {
    countOutputs(outs, counts, metrics, () => counts.alerts++);
    counts.outputs += outs.length;
    await sinks.write(outs); // resolves when every sink has room: backpressure to the consumer
  };
  const stage = await startKafkaStage({
    stage: o.stage,
    kafka: createKafka(config.YIBAO_KAFKA_BROKERS.split(','), `yibao-monitor-${o.stage}`),
    groupId: o.groupId,
    inputTopics: o.inputTopics,
    handOverTopics: handOverTopics(o.handOverPrefix),
    pseudonymKey: config.pseudonymKey,
    packs: loadPacks(config),
    thresholds: loadThresholds(config),
    allowedLatenessMs: config.YIBAO_ALLOWED_LATENESS_SECONDS * 1000,
    eventTime: loadEventTimeBounds(config, Date.now),
    ...(o.stopAtEnd && { stopAtEnd: true }),
    ...(config.YIBAO_KAFKA_SESSION_TIMEOUT_MS !== undefined && {
      sessionTimeoutMs: config.YIBAO_KAFKA_SESSION_TIMEOUT_MS,
    }),
    emit,
    flush: () => sinks.flush(),
    ...(checkpoints && {
      checkpoints: { store: checkpoints.store, everyMs: config.YIBAO_CHECKPOINT_INTERVAL_SECONDS * 1000 },
    }),
    log: (level, message, event) => {
      if (event !== 'rejoined') metrics.checkpoints.inc({ stage: o.stage, event });
      print(o.json ? JSON.stringify({ level, message }) : `[${o.stage}] ${message}`);
    },
    signal: stopping.signal,
  });
  if (checkpoints)
    print(
      o.json
        ? JSON.stringify({ checkpoints: checkpoints.where })
        : `[${o.stage}] checkpoints in ${checkpoints.where}`,
    );

  const snapshot = async () => {
    const at = new Date().toISOString();
    const { standings, chains } = stage.snapshot();
    await sinks.writeState([
      ...standings.map((standing) => ({ kind: 'standing' as const, standing })),
      ...chains.map((status) => ({ kind: 'chain_status' as const, at, status })),
    ]);
  };
  let processedBefore = 0;
  let savedBefore = 0;
  const warning = developmentKeyWarning(config);
  const status = () => ({ ...stage.status(), ...counts, ...(warning !== undefined && { warning }) });
  // Read at each scrape from what the status line reads.
  metrics.follow({
    lag: () => stage.status().lag,
    eventTime: () => stage.status().event_time,
    sinks: () => ({
      clickhouse: {
        unconfirmed: store.stats().unconfirmed_rows,
        bound: config.YIBAO_CLICKHOUSE_MAX_BUFFERED_ROWS,
      },
    }),
    checkpointAt: () => {
      const at = stage.status().checkpoint_at;
      return { [o.stage]: at === null ? null : Date.parse(at) };
    },
  });
  const server = await startStatusServer(
    config.YIBAO_STATUS_PORT,
    { status, ready: () => !stopping.signal.aborted },
    metrics,
    config.YIBAO_STATUS_HOST,
  ).catch((err: Error) => {
    print(
      `status port ${config.YIBAO_STATUS_PORT} not served (${err.message}): set YIBAO_STATUS_PORT per process`,
    );
    return undefined;
  });
  const report = () => {
    const s = status();
    metrics.events.inc({ stage: o.stage, outcome: 'processed' }, s.processed - processedBefore);
    processedBefore = s.processed;
    for (const [kind, n] of Object.entries(stage.stateSize())) metrics.stateKeys.set({ kind }, n);
    metrics.checkpoints.inc({ stage: o.stage, event: 'saved' }, s.checkpoints_saved - savedBefore);
    savedBefore = s.checkpoints_saved;
    if (s.checkpoints_saved > 0) {
      metrics.checkpointBytes.set({ stage: o.stage }, s.checkpoint_bytes);
      metrics.checkpointSeconds.set({ stage: o.stage, step: 'encode' }, s.checkpoint_ms.encode_ms / 1000);
      metrics.checkpointSeconds.set({ stage: o.stage, step: 'save' }, s.checkpoint_ms.save_ms / 1000);
    }
    const behind = Object.values(s.lag).reduce((a, b) => a + b, 0);
    print(
      o.json
        ? JSON.stringify(s)
        : `[${s.stage}] partitions ${s.assigned.length} | processed ${s.processed} (rebuilt ${s.replayed}) | lag ${behind} | outputs ${s.outputs} | alerts ${s.alerts} | level changes ${s.level_changes} | checkpoints ${s.checkpoints_saved} | event time ${s.event_time ?? '—'}${s.done ? ' | done' : ''}${warning ? ` | WARNING: ${warning}` : ''}`,
    );
  };
  const statusTimer = setInterval(report, o.statusEveryMs ?? 5_000);
  const snapshotTimer = setInterval(() => void snapshot().catch(() => {}), SNAPSHOT_EVERY_MS);
  // A sink waiting for a server that is away (the alert bus) gives up at once on a signal, so the
  // batch it holds ends uncommitted and the consumer can leave its group.
  const onSignal = () => {
    stopping.abort();
    sinks.interrupt();
  };
  const offSignals = onStopSignal(onSignal);
  o.signal?.addEventListener('abort', onSignal);
  let stopFailure: unknown;
  let stopped = false;
  try {
    await stage.finished; // the end of a bounded run, or a signal
  } finally {
    clearInterval(statusTimer);
    clearInterval(snapshotTimer);
    offSignals();
    stopped = await withinBound(config.YIBAO_SHUTDOWN_TIMEOUT_SECONDS * 1000, async () => {
      try {
        await snapshot();
        await sinks.flush();
      } catch (err) {
        stopFailure = err; // the consumer's last batch stays uncommitted: a restart reads it again
      }
      await stage.stop();
      try {
        await sinks.close(); // every sink, whichever failed (composite.ts)
      } catch (err) {
        stopFailure ??= err;
      }
      await checkpoints?.close();
    });
    if (!stopped) print(unfinishedStop(config.YIBAO_SHUTDOWN_TIMEOUT_SECONDS, store.stats()));
    if (stopFailure !== undefined)
      print(`yibao-monitor: ${stopFailure instanceof Error ? stopFailure.message : String(stopFailure)}`);
    report();
    server?.close();
    // After a stop that ran out of time the store may be what hung: not waited for again.
    if (stopped && !o.storage) await store.store.close();
  }
  return { ...stage.status(), state: stopped && stopFailure === undefined ? 'stopped' : 'failed' };
}
