/**
 * Prometheus metrics (prom-client), one registry per monitor. Names and help texts are what the
 * README's "Running at scale" table explains; deploy/prometheus/rules.yml alerts on them.
 *
 * What the status line shows (lag, event time, the store's unconfirmed rows) is read at each
 * scrape from the same functions the status line reads (`follow`), so /metrics and /status agree.
 * Each registry gets prom-client's default process and Node metrics (process_*, nodejs_*) of its
 * own: two monitors in one process (tests) register nothing twice.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

const LINTED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** What the gauges read at each scrape; set by the run loop that owns the source and the sinks. */
export type MetricReadings = {
  /** Records behind the end of each source (or source partition): what the status line shows. */
  readonly lag?: () => Readonly<Record<string, number>>;
  /** The newest event time (RFC 3339, as in the status line), or null before the first record. */
  readonly eventTime?: () => string | null;
  /** Per sink: rows not yet confirmed and the bound at which writes wait (backpressure). */
  readonly sinks?: () => Readonly<Record<string, { readonly unconfirmed: number; readonly bound: number }>>;
  /** Per stage: when its last checkpoint was saved (ms since the epoch), if one was. */
  readonly checkpointAt?: () => Readonly<Record<string, number | null>>;
};

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Gauges named *_total, which `promtool check metrics` refuses (the suffix is for counters);
  // each is the sum of its labelled twin (nodejs_active_handles{type} and so on).
  for (const name of LINTED_DEFAULTS) registry.removeSingleMetric(name);
  let readings: MetricReadings = {};
  const m = {
    registry,
    events: new Counter({
      name: 'yibao_events_total',
      help: 'records processed, by stage and outcome',
      labelNames: ['stage', 'outcome'],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'yibao_dead_letters_total',
      help: 'rejected records sent to dead letters',
      registers: [registry],
    }),
    alerts: new Counter({
      name: 'yibao_alerts_total',
      help: 'alerts raised or resolved, by rule, severity and status',
      labelNames: ['rule', 'severity', 'status'],
      registers: [registry],
    }),
    levelChanges: new Counter({
      name: 'yibao_level_changes_total',
      help: 'credit level changes, by pack',
      labelNames: ['pack'],
      registers: [registry],
    }),
    stateKeys: new Gauge({
      name: 'yibao_window_state_keys',
      help: 'keys held in the indicator windows, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'yibao_consumer_lag',
      help: 'records behind the end of the source (per source)',
      labelNames: ['source'],
      registers: [registry],
      collect() {
        if (!readings.lag) return;
        this.reset(); // a partition no longer assigned here leaves no stale series
        for (const [source, n] of Object.entries(readings.lag())) this.set({ source }, n);
      },
    }),
    /** Observed once per source batch and sink (`batchSinkLatency`), not per write of a slice. */
    sinkLatency: new Histogram({
      name: 'yibao_sink_latency_seconds',
      help: 'time to write one batch, by sink',
      labelNames: ['sink'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    checkpoints: new Counter({
      name: 'yibao_checkpoints_total',
      help: 'stage checkpoints saved, restored, or refused (corrupt, other version or layout), by stage',
      labelNames: ['stage', 'event'],
      registers: [registry],
    }),
    checkpointBytes: new Gauge({
      name: 'yibao_checkpoint_bytes',
      help: 'size of the last checkpoint saved, by stage',
      labelNames: ['stage'],
      registers: [registry],
    }),
    checkpointSeconds: new Gauge({
      name: 'yibao_checkpoint_seconds',
      help: 'time the last checkpoint took, by stage and step (encode: the batch loop waits; save: the store)',
      labelNames: ['stage', 'step'],
      registers: [registry],
    }),
    eventTime: new Gauge({
      name: 'yibao_event_time_seconds',
      help: 'newest event time seen (unix seconds)',
      registers: [registry],
      collect() {
        const t = readings.eventTime?.();
        if (t !== undefined && t !== null) this.set(Date.parse(t) / 1000);
      },
    }),
    sinkUnconfirmed: new Gauge({
      name: 'yibao_sink_unconfirmed_rows',
      help: 'rows a sink holds that the store has not confirmed (buffered or in flight), by sink',
      labelNames: ['sink'],
      registers: [registry],
      collect() {
        for (const [sink, s] of Object.entries(readings.sinks?.() ?? {})) this.set({ sink }, s.unconfirmed);
      },
    }),
    sinkBound: new Gauge({
      name: 'yibao_sink_max_buffered_rows',
      help: 'unconfirmed rows at which a sink makes the source wait (YIBAO_CLICKHOUSE_MAX_BUFFERED_ROWS), by sink',
      labelNames: ['sink'],
      registers: [registry],
      collect() {
        for (const [sink, s] of Object.entries(readings.sinks?.() ?? {})) this.set({ sink }, s.bound);
      },
    }),
    checkpointAt: new Gauge({
      name: 'yibao_checkpoint_last_saved_timestamp_seconds',
      help: 'when the last checkpoint was saved (unix seconds), by stage',
      labelNames: ['stage'],
      registers: [registry],
      collect() {
        for (const [stage, at] of Object.entries(readings.checkpointAt?.() ?? {}))
          if (at !== null) this.set({ stage }, at / 1000);
      },
    }),
    /** What the gauges above read at each scrape (see MetricReadings). */
    follow(r: MetricReadings): void {
      readings = { ...readings, ...r };
    },
  };
  return m;
}

/**
 * The sink-latency histogram per batch: each sink's write times summed over one source batch (the
 * run loop writes a batch in slices, and a slice is not a batch), observed once at its end.
 */
export function batchSinkLatency(metrics: Pick<Metrics, 'sinkLatency'>) {
  const took = new Map<string, number>();
  return {
    /** The sinks' `onWrite`. */
    onWrite(sink: string, seconds: number): void {
      took.set(sink, (took.get(sink) ?? 0) + seconds);
    },
    /** The end of a batch: one observation per sink that was written to. */
    endBatch(): void {
      for (const [sink, seconds] of took) metrics.sinkLatency.observe({ sink }, seconds);
      took.clear();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
