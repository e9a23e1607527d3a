/**
 * The live monitor: a source → the topology → the sinks (ClickHouse or chDB, the alert file, and
 * what config turns on: io/sinks/open-sinks.ts), with a status line every few seconds, Prometheus
 * metrics and a status port, and a graceful stop on SIGINT/SIGTERM that flushes every sink. I/O
 * lives here; the topology stays pure.
 */

import type { Server } from 'node:http';
import type { ClickHouseClient } from '@clickhouse/client';
import { createPseudonymiser } from '../schemas/pseudonymise.ts';
import { type AlertBusStats, describeBusOutage, registerAlertBusMetrics } from './alerting/bus-link.ts';
import { type Config, developmentKeyWarning } from './config.ts';
import { isAlertBusInterrupt } from './io/sinks/alert-bus.ts';
import { alertsFilePath, formatAlertLine } from './io/sinks/alert-file.ts';
import { openSinks } from './io/sinks/open-sinks.ts';
import type { StateRecord } from './io/sinks/sink.ts';
import { batchesOf } from './io/sources/batches.ts';
import { partitionIdleness } from './io/sources/idleness.ts';
import type { Source } from './io/sources/source.ts';
import type { KafkaDeadLetters } from './kafka/dead-letters.ts';
import { batchSinkLatency, createMetrics, type Metrics } from './metrics.ts';
import type { TopologyOutput } from './outputs.ts';
import { loadEventTimeBounds, loadPacks, loadThresholds } from './packs-config.ts';
import { countOutputs, noOutputs } from './runtime/output-counts.ts';
import { unfinishedStop, withinBound } from './runtime/shutdown.ts';
import { onStopSignal } from './runtime/signals.ts';
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
  /** Stops the monitor as a SIGINT/SIGTERM does (embedding, tests). */
  readonly signal?: AbortSignal;
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
  /**
   * `failed`: the stop did not finish within YIBAO_SHUTDOWN_TIMEOUT_SECONDS (see `unfinishedStop`),
   * or gave up on alerts the bus did not confirm (the source is then not committed past them).
   */
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
  /** Set while real records run on the public development key (config.ts `requireSecretKey`). */
  readonly warning?: string;
  /**
   * The alert bus when one is configured: publishes awaiting their ack, totals so far, reconnects
   * and re-created streams, and the outage while the bus is away (bus-link.ts).
   */
  readonly alert_bus: AlertBusStats | null;
};

const SNAPSHOT_EVERY_MS = 10_000;
const IDLE_PARTITION_MS = 30_000;

