/**
 * The live monitor: a source → the topology → ClickHouse (server or chDB) and the alert file,
 * with a status line every few seconds, Prometheus metrics and a status port, and a graceful stop
 * on SIGINT/SIGTERM that flushes every sink. I/O lives here; the topology stays pure.
 */

import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { MonitorError } from '../schemas/errors.ts';
import { createPseudonymiser } from '../schemas/pseudonymise.ts';
import { AlertPublisher, ensureAlertStream } from './alerting/bus.ts';
import { connectNats } from './alerting/connect.ts';
import { type Config, developmentKeyWarning } from './config.ts';
import { AlertFileSink, formatAlertLine } from './io/sinks/alert-file.ts';
import { openStoreSink } from './io/sinks/clickhouse.ts';
import { openContractFiles } from './io/sinks/contract-files.ts';
import { batchesOf } from './io/sources/batches.ts';
import { partitionIdleness } from './io/sources/idleness.ts';
import type { Source, SourceRecord } from './io/sources/source.ts';
import { createKafka } from './kafka/client.ts';
import {
  createKafkaDeadLetters,
  deadLetterOf,
  type KafkaDeadLetter,
  type KafkaDeadLetters,
} from './kafka/dead-letters.ts';
import type { KafkaRecord } from './kafka/source.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { Alert, Rejected, TopologyOutput } from './outputs.ts';
import { loadEventTimeBounds, loadPacks, loadThresholds } from './packs-config.ts';
import { startStatusServer, topParams } from './status-server.ts';
import type { StorageClient } from './storage/client.ts';
import { chainStatuses, openAlertsBySeverity, riskiestInstitutions } from './storage/queries.ts';
import { createTopology, type Topology } from './topology.ts';

export type RunOptions = {
  readonly config: Config;
  /** The source, or a function making it from the topology (e.g. Kafka watermark alignment). */
  readonly source: Source | ((topology: Topology) => Source);
  /** Machine-readable status lines instead of the human summary. */
  readonly json?: boolean;
  /** Stop by itself after this long (wall clock); otherwise at the end of the source or on a signal. */
  readonly durationMs?: number;
  readonly print?: (line: string) => void;
  readonly statusEveryMs?: number;
  /** Print each key alert as it is raised (the console channel). */
  readonly printAlerts?: boolean;
  /** A source partition silent this long (wall clock) stops holding the watermark (default 30 s). */
  readonly idlePartitionMs?: number;
  /**
   * Where rejected Kafka records also go. By default, with YIBAO_KAFKA_DEAD_LETTER_TOPIC set, a
   * producer on YIBAO_KAFKA_BROKERS (idempotent; tests against the mock cluster pass their own).
   */
  readonly kafkaDeadLetters?: KafkaDeadLetters;
  /** Also write replay's contract files here (EVENTS.md), to compare the live path with replay. */
  readonly outDir?: string;
  /** An open store to write to instead of the configured one; the caller closes it. */
  readonly storage?: StorageClient;
};

export type RunStatus = {
  /** `failed`: the stop did not finish within YIBAO_SHUTDOWN_TIMEOUT_SECONDS (see `unfinishedStop`). */
  readonly state: 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';
  readonly source: string;
  readonly records: number;
  readonly events_per_s: number;
  readonly lag: number | null;
  readonly rejected: number;
  readonly duplicates: number;
  readonly late: number;
  /** Credit records that came after their time was applied (applied at once, never dropped). */
  readonly credit_late: number;
  /** Records that waited in the topology for a lagging partition (alignment). */
  readonly held: number;
  readonly level_changes: number;
  readonly alerts_raised: number;
  readonly open_alerts: Record<string, number>;
  readonly inspections: number;
  readonly event_time: string | null;
  readonly store: string;
  readonly alerts_file: string;
  readonly sink: unknown;
  /** The alert bus when one is configured: publishes awaiting their ack, and totals so far. */
  /** Set while real records run on the public development key (config.ts `requireSecretKey`). */
  readonly warning?: string;
  readonly alert_bus: {
    readonly in_flight: number;
    readonly published: number;
    readonly duplicates: number;
    readonly retries: number;
  } | null;
};

const SNAPSHOT_EVERY_MS = 10_000;
const IDLE_PARTITION_MS = 30_000;

