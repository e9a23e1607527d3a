/**
 * The alert bus as a Sink (YIBAO_NATS_URL): each alert published to the JetStream stream ALERTS
 * with its message id (alert_id:status), so a replay after a crash publishes nothing twice.
 * The stream, subjects, retries and ordering are the bus's own (processors/alerting/bus.ts).
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { AlertPublisher, ensureAlertStream } from '../../alerting/bus.ts';
import { connectNats } from '../../alerting/connect.ts';
import type { Config } from '../../config.ts';
import { alertsOf, type Sink } from './sink.ts';

export type AlertBusStats = {
  /** Publishes awaiting their ack. */
  readonly in_flight: number;
  readonly published: number;
  readonly duplicates: number;
  readonly retries: number;
};

export interface AlertBusSink extends Sink {
  stats(): AlertBusStats;
}

/** On YIBAO_NATS_URL (open-sinks.ts turns it on only when that is set), with its credentials and TLS. */
export async function openAlertBusSink(config: Config): Promise<AlertBusSink> {
  const nc = await connectNats(config, { name: 'yibao-monitor', reconnect: true });
  await ensureAlertStream(await jetstreamManager(nc));
  const publisher = new AlertPublisher(jetstream(nc));
  return {
    name: 'alert_bus',
    // Resolves once the server stored them (AlertPublisher.write): a bus that is down holds the loop.
    async write(outputs) {
      const alerts = alertsOf(outputs);
      if (alerts.length > 0) await publisher.write(alerts);
    },
    async flush() {
      await publisher.flush();
    },
    async close() {
      await publisher.flush();
      await publisher.close();
      await nc.drain();
    },
    stats: () => ({ in_flight: publisher.inFlight, ...publisher.totals }),
  };
}
