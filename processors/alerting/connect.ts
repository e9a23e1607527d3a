/**
 * Connecting to NATS for the alert bus, its KV buckets, the checkpoints and the JetStream event
 * source: one set of connection options (credentials, TLS) for every client, and errors that say
 * what to do. Secrets never appear in a message: the URL is shown without its password or token.
 */
import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
  nkeyAuthenticator,
} from '@nats-io/transport-node';
import { MonitorError } from '../../schemas/errors.ts';
import type { Config } from '../config.ts';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

const NATS_KEYS = [
  'YIBAO_NATS_URL',
  'YIBAO_NATS_USER',
  'YIBAO_NATS_PASSWORD',
  'YIBAO_NATS_TOKEN',
  'YIBAO_NATS_CREDS_FILE',
  'YIBAO_NATS_NKEY_SEED_FILE',
  'YIBAO_NATS_TLS_CA_FILE',
  'YIBAO_NATS_TLS_CERT_FILE',
  'YIBAO_NATS_TLS_KEY_FILE',
] as const;

/** The settings a NATS client reads (config.ts); all optional, so a test can give just the URL. */
export type NatsSettings = Partial<Pick<Config, (typeof NATS_KEYS)[number]>>;

export function natsUrl(config: Pick<NatsSettings, 'YIBAO_NATS_URL'>): string {
  return config.YIBAO_NATS_URL ?? DEFAULT_NATS_URL;
}

/** The URLs as they may be shown: a password or token written into a URL becomes `***`. */
export function displayNatsUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/g, (_, auth: string) =>
    auth.includes(':') ? `//${auth.slice(0, auth.indexOf(':'))}:***@` : '//***@',
  );
}

/** Which kind of credentials the settings carry, for messages (never their values). */
export function natsCredentialsKind(config: NatsSettings): string | undefined {
  if (config.YIBAO_NATS_USER !== undefined)
    return `user ${config.YIBAO_NATS_USER} (YIBAO_NATS_USER/YIBAO_NATS_PASSWORD)`;
  if (config.YIBAO_NATS_TOKEN !== undefined) return 'the token of YIBAO_NATS_TOKEN';
  if (config.YIBAO_NATS_CREDS_FILE !== undefined) return `the creds file ${config.YIBAO_NATS_CREDS_FILE}`;
  if (config.YIBAO_NATS_NKEY_SEED_FILE !== undefined)
    return `the NKey seed in ${config.YIBAO_NATS_NKEY_SEED_FILE}`;
  return undefined;
}

