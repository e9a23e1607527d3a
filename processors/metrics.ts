/**
 * Prometheus metrics (prom-client), one registry per process. Names and help texts are what the
 * README's "Running at scale" table explains.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
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
    }),
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
    watermarkLag: new Gauge({
      name: 'yibao_event_time_seconds',
      help: 'newest event time seen (unix seconds)',
      registers: [registry],
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
