/**
 * The alert bus as a Sink (YIBAO_NATS_URL): each alert published to the JetStream stream ALERTS
 * with its message id (alert_id:status), so a replay after a crash publishes nothing twice.
 * The connection, the stream, the publisher that rides out an outage, and the bounded close are
 * the bus link's (processors/alerting/bus-link.ts); retries and ordering are the bus's (bus.ts).
 */
import { isMonitorError, MonitorError } from '../../../schemas/errors.ts';
import { type AlertBusStats, describeBusClose, openAlertBus } from '../../alerting/bus-link.ts';
import type { Config } from '../../config.ts';
import { alertsOf, type Sink } from './sink.ts';

export type { AlertBusStats } from '../../alerting/bus-link.ts';

export interface AlertBusSink extends Sink {
  stats(): AlertBusStats;
  /** A stop was asked: a write or flush waiting for a bus that is away throws (AlertBus.interrupt). */
  interrupt(): void;
}

/**
 * True for what a write, flush or close of the bus sink threw once a stop was asked (its
 * `interrupt`): alerts the server did not confirm. The run skips its commit then, closes the other
 * sinks, and ends `failed`.
 */
export function isAlertBusInterrupt(err: unknown): err is MonitorError {
  return isMonitorError(err) && err.context.sink === 'alert_bus' && err.context.interrupted === true;
}

/**
 * On YIBAO_NATS_URL (open-sinks.ts turns it on only when that is set), with its credentials and TLS.
 * `print`: the bus's outage, recovery and re-created stream lines (the console).
 */
export async function openAlertBusSink(
  config: Config,
  print?: (line: string) => void,
): Promise<AlertBusSink> {
  const bus = await openAlertBus(config, { onEvent: (line) => print?.(line) });
  let interrupted = false;
  // After a stop was asked, what the bus throws says so (isAlertBusInterrupt).
  const marked = (err: unknown): unknown => {
    if (!interrupted || isAlertBusInterrupt(err)) return err;
    const e = err instanceof MonitorError ? err : undefined;
    return new MonitorError(
      'SINK_UNAVAILABLE',
      e?.message ?? (err instanceof Error ? err.message : String(err)),
      { ...e?.context, sink: 'alert_bus', interrupted: true },
      err,
    );
  };
  return {
    name: 'alert_bus',
    // Resolves once the server stored them (AlertPublisher.write): a bus that is down holds the loop.
    async write(outputs) {
      const alerts = alertsOf(outputs);
      if (alerts.length === 0) return;
      try {
        await bus.publisher.write(alerts);
      } catch (err) {
        throw marked(err);
      }
    },
    async flush() {
      try {
        await bus.publisher.flush();
      } catch (err) {
        throw marked(err);
      }
    },
    // Bounded: half the stop's bound for the alerts not yet confirmed, the rest for the other sinks.
    async close() {
      const r = await bus.close((config.YIBAO_SHUTDOWN_TIMEOUT_SECONDS * 1000) / 2);
      const said = describeBusClose(r);
      if (said !== undefined)
        throw new MonitorError('SINK_UNAVAILABLE', said, {
          unconfirmed: r.unconfirmed,
          ...(interrupted && { sink: 'alert_bus', interrupted: true }),
        });
    },
    stats: () => bus.stats(),
    interrupt: () => {
      interrupted = true;
      bus.interrupt();
    },
  };
}
