/**
 * `yibao-monitor run --source kafka --stage <stage>`: one stage of the distributed topology as
 * its own process (ARCHITECTURE.md "Keys and stages"). Its outputs go where the embedded
 * monitor's go — ClickHouse (server or chDB), data/alerts.jsonl and the JetStream alert bus —
 * and its input offsets are committed only after they are durable. Add processes to a stage's
 * consumer group to add capacity; Kafka's group protocol spreads the partitions.
 */
import { resolve } from 'node:path';
import type { Config } from './config.ts';
import { createKafka } from './kafka/client.ts';
import { type KafkaStageStatus, startKafkaStage } from './kafka/stage-runner.ts';
import type { Alert, TopologyOutput } from './outputs.ts';
import { loadPacks, loadThresholds } from './packs-config.ts';
import { openAlertBus } from './run.ts';
import { AlertFileSink } from './sinks/alert-file.ts';
import type { StageKind } from './stages/instance.ts';
import type { StageName } from './stages/messages.ts';
import { createClickHouseSink } from './storage/clickhouse-sink.ts';
import { createStorageClient } from './storage/client.ts';
import { migrate } from './storage/migrate.ts';

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
};

export const handOverTopics = (prefix: string): Record<StageName, string> => ({
  institution: `${prefix}.institution`,
  person: `${prefix}.person`,
  chain: `${prefix}.chain`,
});

const SNAPSHOT_EVERY_MS = 10_000;

export async function runStage(o: StageRunOptions): Promise<KafkaStageStatus> {
  const { config } = o;
  const print = o.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  if (!config.YIBAO_KAFKA_BROKERS)
    throw new Error('--stage needs YIBAO_KAFKA_BROKERS=host:port[,host:port…]');
  const store = await createStorageClient(config);
  const database = config.YIBAO_CLICKHOUSE_DATABASE;
  await migrate(store.client, database);
  const sink = createClickHouseSink({ client: store.client, database });
  const alertSink = new AlertFileSink(resolve(config.YIBAO_DATA_DIR, 'alerts.jsonl'));
  const bus = config.YIBAO_NATS_URL ? await openAlertBus(config.YIBAO_NATS_URL) : undefined;
  const stopping = new AbortController();
  const counts = { outputs: 0, alerts: 0, level_changes: 0 };

  const emit = async (outs: readonly TopologyOutput[]) => {
    const alerts = outs.filter((x): x is Alert => x.kind === 'alert');
    counts.outputs += outs.length;
    counts.alerts += alerts.length;
    counts.level_changes += outs.filter((x) => x.kind === 'level_change').length;
    if (alerts.length > 0) {
      await alertSink.write(alerts);
      await bus?.publisher.write(alerts);
    }
    await sink.write(outs); // resolves when the sink has room: backpressure to the consumer
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
    ...(o.stopAtEnd && { stopAtEnd: true }),
    ...(config.YIBAO_KAFKA_SESSION_TIMEOUT_MS !== undefined && {
      sessionTimeoutMs: config.YIBAO_KAFKA_SESSION_TIMEOUT_MS,
    }),
    emit,
    flush: async () => {
      await sink.flush();
      await bus?.publisher.flush();
    },
    signal: stopping.signal,
  });

  const snapshot = async () => {
    const at = new Date().toISOString();
    const { standings, chains } = stage.snapshot();
    await sink.write([
      ...standings.map((standing) => ({ kind: 'standing' as const, standing })),
      ...chains.map((status) => ({ kind: 'chain_status' as const, at, status })),
    ]);
  };
  const report = () => {
    const s = { ...stage.status(), ...counts };
    print(
      o.json
        ? JSON.stringify(s)
        : `[${s.stage}] partitions ${s.assigned.length} | processed ${s.processed} (rebuilt ${s.replayed}) | outputs ${s.outputs} | alerts ${s.alerts} | level changes ${s.level_changes}${s.done ? ' | done' : ''}`,
    );
  };
  const statusTimer = setInterval(report, o.statusEveryMs ?? 5_000);
  const snapshotTimer = setInterval(() => void snapshot().catch(() => {}), SNAPSHOT_EVERY_MS);
  const onSignal = () => stopping.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await stage.finished; // the end of a bounded run, or a signal
  } finally {
    clearInterval(statusTimer);
    clearInterval(snapshotTimer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await snapshot();
    await sink.flush();
    await stage.stop();
    await sink.close();
    await alertSink.close();
    await bus?.close();
    report();
    await store.close();
  }
  return stage.status();
}
