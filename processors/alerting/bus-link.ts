/**
 * The monitor's link to the alert bus: one NATS connection (credentials and TLS from the
 * configuration), the stream ALERTS made sure of, an AlertPublisher that rides out an outage, and
 * the connection's status events fed to it. What the status line, /status and /metrics show of the
 * bus comes from `stats()`; `close` is bounded and says what the server never confirmed.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Gauge, type Registry } from 'prom-client';
import {
  ALERT_STREAM,
  AlertPublisher,
  type AlertStreamOptions,
  ensureAlertStream,
  type PublisherCloseReport,
  type PublisherEvent,
  type PublisherOptions,
  type PublisherStats,
  wrapNats,
} from './bus.ts';
import { connectNats, displayNatsUrl, type NatsSettings, natsUrl } from './connect.ts';

export type AlertBusStats = PublisherStats & { readonly connected: boolean };

export type AlertBusCloseReport = PublisherCloseReport & { readonly timeout_ms: number };

export type AlertBus = {
  readonly publisher: AlertPublisher;
  /** The server, as it may be shown (no password or token). */
  readonly url: string;
  stats(): AlertBusStats;
  /** A stop was asked: nothing waits any more for a bus that is away (AlertPublisher.interrupt). */
  interrupt(): void;
  /** Waits up to `timeoutMs` for unconfirmed alerts, then closes the connection; never longer. */
  close(timeoutMs: number): Promise<AlertBusCloseReport>;
};

export type AlertBusOptions = {
  /** The client name the server shows (monitoring pages). */
  readonly name?: string;
  readonly stream?: AlertStreamOptions;
  readonly publisher?: Omit<PublisherOptions, 'stream' | 'ensureStream' | 'onEvent'>;
  /** One line per outage, recovery and re-created stream (the console, the log). */
  readonly onEvent?: (line: string, event: PublisherEvent) => void;
};

/** nc.close() answers at once when connected; bounded anyway for a socket that hangs. */
const CONNECTION_CLOSE_MS = 2_000;

export function describeBusEvent(e: PublisherEvent, stream: string): string {
  switch (e.kind) {
    case 'outage':
      return `alert bus unavailable since ${e.since} (${e.error}): reading waits for it; alerts are kept in alerts.jsonl`;
    case 'recovered':
      return `alert bus back after ${Math.round(e.outage_ms / 1000)} s`;
    case 'stream_recreated':
      return (
        `alert bus: the stream ${stream} was gone (server restarted without its store) and is re-created; ` +
        `${e.republish} alerts confirmed before are published again` +
        (e.not_kept > 0
          ? `; ${e.not_kept} older ones are no longer on the bus: yibao-monitor alerts publish <data dir>/alerts.jsonl puts them back`
          : '')
      );
  }
}

/** The status line's part for the bus while it is away (empty when it is up). */
export function describeBusOutage(s: Pick<AlertBusStats, 'outage'>): string {
  const o = s.outage;
  if (!o) return '';
  return (
    `ALERT BUS DOWN since ${o.since}: ${o.pending} alerts waiting, reading paused` +
    `${o.last_error ? ` (${o.last_error})` : ''}`
  );
}

/** What a stop that gave up on the bus says (issue 16: a hung stop said nothing for minutes). */
export function describeBusClose(r: AlertBusCloseReport): string | undefined {
  if (r.unconfirmed === 0) return undefined;
  return (
    `alert bus: ${r.unconfirmed} alerts not confirmed by the server within ${r.timeout_ms / 1000} s` +
    `${r.last_error ? ` (last error: ${r.last_error})` : ''}; they are in alerts.jsonl, and the source ` +
    'was not committed past them: a restart publishes them again (or: yibao-monitor alerts publish <data dir>/alerts.jsonl)'
  );
}

export async function openAlertBus(config: NatsSettings, opts: AlertBusOptions = {}): Promise<AlertBus> {
  const url = displayNatsUrl(natsUrl(config));
  const nc = await connectNats(config, { name: opts.name ?? 'yibao-monitor', reconnect: true });
  const streamOpts = opts.stream ?? {};
  const streamName = streamOpts.name ?? ALERT_STREAM;
  try {
    await ensureAlertStream(await jetstreamManager(nc), streamOpts);
  } catch (err) {
    await nc.close();
    throw wrapNats(err, `cannot open the alert stream ${streamName} on ${url}`);
  }
  const publisher = new AlertPublisher(jetstream(nc), {
    ...opts.publisher,
    stream: streamOpts,
    ...(opts.onEvent && {
      onEvent: (e: PublisherEvent) => opts.onEvent!(describeBusEvent(e, streamName), e),
    }),
  });
  const watching = watchConnection(nc, publisher);
  return {
    publisher,
    url,
    stats: () => ({ ...publisher.stats(), connected: !nc.isClosed() && publisher.connected }),
    interrupt: () => publisher.interrupt(),
    async close(timeoutMs) {
      const report = await publisher.close({ timeoutMs });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        nc.close().catch(() => undefined),
        new Promise((resolve) => {
          timer = setTimeout(resolve, CONNECTION_CLOSE_MS);
        }),
      ]);
      clearTimeout(timer);
      await Promise.race([watching, Promise.resolve()]);
      return { ...report, timeout_ms: timeoutMs };
    },
  };
}

/** Disconnects and reconnects (nats.js retries on its own) go to the publisher. */
async function watchConnection(nc: NatsConnection, publisher: AlertPublisher): Promise<void> {
  for await (const s of nc.status()) {
    if (s.type === 'disconnect') publisher.connectionLost(`disconnected from ${displayNatsUrl(s.server)}`);
    else if (s.type === 'reconnect') publisher.connectionRestored();
  }
}

/**
 * Gauges read from `stats` at each scrape: whether the bus is up, since when it is not, what waits,
 * and the reconnects and re-created streams so far (README "Running at scale").
 */
export function registerAlertBusMetrics(registry: Registry, stats: () => AlertBusStats): void {
  const gauge = (name: string, help: string, value: (s: AlertBusStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value(stats()));
      },
    });
  gauge('yibao_alert_bus_up', '1 while the alert bus takes alerts, 0 during an outage', (s) =>
    s.outage ? 0 : 1,
  );
  gauge(
    'yibao_alert_bus_outage_started_seconds',
    'when the current alert bus outage began (unix seconds); 0 when there is none',
    (s) => (s.outage ? Date.parse(s.outage.since) / 1000 : 0),
  );
  gauge('yibao_alert_bus_pending_alerts', 'alerts handed to the bus and not yet confirmed', (s) =>
    s.outage ? s.outage.pending : s.in_flight,
  );
  gauge('yibao_alert_bus_reconnects', 'reconnects to the NATS server since start', (s) => s.reconnects);
  gauge(
    'yibao_alert_bus_streams_recreated',
    'times the alert stream was found gone (server restarted empty) and re-created',
    (s) => s.streams_recreated,
  );
  gauge(
    'yibao_alert_bus_published',
    'alerts the bus stored, republished ones included',
    (s) => s.published + s.republished,
  );
}
