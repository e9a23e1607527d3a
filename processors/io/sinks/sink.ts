/**
 * The one shape of every sink (STYLE.md §10: Flink's `SinkWriter { write; flush; close }`, Kafka
 * Connect's `SinkTask { put; flush }`): the run loops hand the topology's outputs to a Sink and
 * know nothing else about it. `open-sinks.ts` lists the sinks that exist.
 */
import type { Alert, TopologyOutput } from '../../outputs.ts';
import type { ChainStatusRecord, PipelineMetric, StandingRecord } from '../../storage/rows.ts';

/** The periodic snapshot of current state: every standing, every chain's status, pipeline metrics. */
export type StateRecord = StandingRecord | ChainStatusRecord | PipelineMetric;

export interface Sink {
  /** Names the sink in errors, stats and the `sink` label of yibao_sink_latency_seconds. */
  readonly name: string;
  /**
   * Takes the outputs it keeps and skips the others. Resolves once the sink has room for more:
   * the run loop reads on from its source only then (backpressure). Taken is not yet durable.
   */
  write(outputs: readonly TopologyOutput[]): Promise<void>;
  /** For sinks that keep current state (the store; the contract files' standings and chains). */
  writeState?(records: readonly StateRecord[]): Promise<void>;
  /** Resolves once everything written so far is durable: source offsets are committed after it. */
  flush(): Promise<void>;
  /** Releases the sink (files, connections); the run calls it once, after its last flush. */
  close(): Promise<void>;
  /** What the status line, /status and /metrics show of this sink. */
  stats?(): unknown;
  /**
   * A stop was asked (SIGINT/SIGTERM): a sink waiting for a service that is away gives up instead
   * of holding the stop; its write or flush then throws, and the run commits nothing past it.
   */
  interrupt?(): void;
}

export function alertsOf(outputs: readonly TopologyOutput[]): Alert[] {
  const alerts: Alert[] = [];
  for (const o of outputs) if (o.kind === 'alert') alerts.push(o);
  return alerts;
}
