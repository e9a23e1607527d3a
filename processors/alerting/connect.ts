/** Connecting to NATS for the alert bus, its KV buckets and the JetStream event source, with an error that says what to do. */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { MonitorError } from '../../schemas/errors.ts';
import type { Config } from '../config.ts';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

export function natsUrl(config: Pick<Config, 'YIBAO_NATS_URL'>): string {
  return config.YIBAO_NATS_URL ?? DEFAULT_NATS_URL;
}

/** Connects or says what to do: which URL failed, and how to start a server or point elsewhere. */
export async function connectNats(
  url: string,
  opts: { name: string; reconnect?: boolean },
): Promise<NatsConnection> {
  try {
    return await connect({
      servers: url,
      name: opts.name,
      timeout: 3_000,
      reconnect: opts.reconnect ?? false,
      maxReconnectAttempts: -1,
    });
  } catch (err) {
    throw new MonitorError(
      'SINK_UNAVAILABLE',
      `cannot reach NATS at ${url} (${(err as Error).message}): start nats-server with JetStream ` +
        '(nats-server -js) or set YIBAO_NATS_URL to a server that runs',
      { url },
      err,
    );
  }
}
