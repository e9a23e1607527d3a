import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEVELOPMENT_PSEUDONYM_KEY,
  developmentKeyWarning,
  loadConfig,
  requireSecretKey,
} from '../../processors/config.ts';
import { type ErrorCode, MonitorError } from '../../schemas/errors.ts';

const SECRET = 'f3c1e0a9b8d7c6e5f4a3b2c1d0e9f8a7';

/** The MonitorError loadConfig throws for this environment. */
function failure(env: NodeJS.ProcessEnv): MonitorError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(MonitorError);
    return err as MonitorError;
  }
  return expect.fail('loadConfig accepted the environment');
}

function expectFailure(env: NodeJS.ProcessEnv, code: ErrorCode, message: string, variable: string): void {
  const err = failure(env);
  expect(err.code).toBe(code);
  expect(err.retriable).toBe(false);
  expect(err.message).toBe(message);
  expect(err.context).toEqual({ variable });
}

describe('configuration from the environment', () => {
  it('an empty environment gives the development defaults', () => {
    expect(loadConfig({})).toEqual({
      YIBAO_ENV: 'development',
      YIBAO_LOG_LEVEL: 'info',
      YIBAO_DATA_DIR: './data',
      YIBAO_CLICKHOUSE_DATABASE: 'yibao',
      YIBAO_ALLOWED_LATENESS_SECONDS: 60,
      YIBAO_EVENT_TIME_FLOOR: '2000-01-01T00:00:00+08:00',
      YIBAO_MAX_CLOCK_SKEW_SECONDS: 600,
      YIBAO_MAX_AMOUNT_YUAN: 10_000_000,
      YIBAO_MAX_ITEM_COUNT: 10_000,
      YIBAO_MAX_DAYS_SUPPLY: 366,
      YIBAO_STATUS_PORT: 9464,
      YIBAO_STATUS_HOST: '127.0.0.1',
      YIBAO_CLICKHOUSE_MAX_BUFFERED_ROWS: 100_000,
      YIBAO_SHUTDOWN_TIMEOUT_SECONDS: 60,
      YIBAO_CHECKPOINTS: 'directory',
      YIBAO_CHECKPOINT_BUCKET: 'yibao-checkpoints',
      YIBAO_CHECKPOINT_INTERVAL_SECONDS: 60,
      YIBAO_ALLOW_DEVELOPMENT_KEY: '0',
      pseudonymKey: DEVELOPMENT_PSEUDONYM_KEY,
      developmentKey: true,
    });
  });

  it('real records need a secret key, unless test data is said to be (issue 16)', () => {
    expect(() => requireSecretKey(loadConfig({}), 'replay')).toThrow(
      /^replay reads real records, and YIBAO_PSEUDONYM_KEY is not set/,
    );
    expect(() => requireSecretKey(loadConfig({ YIBAO_ALLOW_DEVELOPMENT_KEY: '1' }), 'replay')).not.toThrow();
    expect(() => requireSecretKey(loadConfig({ YIBAO_ENV: 'test' }), 'replay')).not.toThrow();
    const keyed = loadConfig({ YIBAO_PSEUDONYM_KEY: 'a-real-secret-0123456789' });
    expect(() => requireSecretKey(keyed, 'replay')).not.toThrow();
    expect(developmentKeyWarning(keyed)).toBeUndefined();
    expect(developmentKeyWarning(loadConfig({ YIBAO_ALLOW_DEVELOPMENT_KEY: '1' }))).toMatch(
      /development pseudonym key/,
    );
    expect(() => loadConfig({ YIBAO_ALLOW_DEVELOPMENT_KEY: 'yes' })).toThrow(
      /YIBAO_ALLOW_DEVELOPMENT_KEY="yes" is invalid: expected 0 or 1/,
    );
  });

  it('checkpoint settings: the store kind and the bucket name are checked', () => {
    expect(loadConfig({ YIBAO_CHECKPOINTS: 'jetstream' }).YIBAO_CHECKPOINTS).toBe('jetstream');
    expect(() => loadConfig({ YIBAO_CHECKPOINTS: 'redis' })).toThrow(/YIBAO_CHECKPOINTS="redis" is invalid/);
    expect(() => loadConfig({ YIBAO_CHECKPOINT_BUCKET: 'a.b' })).toThrow(
      /YIBAO_CHECKPOINT_BUCKET="a.b" is invalid: expected a bucket name/,
    );
  });

  it('variables without the YIBAO_ prefix are ignored', () => {
    expect(loadConfig({ PATH: '/usr/bin', yibao_env: 'nonsense', YIBAO: 'x' }).YIBAO_ENV).toBe('development');
  });

  it('values are parsed: whole numbers to numbers, true/false/1/0 to booleans', () => {
    const c = loadConfig({
      YIBAO_ENV: 'test',
      YIBAO_ALLOWED_LATENESS_SECONDS: '120',
      YIBAO_STATUS_PORT: '9100',
      YIBAO_PROGRESS: '0',
      YIBAO_KAFKA_BROKERS: 'k1:9092,k2:9092',
      YIBAO_CLICKHOUSE_URL: 'http://localhost:8123',
    });
    expect(c).toMatchObject({
      YIBAO_ENV: 'test',
      YIBAO_ALLOWED_LATENESS_SECONDS: 120,
      YIBAO_STATUS_PORT: 9100,
      YIBAO_PROGRESS: false,
      YIBAO_KAFKA_BROKERS: 'k1:9092,k2:9092',
      YIBAO_CLICKHOUSE_URL: 'http://localhost:8123',
    });
    expect(loadConfig({ YIBAO_PROGRESS: 'true' }).YIBAO_PROGRESS).toBe(true);
  });

  it('YIBAO_KAFKA_DEAD_LETTER_TOPIC is optional and taken as given', () => {
    expect(loadConfig({}).YIBAO_KAFKA_DEAD_LETTER_TOPIC).toBeUndefined();
    expect(
      loadConfig({ YIBAO_KAFKA_DEAD_LETTER_TOPIC: 'yibao.dead-letters_v1' }).YIBAO_KAFKA_DEAD_LETTER_TOPIC,
    ).toBe('yibao.dead-letters_v1');
  });

  it('the result is frozen', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      (c as { YIBAO_ENV: string }).YIBAO_ENV = 'production';
    }).toThrow(TypeError);
  });

  it('an unknown YIBAO_ variable is CONFIG_INVALID naming it and listing the settings', () => {
    const err = failure({ YIBAO_ALLOWED_LATENES_SECONDS: '60' });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.context).toEqual({ variable: 'YIBAO_ALLOWED_LATENES_SECONDS' });
    expect(err.message).toMatch(
      /^YIBAO_ALLOWED_LATENES_SECONDS is not a setting of the monitor: expected one of YIBAO_ENV, .*YIBAO_ALLOWED_LATENESS_SECONDS/,
    );
  });

  it.each([
    ['YIBAO_ALLOWED_LATENESS_SECONDS', 'abc', 'expected a whole number'],
    ['YIBAO_ALLOWED_LATENESS_SECONDS', '-5', 'expected a whole number'],
    ['YIBAO_ALLOWED_LATENESS_SECONDS', '1.5', 'expected a whole number'],
    ['YIBAO_ALLOWED_LATENESS_SECONDS', '', 'expected a whole number'],
    ['YIBAO_ALLOWED_LATENESS_SECONDS', '0', 'expected a number > 0'],
    [
      'YIBAO_ALLOWED_LATENESS_SECONDS',
      '7201',
      'expected at most 7200 (2 hours): the minute windows hold 4 hours',
    ],
    ['YIBAO_STATUS_PORT', '0', 'expected a number > 0'],
    ['YIBAO_KAFKA_BROKERS', 'k1:9092, k2:9092', 'expected host:port[,host:port…]'],
    ['YIBAO_CLICKHOUSE_URL', 'localhost 8123', 'expected a URL such as http://localhost:8123'],
    [
      'YIBAO_KAFKA_DEAD_LETTER_TOPIC',
      'dead letters',
      'expected a Kafka topic name: 1–249 characters of A–Z a–z 0–9 . _ -',
    ],
    [
      'YIBAO_KAFKA_DEAD_LETTER_TOPIC',
      '',
      'expected a Kafka topic name: 1–249 characters of A–Z a–z 0–9 . _ -',
    ],
    [
      'YIBAO_KAFKA_DEAD_LETTER_TOPIC',
      'x'.repeat(250),
      'expected a Kafka topic name: 1–249 characters of A–Z a–z 0–9 . _ -',
    ],
    ['YIBAO_KAFKA_DEAD_LETTER_TOPIC', '..', 'expected a Kafka topic name other than "." or ".."'],
  ])(
    '%s=%j is CONFIG_INVALID naming the variable, the value and the expectation',
    (name, value, expected) => {
      expectFailure(
        { [name]: value },
        'CONFIG_INVALID',
        `${name}=${JSON.stringify(value)} is invalid: ${expected}`,
        name,
      );
    },
  );

  it.each([
    ['YIBAO_ENV', 'staging'],
    ['YIBAO_LOG_LEVEL', 'verbose'],
    ['YIBAO_PROGRESS', 'yes'],
    ['YIBAO_CLICKHOUSE_DATABASE', 'yibao-db'],
  ])('%s=%j is CONFIG_INVALID naming the variable and the value', (name, value) => {
    const err = failure({ [name]: value });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.context).toEqual({ variable: name });
    expect(err.message.startsWith(`${name}=${JSON.stringify(value)} is invalid: `)).toBe(true);
  });

  it('a short pseudonym key is CONFIG_INVALID without echoing it', () => {
    expectFailure(
      { YIBAO_PSEUDONYM_KEY: 'hunter2hunter2' },
      'CONFIG_INVALID',
      'YIBAO_PSEUDONYM_KEY=<secret> is invalid: expected at least 16 characters',
      'YIBAO_PSEUDONYM_KEY',
    );
  });

  it('production without YIBAO_PSEUDONYM_KEY is CONFIG_MISSING saying how to set it', () => {
    const err = failure({ YIBAO_ENV: 'production' });
    expect(err.code).toBe('CONFIG_MISSING');
    expect(err.context).toEqual({ variable: 'YIBAO_PSEUDONYM_KEY' });
    expect(err.message).toMatch(/^YIBAO_PSEUDONYM_KEY is not set: /);
    expect(err.message).toContain('Set it to a random secret of at least 16 characters');
    expect(err.message).toContain('YIBAO_PSEUDONYM_KEY=$(openssl rand -hex 32)');
  });

  it('production with a key uses it; development and test fall back to the development key', () => {
    expect(loadConfig({ YIBAO_ENV: 'production', YIBAO_PSEUDONYM_KEY: SECRET }).pseudonymKey).toBe(SECRET);
    expect(loadConfig({ YIBAO_ENV: 'test' }).pseudonymKey).toBe(DEVELOPMENT_PSEUDONYM_KEY);
  });

  it.each([
    ['an unknown variable', { YIBAO_PSEUDONYM_KEY: SECRET, YIBAO_COLOUR: 'red' }],
    ['a bad value of another variable', { YIBAO_PSEUDONYM_KEY: SECRET, YIBAO_STATUS_PORT: 'http' }],
    ['a misspelt key variable', { YIBAO_PSEUDONYMKEY: SECRET }],
    ['a short key', { YIBAO_PSEUDONYM_KEY: SECRET.slice(0, 15) }],
    ['a bad YIBAO_ENV beside a key', { YIBAO_ENV: 'prod', YIBAO_PSEUDONYM_KEY: SECRET }],
  ])('the key is never echoed in the error for %s', (_name, env) => {
    const err = failure(env);
    const everything = `${err.message} ${JSON.stringify(err.context)} ${String(err.stack)}`;
    expect(everything).not.toContain(SECRET.slice(0, 15));
  });
});

