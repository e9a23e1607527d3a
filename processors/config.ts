/**
 * Configuration: environment variables with the YIBAO_ prefix → zod → frozen object, compiled once
 * at start-up (STYLE.md §2). An unknown YIBAO_ variable (usually a typo) or a bad value is a
 * start-up error that names it, its value and what was expected.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { z } from 'zod';
import { MonitorError } from '../schemas/errors.ts';

export const ENV_PREFIX = 'YIBAO_';

/** Used only when YIBAO_ENV is development or test: tokens made with it protect nothing. */
export const DEVELOPMENT_PSEUDONYM_KEY = 'yibao-development-key-not-secret';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const positiveInt = z
  .string()
  .regex(/^\d+$/, { message: 'expected a whole number' })
  .transform(Number)
  .refine((n) => n > 0, { message: 'expected a number > 0' });

const SETTINGS = {
  YIBAO_ENV: z.enum(['development', 'test', 'production']).default('development'),
  YIBAO_PSEUDONYM_KEY: z.string().min(16, { message: 'expected at least 16 characters' }).optional(),
  /** Lets a real source run on the development key (test data only): see `requireSecretKey`. */
  YIBAO_ALLOW_DEVELOPMENT_KEY: z.enum(['0', '1'], { message: 'expected 0 or 1' }).default('0'),
  YIBAO_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  YIBAO_DATA_DIR: z.string().min(1).default('./data'),
  YIBAO_CLICKHOUSE_URL: z.url({ message: 'expected a URL such as http://localhost:8123' }).optional(),
  YIBAO_CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default('yibao'),
  YIBAO_CLICKHOUSE_USER: z.string().optional(),
  YIBAO_CLICKHOUSE_PASSWORD: z.string().optional(),
  YIBAO_KAFKA_BROKERS: z
    .string()
    .regex(/^[^,\s]+(,[^,\s]+)*$/, { message: 'expected host:port[,host:port…]' })
    .optional(),
  /**
   * How long the Kafka group coordinator waits for a silent consumer (default 30 000 ms in the source).
   * After a crash the restarted monitor cannot get its partitions before the dead member's session
   * ends (processors/io/sources/kafka.ts), so this bounds the restart. Brokers refuse values outside
   * group.min.session.timeout.ms (6 000) … group.max.session.timeout.ms (1 800 000) by default.
   */
  YIBAO_KAFKA_SESSION_TIMEOUT_MS: positiveInt
    .refine((n) => n >= 6_000 && n <= 1_800_000, {
      message: 'expected milliseconds in 6000–1800000 (the brokers’ default group session limits)',
    })
    .optional(),
  /**
   * Kafka topic for rejected input records (processors/kafka/dead-letters.ts), besides the
   * ClickHouse dead_letters table; only with `--source kafka`. Unset: no dead-letter topic.
   * Kafka's topic-name rules: 1–249 of A–Z a–z 0–9 . _ -, not "." or "..".
   */
  YIBAO_KAFKA_DEAD_LETTER_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, {
      message: 'expected a Kafka topic name: 1–249 characters of A–Z a–z 0–9 . _ -',
    })
    .refine((t) => t !== '.' && t !== '..', { message: 'expected a Kafka topic name other than "." or ".."' })
    .optional(),
  YIBAO_NATS_URL: z.string().optional(),
  /**
   * NATS credentials, used by every NATS client of the monitor (processors/alerting/connect.ts):
   * user and password, or a token, or a creds file (JWT + NKey seed, `nsc generate creds`), or an
   * NKey seed file. At most one kind; the password and the token are never printed.
   */
  YIBAO_NATS_USER: z.string().min(1, { message: 'expected a user name' }).optional(),
  YIBAO_NATS_PASSWORD: z.string().min(1, { message: 'expected a password' }).optional(),
  YIBAO_NATS_TOKEN: z.string().min(1, { message: 'expected a token' }).optional(),
  YIBAO_NATS_CREDS_FILE: z.string().min(1, { message: 'expected a file path' }).optional(),
  YIBAO_NATS_NKEY_SEED_FILE: z.string().min(1, { message: 'expected a file path' }).optional(),
  /** TLS to NATS: the CA that signed the server's certificate, and a client certificate and key (mutual TLS). */
  YIBAO_NATS_TLS_CA_FILE: z.string().min(1, { message: 'expected a file path' }).optional(),
  YIBAO_NATS_TLS_CERT_FILE: z.string().min(1, { message: 'expected a file path' }).optional(),
  YIBAO_NATS_TLS_KEY_FILE: z.string().min(1, { message: 'expected a file path' }).optional(),
  /**
   * Rows written to the sink but not yet confirmed by ClickHouse (buffered or in flight) at most;
   * beyond it the processors stop reading until ClickHouse confirms some: the memory bound while
   * ClickHouse is slow or down (processors/storage/batcher.ts).
   */
  YIBAO_CLICKHOUSE_MAX_BUFFERED_ROWS: positiveInt.default(100_000),
  /** A stop (signal, --duration, end of input) that takes longer gives up and exits 1, naming what was left. */
  YIBAO_SHUTDOWN_TIMEOUT_SECONDS: positiveInt.default(60),
  /**
   * Where the stage processes (`run --stage`) keep snapshots of their state (processors/state):
   * `directory` (YIBAO_CHECKPOINT_DIR, default <YIBAO_DATA_DIR>/checkpoints), `jetstream` (the
   * Object Store bucket YIBAO_CHECKPOINT_BUCKET on YIBAO_NATS_URL), or `off` (every restart
   * rebuilds from offset 0 of the hand-over topics).
   */
  YIBAO_CHECKPOINTS: z.enum(['directory', 'jetstream', 'off']).default('directory'),
  YIBAO_CHECKPOINT_DIR: z.string().min(1).optional(),
  YIBAO_CHECKPOINT_BUCKET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'expected a bucket name: 1–64 of A–Z a–z 0–9 _ -' })
    .default('yibao-checkpoints'),
  /** At most this often a stage saves a checkpoint (after a settled batch). */
  YIBAO_CHECKPOINT_INTERVAL_SECONDS: positiveInt.default(60),
  // At most 2 h: the minute buckets of the boundary rules hold 4 h (processors/indicators/layered-ring.ts),
  // which must cover the hour in progress plus lateness and the 15-minute alignment.
  YIBAO_ALLOWED_LATENESS_SECONDS: positiveInt
    .refine((n) => n <= 7_200, {
      message: 'expected at most 7200 (2 hours): the minute windows hold 4 hours',
    })
    .default(60),
  /** Records before this instant are dead letters (processors/stages/event-time-bounds.ts). */
  YIBAO_EVENT_TIME_FLOOR: z
    .string()
    .refine(
      (s) =>
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) &&
        !Number.isNaN(Date.parse(s)),
      {
        message: 'expected an RFC 3339 timestamp with offset, e.g. 2000-01-01T00:00:00+08:00',
      },
    )
    .default('2000-01-01T00:00:00+08:00'),
  /** Records further ahead of the wall clock are dead letters (every source but the simulator). */
  YIBAO_MAX_CLOCK_SKEW_SECONDS: positiveInt.default(600),
  /** Plausibility bounds at ingest (schemas/value-bounds.ts): larger values are dead letters. */
  YIBAO_MAX_AMOUNT_YUAN: positiveInt.default(10_000_000),
  YIBAO_MAX_ITEM_COUNT: positiveInt.default(10_000),
  YIBAO_MAX_DAYS_SUPPLY: positiveInt.default(366),
  YIBAO_RULE_OVERRIDES: z.string().optional(),
  YIBAO_PACK_OVERRIDES: z.string().optional(),
  YIBAO_STATUS_PORT: positiveInt
    .refine((n) => n <= 65_535, { message: 'expected a TCP port 1–65535' })
    .default(9464),
  YIBAO_PROGRESS: bool.optional(),
  /** 0.0.0.0 in containers, so probes and Prometheus reach the status port. */
  YIBAO_STATUS_HOST: z.string().min(1).default('127.0.0.1'),
} as const;