function readSetting(variable: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `${variable}=${JSON.stringify(path)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      { variable },
      err,
    );
  }
}

/**
 * The connection options every NATS client of the monitor uses: servers, credentials (user and
 * password, token, creds file or NKey seed file) and TLS. Files are read here, once, so a file that
 * is not what its setting says fails at start-up with the setting's name, not at a reconnect.
 */
export function natsConnectOptions(
  config: NatsSettings,
): Pick<NodeConnectionOptions, 'servers' | 'user' | 'pass' | 'token' | 'authenticator' | 'tls'> {
  const opts: Pick<NodeConnectionOptions, 'servers' | 'user' | 'pass' | 'token' | 'authenticator' | 'tls'> = {
    servers: natsUrl(config),
  };
  if (config.YIBAO_NATS_USER !== undefined) {
    opts.user = config.YIBAO_NATS_USER;
    opts.pass = config.YIBAO_NATS_PASSWORD ?? '';
  }
  if (config.YIBAO_NATS_TOKEN !== undefined) opts.token = config.YIBAO_NATS_TOKEN;
  if (config.YIBAO_NATS_CREDS_FILE !== undefined) {
    const creds = readSetting('YIBAO_NATS_CREDS_FILE', config.YIBAO_NATS_CREDS_FILE);
    const text = new TextDecoder().decode(creds);
    // What `nsc generate creds` writes: the user's JWT and its NKey seed between these markers.
    if (!/-{3,}BEGIN NATS USER JWT-{3,}/.test(text) || !/-{3,}BEGIN USER NKEY SEED-{3,}/.test(text)) {
      throw new MonitorError(
        'CONFIG_INVALID',
        `YIBAO_NATS_CREDS_FILE=${JSON.stringify(config.YIBAO_NATS_CREDS_FILE)} is not a NATS creds file: ` +
          'expected a "BEGIN NATS USER JWT" and a "BEGIN USER NKEY SEED" block (nsc generate creds)',
        { variable: 'YIBAO_NATS_CREDS_FILE' },
      );
    }
    opts.authenticator = credsAuthenticator(creds);
  }
  if (config.YIBAO_NATS_NKEY_SEED_FILE !== undefined) {
    const seed = new TextDecoder()
      .decode(readSetting('YIBAO_NATS_NKEY_SEED_FILE', config.YIBAO_NATS_NKEY_SEED_FILE))
      .trim();
    // A user seed is 58 base32 characters starting with SU (nk -gen user); never shown.
    if (!/^SU[A-Z2-7]{56}$/.test(seed)) {
      throw new MonitorError(
        'CONFIG_INVALID',
        `YIBAO_NATS_NKEY_SEED_FILE=${JSON.stringify(config.YIBAO_NATS_NKEY_SEED_FILE)} does not hold a user NKey seed: ` +
          'expected one line of 58 characters starting with SU (nk -gen user)',
        { variable: 'YIBAO_NATS_NKEY_SEED_FILE' },
      );
    }
    opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  if (
    config.YIBAO_NATS_TLS_CA_FILE !== undefined ||
    config.YIBAO_NATS_TLS_CERT_FILE !== undefined ||
    config.YIBAO_NATS_TLS_KEY_FILE !== undefined
  ) {
    opts.tls = {
      ...(config.YIBAO_NATS_TLS_CA_FILE !== undefined && { caFile: config.YIBAO_NATS_TLS_CA_FILE }),
      ...(config.YIBAO_NATS_TLS_CERT_FILE !== undefined && { certFile: config.YIBAO_NATS_TLS_CERT_FILE }),
      ...(config.YIBAO_NATS_TLS_KEY_FILE !== undefined && { keyFile: config.YIBAO_NATS_TLS_KEY_FILE }),
    };
  }
  return opts;
}

/**
 * The wait before the next reconnect attempt, from how long the server has been away: quick at
 * first (a restart takes a second or two), then every 5 s, so a long outage is not hammered.
 */
export function reconnectDelay(awayMs: number): number {
  const base = Math.min(5_000, Math.max(250, awayMs / 4));
  return Math.round(base * (0.9 + Math.random() * 0.2));
}

/**
 * Connects or says what to do: which URL failed, and how to start a server, point elsewhere or
 * give credentials. `target` is the configuration (its credentials and TLS are used), or a URL
 * alone for a server without authentication.
 */
export async function connectNats(
  target: NatsSettings | string,
  opts: { name: string; reconnect?: boolean },
): Promise<NatsConnection> {
  const config: NatsSettings = typeof target === 'string' ? { YIBAO_NATS_URL: target } : target;
  const url = natsUrl(config);
  const shown = displayNatsUrl(url);
  let lostAt = Date.now();
  let nc: NatsConnection;
  try {
    nc = await connect({
      ...natsConnectOptions(config),
      name: opts.name,
      timeout: 3_000,
      reconnect: opts.reconnect ?? false,
      maxReconnectAttempts: -1,
      reconnectDelayHandler: () => reconnectDelay(Date.now() - lostAt),
    });
  } catch (err) {
    if (err instanceof MonitorError) throw err;
    const e = err as Error;
    if (e.name === 'AuthorizationError' || /authorization|authentication/i.test(e.message)) {
      const given = natsCredentialsKind(config);
      throw new MonitorError(
        given ? 'CONFIG_INVALID' : 'CONFIG_MISSING',
        given
          ? `NATS at ${shown} refused ${given} (${e.message}): check the credentials, or the server's authorization block`
          : `NATS at ${shown} needs credentials (${e.message}): set YIBAO_NATS_USER and YIBAO_NATS_PASSWORD, ` +
              'or YIBAO_NATS_TOKEN, YIBAO_NATS_CREDS_FILE or YIBAO_NATS_NKEY_SEED_FILE',
        { url: shown },
        err,
      );
    }
    throw new MonitorError(
      'SINK_UNAVAILABLE',
      `cannot reach NATS at ${shown} (${e.message}): start nats-server with JetStream ` +
        '(nats-server -js) or set YIBAO_NATS_URL to a server that runs',
      { url: shown },
      err,
    );
  }
  // The reconnect delay grows with the time the server has been away (reconnectDelay).
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'disconnect') lostAt = Date.now();
  })();
  return nc;
}