export async function runMonitor(options: RunOptions): Promise<RunStatus> {
  const { config } = options;
  const print = options.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const metrics = createMetrics();
  const { store, database, sink } = await openStoreSink(config, options.storage);
  const alertsFile = resolve(config.YIBAO_DATA_DIR, 'alerts.jsonl');
  const alertSink = new AlertFileSink(alertsFile);
  const contractFiles = options.outDir ? await openContractFiles(options.outDir) : undefined;
  // The alert bus (JetStream stream ALERTS) when a NATS server is configured; its message ids
  // (alert_id:status) make a replay after a crash publish nothing twice.
  const bus = config.YIBAO_NATS_URL ? await openAlertBus(config.YIBAO_NATS_URL) : undefined;
  const topology = createTopology({
    pseudonymKey: config.pseudonymKey,
    packs: loadPacks(config),
    thresholds: loadThresholds(config),
    allowedLatenessMs: config.YIBAO_ALLOWED_LATENESS_SECONDS * 1000,
    eventTime: loadEventTimeBounds(config, () => (source.synthetic ? undefined : Date.now())),
  });
  const source: Source = typeof options.source === 'function' ? options.source(topology) : options.source;
  const deadLetters = kafkaDeadLetterQueue(config, options.kafkaDeadLetters);
  const pseudonymise = createPseudonymiser(config.pseudonymKey);

  let state: RunStatus['state'] = 'starting';
  let levelChanges = 0;
  let alertsRaised = 0;
  let inspections = 0;
  let eventTime: string | null = null;
  const started = performance.now();
  let windowStart = started;
  let windowRecords = 0;
  let rate = 0;

  const warning = source.synthetic ? undefined : developmentKeyWarning(config);
  const status = (): RunStatus => ({
    ...(warning !== undefined && { warning }),
    state,
    source: source.name,
    records: topology.counters.records_read,
    events_per_s: Math.round(rate),
    lag: source.lag ? source.lag() : null,
    rejected: topology.counters.rejected,
    duplicates: topology.counters.duplicates,
    late: topology.state().late,
    credit_late: topology.state().credit_late,
    held: topology.state().held,
    level_changes: levelChanges,
    alerts_raised: alertsRaised,
    open_alerts: topology.state().open_alerts,
    inspections,
    event_time: eventTime,
    store: store.location,
    alerts_file: alertsFile,
    sink: sink.stats(),
    alert_bus: bus ? { in_flight: bus.publisher.inFlight, ...bus.publisher.totals } : null,
  });

  const server = await startStatus(
    config.YIBAO_STATUS_PORT,
    config.YIBAO_STATUS_HOST,
    status,
    () => state === 'running',
    store.client,
    database,
    metrics,
    print,
  );

  const stop = new AbortController();
  const onSignal = () => {
    stop.abort();
    source.stop?.(); // an idle source would otherwise keep the loop waiting for its next record
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = options.durationMs ? setTimeout(onSignal, options.durationMs) : undefined;

  const deliver = async (outs: readonly TopologyOutput[]) => {
    const alerts: Alert[] = [];
    for (const o of outs) {
      if (o.kind === 'level_change') {
        levelChanges++;
        metrics.levelChanges.inc({ pack: o.pack ?? 'none' });
      } else if (o.kind === 'alert') {
        alerts.push(o);
        if (o.status === 'firing') alertsRaised++;
        metrics.alerts.inc({ rule: o.rule, severity: o.severity, status: o.status });
        if (options.printAlerts && o.severity === 'key' && o.status === 'firing' && !options.json)
          print(formatAlertLine(o));
      } else if (o.kind === 'inspection') inspections++;
      else if (o.kind === 'rejected') metrics.deadLetters.inc();
    }
    if (alerts.length > 0) {
      await alertSink.write(alerts);
      await bus?.publisher.write(alerts);
    }
    await contractFiles?.write(outs);
    const t0 = performance.now();
    await sink.write(outs); // resolves only when the sink has room: this is the backpressure
    metrics.sinkLatency.observe({ sink: 'clickhouse' }, (performance.now() - t0) / 1000);
  };
  // One delivery at a time, in order: the loop's and those of partitions declared idle between
  // batches (their boundaries' alerts must not wait for the next record).
  let delivering: Promise<void> = Promise.resolve();
  const handle = (outs: readonly TopologyOutput[]): Promise<void> => {
    const next = delivering.then(() => deliver(outs));
    delivering = next.catch(() => {});
    return next;
  };

  const snapshot = async () => {
    const at = new Date().toISOString();
    const records = [
      ...topology.standings().map((standing) => ({ kind: 'standing' as const, standing })),
      ...topology.chains().map((s) => ({ kind: 'chain_status' as const, at: eventTime ?? at, status: s })),
      ...pipelineMetrics(status(), at),
    ];
    await sink.write(records);
    const size = topology.state().size;
    for (const [kind, n] of Object.entries(size)) metrics.stateKeys.set({ kind }, n);
  };

  /** Source offsets follow durable outputs: flush the sinks, then commit. */
  const commit = async () => {
    if (!source.commit) return;
    await deadLetters?.flush();
    await alertSink.flush();
    await sink.flush();
    await bus?.publisher.flush();
    await source.commit();
    metrics.lag.set({ source: source.name }, source.lag?.() ?? 0);
  };

  const report = () => {
    const now = performance.now();
    rate = (windowRecords * 1000) / Math.max(1, now - windowStart);
    windowStart = now;
    windowRecords = 0;
    const s = status();
    print(options.json ? JSON.stringify(s) : humanStatus(s));
  };

  state = 'running';
  const statusTimer = setInterval(report, options.statusEveryMs ?? 5_000);
  let lastSnapshot = performance.now();
  const idle = partitionIdleness(source, topology, options.idlePartitionMs ?? IDLE_PARTITION_MS);
  // Time the loop spends waiting on its sinks (backpressure: ClickHouse or the alert bus slow or
  // down) is not a partition's silence: the source is paused then, every partition looks silent,
  // and declaring them idle would let the first one read afterwards carry the watermark past the
  // others and make their records late.
  const waiting = async <T>(work: Promise<T>): Promise<T> => {
    const t0 = performance.now();
    idle.pause();
    try {
      return await work;
    } finally {
      idle.resume(performance.now() - t0);
    }
  };
  let idleFailure: unknown;
  const idleTimer = setInterval(() => {
    const outs = idle.check();
    if (outs.length > 0)
      handle(outs).catch((err) => {
        idleFailure = err;
        onSignal();
      });
  }, 1_000);
  try {
    for await (const batch of batchesOf(source)) {
      if (stop.signal.aborted) break;
      idle.learn();
      let outs: TopologyOutput[] = [];
      let rejected = 0;
      let applied = 0;
      for (const r of batch) {
        // A slice at a time to the sinks: a whole fetch's outputs in one write would overshoot
        // YIBAO_CLICKHOUSE_MAX_BUFFERED_ROWS (the memory bound while ClickHouse is slow or down).
        if (applied++ === SINK_SLICE) {
          applied = 1;
          await waiting(handle(outs));
          outs = [];
        }
        const got = topology.process(r.raw, {
          ...(r.line !== undefined && { line: r.line }),
          ...(r.partition !== undefined && { partition: r.partition }),
          source: r.origin ?? source.name,
        });
        for (const o of got) {
          outs.push(o);
          if (o.kind === 'rejected') {
            rejected++;
            deadLetters?.add(r, o, pseudonymise, print);
          }
        }
        idle.delivered(r.partition);
      }
      windowRecords += batch.length;
      metrics.events.inc({ stage: 'decode', outcome: 'accepted' }, batch.length - rejected);
      if (rejected > 0) metrics.events.inc({ stage: 'decode', outcome: 'rejected' }, rejected);
      if (deadLetters && deadLetters.pending() >= DEAD_LETTER_BATCH) await waiting(deadLetters.flush());
      // A bounded source's partitions that ended hold nothing back from here on.
      for (const o of idle.check()) outs.push(o);
      await waiting(handle(outs));
      eventTime = topology.eventTime();
      if (performance.now() - lastSnapshot > SNAPSHOT_EVERY_MS) {
        lastSnapshot = performance.now();
        await waiting(snapshot().then(commit));
      }
    }
  } finally {
    state = 'stopping';
    clearInterval(statusTimer);
    clearInterval(idleTimer);
    if (timer) clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const stopped = await withinBound(config.YIBAO_SHUTDOWN_TIMEOUT_SECONDS * 1000, async () => {
      await delivering;
      await handle(topology.finish());
      await snapshot();
      await commit();
      await source.close?.();
      await deadLetters?.close();
      await sink.close();
      await alertSink.close();
      await contractFiles?.close({ standings: topology.standings(), chains: topology.chains() });
      await bus?.close();
    });
    state = stopped ? 'stopped' : 'failed';
    if (!stopped) print(unfinishedStop(config.YIBAO_SHUTDOWN_TIMEOUT_SECONDS, sink.stats()));
    server?.close();
  }
  if (idleFailure !== undefined) throw idleFailure;
  const final = status();
  if (!options.json) {
    print(humanStatus(final));
    // After a stop that ran out of time the store may be what hung: no query to it.
    if (final.state !== 'failed') print(await closingSummary(store.client, database, final, store.kind));
  } else print(JSON.stringify(final));
  if (!options.storage && final.state !== 'failed') await store.close();
  return final;
}

/** True when `work` finished within `ms`; false when the bound passed first (the work is left running). */
async function withinBound(ms: number, work: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work().then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a stop that ran out of time left undone (issue 16: a hung stop said nothing for minutes). */
export function unfinishedStop(
  seconds: number,
  sink: {
    unconfirmed_rows: number;
    unconfirmed_by_table: Readonly<Record<string, number>>;
    last_error: string | null;
  },
): string {
  const tables = Object.entries(sink.unconfirmed_by_table)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  return (
    `yibao-monitor: the stop did not finish within ${seconds} s (YIBAO_SHUTDOWN_TIMEOUT_SECONDS): ` +
    `${sink.unconfirmed_rows} rows not confirmed by the store${tables ? ` (${tables})` : ''}` +
    `${sink.last_error ? `; last error: ${sink.last_error}` : ''}. ` +
    'The source was not committed past them: a restart reads them again.'
  );
}

/** Records whose outputs go to the sinks in one write (see the run loop). */
const SINK_SLICE = 200;

/** Dead letters buffered for the Kafka topic before they are sent (and always before a commit). */
const DEAD_LETTER_BATCH = 500;

function isKafkaRecord(r: SourceRecord): r is KafkaRecord {
  return 'kafkaPartition' in r && 'offset' in r && 'topic' in r;
}

/**
 * Rejected records on their way to the Kafka dead-letter topic (YIBAO_KAFKA_DEAD_LETTER_TOPIC):
 * buffered, sent by `flush`, which the run calls before it commits source offsets, so a record
 * whose offset is committed has its dead letter on the topic (at least once: a crash before the
 * commit sends it again, with the same key). Undefined when no topic is configured.
 */
export function kafkaDeadLetterQueue(config: Config, given?: KafkaDeadLetters) {
  const topic = config.YIBAO_KAFKA_DEAD_LETTER_TOPIC;
  if (given === undefined && topic === undefined) return undefined;
  const own = given === undefined;
  let target = given;
  const open = (): KafkaDeadLetters => {
    if (target) return target;
    if (!config.YIBAO_KAFKA_BROKERS)
      throw new MonitorError(
        'CONFIG_MISSING',
        `YIBAO_KAFKA_DEAD_LETTER_TOPIC=${JSON.stringify(topic)} needs YIBAO_KAFKA_BROKERS=host:port[,host:port…]`,
        { variable: 'YIBAO_KAFKA_BROKERS' },
      );
    target = createKafkaDeadLetters({
      kafka: createKafka(config.YIBAO_KAFKA_BROKERS.split(','), 'yibao-monitor-dead-letters'),
      topic: topic!,
    });
    return target;
  };
  let pending: KafkaDeadLetter[] = [];
  let sent = 0;
  let warned = false;
  return {
    /** The dead letter of a record the topology rejected; records not read from Kafka have none. */
    add(
      record: SourceRecord,
      rejected: Rejected,
      pseudonymise: (clear: string) => string,
      print: (l: string) => void,
    ): void {
      if (isKafkaRecord(record)) pending.push(deadLetterOf(record, rejected, pseudonymise));
      else if (!warned) {
        warned = true;
        print(
          'YIBAO_KAFKA_DEAD_LETTER_TOPIC applies to records read from Kafka: rejected records of this source go to the dead_letters table only',
        );
      }
    },
    /** Adds a dead letter built elsewhere (the ingest stage's, from a rejected output's origin). */
    push(d: KafkaDeadLetter): void {
      pending.push(d);
    },
    pending: () => pending.length,
    sent: () => sent,
    async flush(): Promise<void> {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      try {
        await open().send(batch);
        sent += batch.length;
      } catch (err) {
        pending = [...batch, ...pending];
        throw err;
      }
    },
    async close(): Promise<void> {
      await this.flush();
      if (own) await target?.close();
    },
  };
}

/**
 * The Kafka dead letter of a rejected output whose origin is a Kafka position (`topic/partition@offset`,
 * as the ingest stage names it), or undefined. Its raw text is the output's, already redacted
 * at ingest (not redacted again: tokens would change); bytes that were not UTF-8 arrive as U+FFFD.
 */
export function kafkaDeadLetterOfRejected(rejected: Rejected): KafkaDeadLetter | undefined {
  const m = /^(.+)\/(\d+)@(\d+)$/.exec(rejected.origin ?? '');
  if (!m) return undefined;
  return {
    raw: rejected.raw,
    error: rejected.error,
    path: rejected.path,
    topic: m[1]!,
    partition: Number(m[2]),
    offset: m[3]!,
  };
}

export async function openAlertBus(url: string) {
  const nc = await connectNats(url, { name: 'yibao-monitor', reconnect: true });
  await ensureAlertStream(await jetstreamManager(nc));
  const publisher = new AlertPublisher(jetstream(nc));
  return {
    publisher,
    async close() {
      await publisher.flush();
      await publisher.close();
      await nc.drain();
    },
  };
}

function pipelineMetrics(s: RunStatus, at: string) {
  return [
    { kind: 'pipeline_metric' as const, at, stage: 'decode', metric: 'records', value: s.records },
    { kind: 'pipeline_metric' as const, at, stage: 'decode', metric: 'events_per_s', value: s.events_per_s },
    { kind: 'pipeline_metric' as const, at, stage: 'decode', metric: 'dead_letters', value: s.rejected },
    { kind: 'pipeline_metric' as const, at, stage: 'indicators', metric: 'late', value: s.late },
    { kind: 'pipeline_metric' as const, at, stage: 'rules', metric: 'alerts_raised', value: s.alerts_raised },
  ];
}

export function humanStatus(s: RunStatus): string {
  const open = `重点 ${s.open_alerts.key ?? 0} / 一般 ${s.open_alerts.general ?? 0} / 提示 ${s.open_alerts.info ?? 0}`;
  return `[${s.state}] ${s.records} records, ${s.events_per_s}/s, lag ${s.lag ?? '—'} | open alerts ${open} | level changes ${s.level_changes} | inspections ${s.inspections} | dead letters ${s.rejected} | event time ${s.event_time ?? '—'}${s.warning ? ` | WARNING: ${s.warning}` : ''}`;
}

async function closingSummary(
  client: ClickHouseClient,
  database: string,
  s: RunStatus,
  kind: string,
): Promise<string> {
  const top = await riskiestInstitutions(client, database, { limit: 5 });
  const lines = [
    '',
    `Stopped. ${s.records} records, ${s.level_changes} level changes, ${s.alerts_raised} alerts raised, ${s.inspections} inspection tasks, ${s.rejected} dead letters.`,
    `Data: ${kind === 'chdb' ? `chDB (embedded ClickHouse) in ${s.store}` : `ClickHouse at ${s.store}`}, database ${database}; alerts also in ${s.alerts_file}.`,
    'Riskiest institutions:',
    ...top.map(
      (r) =>
        `  ${r.subject_code} ${r.pack} ${r.level}${r.score !== null ? ` (${r.score})` : ''}, ${r.open_alerts} open alerts`,
    ),
    'Query it: npx yibao-monitor top   (or, while running, curl localhost:<status port>/top)',
  ];
  return lines.join('\n');
}

async function startStatus(
  port: number,
  host: string,
  status: () => RunStatus,
  ready: () => boolean,
  client: ClickHouseClient,
  database: string,
  metrics: Metrics,
  print: (l: string) => void,
): Promise<Server | undefined> {
  try {
    return await startStatusServer(
      port,
      {
        status,
        ready,
        async query(path, params) {
          if (path !== '/top') return undefined;
          const { limit } = topParams(params);
          return {
            riskiest_institutions: await riskiestInstitutions(client, database, { limit }),
            open_alerts: await openAlertsBySeverity(client, database),
            chains: await chainStatuses(client, database),
          };
        },
      },
      metrics,
      host,
    );
  } catch (err) {
    print(
      `status port ${port} unavailable (${(err as Error).message}); set YIBAO_STATUS_PORT to another port. Continuing without it.`,
    );
    return undefined;
  }
}

export const DEFAULT_ALERTS_FILE = (dataDir: string) => join(dataDir, 'alerts.jsonl');