describe('NATS credentials and TLS settings (issue 16: the NATS connection took no credentials)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yibao-config-nats-'));
  const creds = join(dir, 'monitor.creds');
  writeFileSync(creds, 'not read here');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('user and password, a token or a file load as given; nothing NATS is set by default', () => {
    expect(loadConfig({ YIBAO_NATS_USER: 'monitor', YIBAO_NATS_PASSWORD: 'pw-9f8e' })).toMatchObject({
      YIBAO_NATS_USER: 'monitor',
      YIBAO_NATS_PASSWORD: 'pw-9f8e',
    });
    expect(loadConfig({ YIBAO_NATS_TOKEN: 'tok-1' }).YIBAO_NATS_TOKEN).toBe('tok-1');
    expect(loadConfig({ YIBAO_NATS_CREDS_FILE: creds }).YIBAO_NATS_CREDS_FILE).toBe(creds);
    expect(Object.keys(loadConfig({})).filter((k) => k.startsWith('YIBAO_NATS_'))).toEqual([]);
  });

  it('a user needs a password and a password a user', () => {
    expectFailure(
      { YIBAO_NATS_USER: 'monitor' },
      'CONFIG_INVALID',
      'YIBAO_NATS_PASSWORD is not set: YIBAO_NATS_USER and YIBAO_NATS_PASSWORD go together',
      'YIBAO_NATS_PASSWORD',
    );
    expectFailure(
      { YIBAO_NATS_PASSWORD: 'pw-9f8e' },
      'CONFIG_INVALID',
      'YIBAO_NATS_USER is not set: YIBAO_NATS_USER and YIBAO_NATS_PASSWORD go together',
      'YIBAO_NATS_USER',
    );
  });

  it('two kinds of credentials at once are refused, naming both', () => {
    expectFailure(
      { YIBAO_NATS_USER: 'u', YIBAO_NATS_PASSWORD: 'p', YIBAO_NATS_TOKEN: 't' },
      'CONFIG_INVALID',
      'NATS credentials of two kinds are set (YIBAO_NATS_USER/YIBAO_NATS_PASSWORD and YIBAO_NATS_TOKEN): ' +
        'expected one of user and password, a token, a creds file or an NKey seed file',
      'YIBAO_NATS_TOKEN',
    );
  });

  it('a client certificate needs its key', () => {
    expectFailure(
      { YIBAO_NATS_TLS_CERT_FILE: creds },
      'CONFIG_INVALID',
      'YIBAO_NATS_TLS_KEY_FILE is not set: a client certificate (YIBAO_NATS_TLS_CERT_FILE) needs its key (YIBAO_NATS_TLS_KEY_FILE)',
      'YIBAO_NATS_TLS_KEY_FILE',
    );
  });

  it('a file that is missing, or not a file, is named with its setting', () => {
    const missing = join(dir, 'gone.creds');
    expectFailure(
      { YIBAO_NATS_CREDS_FILE: missing },
      'CONFIG_INVALID',
      `YIBAO_NATS_CREDS_FILE=${JSON.stringify(missing)}: no such file`,
      'YIBAO_NATS_CREDS_FILE',
    );
    expectFailure(
      { YIBAO_NATS_TLS_CA_FILE: dir },
      'CONFIG_INVALID',
      `YIBAO_NATS_TLS_CA_FILE=${JSON.stringify(dir)}: not a file`,
      'YIBAO_NATS_TLS_CA_FILE',
    );
  });

  it('a bad password or token is refused without echoing it', () => {
    expectFailure(
      { YIBAO_NATS_USER: 'u', YIBAO_NATS_PASSWORD: '' },
      'CONFIG_INVALID',
      'YIBAO_NATS_PASSWORD=<secret> is invalid: expected a password',
      'YIBAO_NATS_PASSWORD',
    );
    expectFailure(
      { YIBAO_NATS_TOKEN: '' },
      'CONFIG_INVALID',
      'YIBAO_NATS_TOKEN=<secret> is invalid: expected a token',
      'YIBAO_NATS_TOKEN',
    );
    // Another variable's error says nothing of the password beside it.
    const err = failure({ YIBAO_NATS_USER: 'u', YIBAO_NATS_PASSWORD: SECRET, YIBAO_STATUS_PORT: 'x' });
    expect(`${err.message} ${JSON.stringify(err.context)}`).not.toContain(SECRET);
  });
});