const configSchema = z.strictObject(SETTINGS);
export type Config = Readonly<
  z.infer<typeof configSchema> & {
    pseudonymKey: string;
    /** True when YIBAO_PSEUDONYM_KEY is not set and the public development key is in use. */
    developmentKey: boolean;
  }
>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const ours: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    if (!(name in SETTINGS)) {
      throw new MonitorError(
        'CONFIG_INVALID',
        `${name} is not a setting of the monitor: expected one of ${Object.keys(SETTINGS).join(', ')}`,
        { variable: name },
      );
    }
    ours[name] = value;
  }
  const parsed = configSchema.safeParse(ours);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? '?');
    const shown = isSecretSetting(name) ? '<secret>' : JSON.stringify(ours[name]);
    throw new MonitorError('CONFIG_INVALID', `${name}=${shown} is invalid: ${issue?.message}`, {
      variable: name,
    });
  }
  const c = parsed.data;
  checkNatsSettings(c);
  let key = c.YIBAO_PSEUDONYM_KEY;
  if (key === undefined) {
    if (c.YIBAO_ENV === 'production') {
      throw new MonitorError(
        'CONFIG_MISSING',
        'YIBAO_PSEUDONYM_KEY is not set: in production psn_no is pseudonymised with a secret key. ' +
          'Set it to a random secret of at least 16 characters, e.g. YIBAO_PSEUDONYM_KEY=$(openssl rand -hex 32), ' +
          'and keep it: tokens change when it changes.',
        { variable: 'YIBAO_PSEUDONYM_KEY' },
      );
    }
    key = DEVELOPMENT_PSEUDONYM_KEY;
  }
  return Object.freeze({ ...c, pseudonymKey: key, developmentKey: c.YIBAO_PSEUDONYM_KEY === undefined });
}