export async function runMonitor(options: RunOptions): Promise<RunStatus> {
  const { config } = options;
  const print = options.print ?? ((l: string) => process.stdout.write(`${l}\n`));
  const metrics = createMetrics();
  const sinkLatency = batchSinkLatency(metrics);
  // The store, the alert file, and what config and options turn on (io/sinks/open-sinks.ts).
  const sinks = await openSinks(config, {
    ...(options.storage && { storage: options.storage }),
    // Dead letters for the Kafka topic keep each rejected record's bytes as read (the loop adds them).
    deadLettersFrom: 'records',
    ...(options.kafkaDeadLetters && { kafkaDeadLetters: options.kafkaDeadLetters }),
    ...(options.outDir !== undefined && { outDir: options.outDir }),
    onWrite: sinkLatency.onWrite,
    print,
  });
  const store = sinks.get('clickhouse')!; // always on
  const bus = sinks.get('alert_bus');
  const deadLetters = sinks.get('kafka_dead_letters');
  if (bus) registerAlertBusMetrics(metrics.registry, () => bus.stats());
  const alertsFile = alertsFilePath(config);
  const topology = createTopology({
    pseudonymKey: config.pseudonymKey,
    packs: loadPacks(config),
    thresholds: loadThresholds(config),
    allowedLatenessMs: config.YIBAO_ALLOWED_LATENESS_SECONDS * 1000,
    eventTime: loadEventTimeBounds(config, () => (source.synthetic ? undefined : Date.now())),
  });
  const source: Source = typeof options.source === 'function' ? options.source(topology) : options.source;
  const pseudonymise = createPseudonymiser(config.pseudonymKey);

  let state: RunStatus['state'] = 'starting';
  const counts = noOutputs();
  let eventTime: string | null = null;
  const started = performance.now();
  let windowStart = started;
  let windowRecords = 0;
  let rate = 0;

  const warning = source.synthetic ? undefined : developmentKeyWarning(config);
  // What /metrics shows of these is read at each scrape from what the status line reads.
  metrics.follow({
    lag: () => (source.lag ? { [source.name]: source.lag() } : {}),
    eventTime: () => eventTime,
    sinks: () => ({
      clickhouse: {
        unconfirmed: store.stats().unconfirmed_rows,
        bound: config.YIBAO_CLICKHOUSE_MAX_BUFFERED_ROWS,
      },
    }),
  });
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
    level_changes: counts.level_changes,
    alerts_raised: counts.alerts_raised,
    open_alerts: topology.state().open_alerts,
    inspections: counts.inspections,
    event_time: eventTime,
    store: store.store.location,
    alerts_file: alertsFile,
    sink: store.stats(),
    alert_bus: bus ? bus.stats() : null,
  });

  const server = await startStatus(
    config.YIBAO_STATUS_PORT,
    config.YIBAO_STATUS_HOST,
    status,
    () => state === 'running',
    store.store.client,
    store.database,
    metrics,
    print,
  );

  const stop = new AbortController();
  const onSignal = () => {
    stop.abort();
    // Nothing waits any more for a sink whose service is away (the alert bus): the stop is bounded.
    sinks.interrupt();
    source.stop?.(); // an idle source would otherwise keep the loop waiting for its next record
  };
  const offSignals = onStopSignal(onSignal);
  options.signal?.addEventListener('abort', onSignal);
  const timer = options.durationMs ? setTimeout(onSignal, options.durationMs) : undefined;

  const deliver = async (outs: readonly TopologyOutput[]) => {
    countOutputs(outs, counts, metrics, (o) => {
      if (options.printAlerts && o.severity === 'key' && o.status === 'firing' && !options.json)
        print(formatAlertLine(o));
    });
    await sinks.write(outs); // resolves only when every sink has room: this is the backpressure
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
    const records: StateRecord[] = [
      ...topology.standings().map((standing) => ({ kind: 'standing' as const, standing })),
      ...topology.chains().map((s) => ({ kind: 'chain_status' as const, at: eventTime ?? at, status: s })),
      ...pipelineMetrics(status(), at),
    ];
    await sinks.writeState(records);
    const size = topology.state().size;
    for (const [kind, n] of Object.entries(size)) metrics.stateKeys.set({ kind }, n);
  };

  /** Source offsets follow durable outputs: flush the sinks, then commit. */
  const commit = async () => {
    if (!source.commit) return;
    await sinks.flush();
    await source.commit();
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
  /** What the alert bus threw once the stop was asked: alerts it did not confirm, so no commit. */
  let busStop: unknown;
  /** The stop finished within YIBAO_SHUTDOWN_TIMEOUT_SECONDS (nothing left hanging). */
  let stopped = false;
  const idleTimer = setInterval(() => {
    const outs = idle.check();
    if (outs.length > 0)
      handle(outs).catch((err) => {
        if (isAlertBusInterrupt(err)) busStop ??= err;
        else idleFailure = err;
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
      sinkLatency.endBatch();
      eventTime = topology.eventTime();
      if (performance.now() - lastSnapshot > SNAPSHOT_EVERY_MS) {
        lastSnapshot = performance.now();
        await waiting(snapshot().then(commit));
      }
    }
  } catch (err) {
    if (!isAlertBusInterrupt(err)) throw err;
    busStop ??= err;
  } finally {
    state = 'stopping';
    clearInterval(statusTimer);
    clearInterval(idleTimer);
    if (timer) clearTimeout(timer);
    offSignals();
    let closeFailure: unknown;
    stopped = await withinBound(config.YIBAO_SHUTDOWN_TIMEOUT_SECONDS * 1000, async () => {
      await delivering;
      // The source is not committed past alerts the bus did not confirm: a restart reads them again.
      if (busStop === undefined) {
        try {
          await handle(topology.finish());
          sinkLatency.endBatch();
          await snapshot();
          await commit();
        } catch (err) {
          if (!isAlertBusInterrupt(err)) throw err;
          busStop = err;
        }
      }
      await source.close?.();
      // The contract files' standings and chains are those of the snapshot above.
      try {
        await sinks.close(); // every sink, the bus's failure or not (composite.ts)
      } catch (err) {
        if (busStop === undefined && !isAlertBusInterrupt(err)) throw err;
        closeFailure = err;
      }
    });
    state = stopped && busStop === undefined && closeFailure === undefined ? 'stopped' : 'failed';
    if (!stopped) print(unfinishedStop(config.YIBAO_SHUTDOWN_TIMEOUT_SECONDS, store.stats()));
    for (const err of [busStop, closeFailure])
      if (err !== undefined) print(`yibao-monitor: ${err instanceof Error ? err.message : String(err)}`);
    if (busStop !== undefined && closeFailure === undefined)
      print(
        'yibao-monitor: the stop gave up on the alert bus: the source was not committed past its alerts.',
      );
    server?.close();
  }
  if (idleFailure !== undefined) throw idleFailure;
  const final = status();
  if (!options.json) {
    print(humanStatus(final));
    // After a stop that ran out of time the store may be what hung: no query to it.
    if (final.state !== 'failed')
      print(await closingSummary(store.store.client, store.database, final, store.store.kind));
  } else print(JSON.stringify(final));
  if (!options.storage && stopped) await store.store.close();
  return final;
}

/** Records whose outputs go to the sinks in one write (see the run loop). */
const SINK_SLICE = 200;

/** Dead letters buffered for the Kafka topic before they are sent (and always before a commit). */
const DEAD_LETTER_BATCH = 500;

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
  const bus = s.alert_bus ? describeBusOutage(s.alert_bus) : '';
  return `[${s.state}] ${s.records} records, ${s.events_per_s}/s, lag ${s.lag ?? '—'} | open alerts ${open} | level changes ${s.level_changes} | inspections ${s.inspections} | dead letters ${s.rejected} | event time ${s.event_time ?? '—'}${bus ? ` | ${bus}` : ''}${s.warning ? ` | WARNING: ${s.warning}` : ''}`;
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