/**
 * Real records (`what`: a source other than the simulator) need a secret key: the development key
 * is in this file, and a token made with it is reversed to the ID number by enumerating one
 * division and birth year in seconds (issue 16). YIBAO_ENV=test or YIBAO_ALLOW_DEVELOPMENT_KEY=1
 * (test data) lets it run; then `developmentKeyWarning` is shown on every status line.
 */
export function requireSecretKey(config: Config, what: string): void {
  if (!config.developmentKey || config.YIBAO_ENV === 'test' || config.YIBAO_ALLOW_DEVELOPMENT_KEY === '1')
    return;
  throw new MonitorError(
    'CONFIG_MISSING',
    `${what} reads real records, and YIBAO_PSEUDONYM_KEY is not set: the development key is public, so its tokens ` +
      'could be reversed to ID numbers. Set YIBAO_PSEUDONYM_KEY to a random secret of at least 16 characters, ' +
      'e.g. YIBAO_PSEUDONYM_KEY=$(openssl rand -hex 32), and keep it (tokens change with it); for test data only, ' +
      'set YIBAO_ALLOW_DEVELOPMENT_KEY=1. (The simulator, `npm start`, needs neither.)',
    { variable: 'YIBAO_PSEUDONYM_KEY' },
  );
}

/** The warning every status line carries while real records run on the development key. */
export function developmentKeyWarning(config: Config): string | undefined {
  return config.developmentKey
    ? 'the public development pseudonym key is in use (set YIBAO_PSEUDONYM_KEY)'
    : undefined;
}

/** Settings whose values are never shown (config errors, status): keys, passwords, tokens. */
export function isSecretSetting(name: string): boolean {
  return name === 'YIBAO_PSEUDONYM_KEY' || name.endsWith('_PASSWORD') || name.endsWith('_TOKEN');
}

const NATS_FILES = [
  'YIBAO_NATS_CREDS_FILE',
  'YIBAO_NATS_NKEY_SEED_FILE',
  'YIBAO_NATS_TLS_CA_FILE',
  'YIBAO_NATS_TLS_CERT_FILE',
  'YIBAO_NATS_TLS_KEY_FILE',
] as const;

/**
 * The NATS credentials fit together (one kind at most, user with password, certificate with key)
 * and their files can be read: at start-up, not at the first reconnect (STYLE.md §2).
 */
function checkNatsSettings(c: z.infer<typeof configSchema>): void {
  const bad = (variable: string, message: string) =>
    new MonitorError('CONFIG_INVALID', message, { variable });
  if ((c.YIBAO_NATS_USER === undefined) !== (c.YIBAO_NATS_PASSWORD === undefined)) {
    const missing = c.YIBAO_NATS_USER === undefined ? 'YIBAO_NATS_USER' : 'YIBAO_NATS_PASSWORD';
    throw bad(missing, `${missing} is not set: YIBAO_NATS_USER and YIBAO_NATS_PASSWORD go together`);
  }
  const kinds = [
    c.YIBAO_NATS_USER !== undefined && 'YIBAO_NATS_USER/YIBAO_NATS_PASSWORD',
    c.YIBAO_NATS_TOKEN !== undefined && 'YIBAO_NATS_TOKEN',
    c.YIBAO_NATS_CREDS_FILE !== undefined && 'YIBAO_NATS_CREDS_FILE',
    c.YIBAO_NATS_NKEY_SEED_FILE !== undefined && 'YIBAO_NATS_NKEY_SEED_FILE',
  ].filter((k): k is string => k !== false);
  if (kinds.length > 1) {
    throw bad(
      kinds[1]!.split('/')[0]!,
      `NATS credentials of two kinds are set (${kinds.join(' and ')}): expected one of user and password, a token, a creds file or an NKey seed file`,
    );
  }
  if ((c.YIBAO_NATS_TLS_CERT_FILE === undefined) !== (c.YIBAO_NATS_TLS_KEY_FILE === undefined)) {
    const missing =
      c.YIBAO_NATS_TLS_CERT_FILE === undefined ? 'YIBAO_NATS_TLS_CERT_FILE' : 'YIBAO_NATS_TLS_KEY_FILE';
    throw bad(
      missing,
      `${missing} is not set: a client certificate (YIBAO_NATS_TLS_CERT_FILE) needs its key (YIBAO_NATS_TLS_KEY_FILE)`,
    );
  }
  for (const name of NATS_FILES) {
    const path = c[name];
    if (path === undefined) continue;
    let why: string | undefined;
    try {
      if (statSync(path).isFile()) accessSync(path, constants.R_OK);
      else why = 'not a file';
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      why = code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (err as Error).message})`;
    }
    if (why !== undefined) throw bad(name, `${name}=${JSON.stringify(path)}: ${why}`);
  }
}
