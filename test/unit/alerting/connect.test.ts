// One set of NATS connection options for every client (issue 16: the NATS connection took no
// credentials): what natsConnectOptions makes of the settings, the files it refuses, and URLs shown
// without their secrets. Connecting to a server that wants credentials is in
// test/integration/nats-credentials.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import {
  connectNats,
  displayNatsUrl,
  natsConnectOptions,
  reconnectDelay,
} from '../../../processors/alerting/connect.ts';
import { isMonitorError, type MonitorError } from '../../../schemas/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'yibao-nats-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function refusal(f: () => unknown): MonitorError {
  try {
    f();
  } catch (err) {
    expect(isMonitorError(err, 'CONFIG_INVALID')).toBe(true);
    return err as MonitorError;
  }
  return expect.fail('accepted');
}

describe('natsConnectOptions', () => {
  it('no credentials: the URL alone (default nats://127.0.0.1:4222)', () => {
    expect(natsConnectOptions({})).toEqual({ servers: 'nats://127.0.0.1:4222' });
    expect(natsConnectOptions({ YIBAO_NATS_URL: 'nats://bus:4222' })).toEqual({ servers: 'nats://bus:4222' });
  });

  it('user and password, or a token', () => {
    expect(
      natsConnectOptions({
        YIBAO_NATS_URL: 'nats://bus:4222',
        YIBAO_NATS_USER: 'u',
        YIBAO_NATS_PASSWORD: 'p',
      }),
    ).toEqual({ servers: 'nats://bus:4222', user: 'u', pass: 'p' });
    expect(natsConnectOptions({ YIBAO_NATS_TOKEN: 't0k' })).toEqual({
      servers: 'nats://127.0.0.1:4222',
      token: 't0k',
    });
  });

  it('an NKey seed file signs the server nonce with its key', () => {
    const kp = nkeys.createUser();
    const seed = new TextDecoder().decode(kp.getSeed());
    const o = natsConnectOptions({ YIBAO_NATS_NKEY_SEED_FILE: file('user.nk', `${seed}\n`) });
    const auth = (o.authenticator as (nonce?: string) => { nkey: string; sig: string })('nonce-1');
    expect(auth.nkey).toBe(kp.getPublicKey());
    expect(kp.verify(new TextEncoder().encode('nonce-1'), nkeys.decode(auth.sig))).toBe(true);
  });

  it('a seed file without a user seed is refused, naming the file and not its content', () => {
    const path = file('bad.nk', 'SAsecretsecret\n');
    const err = refusal(() => natsConnectOptions({ YIBAO_NATS_NKEY_SEED_FILE: path }));
    expect(err.message).toBe(
      `YIBAO_NATS_NKEY_SEED_FILE=${JSON.stringify(path)} does not hold a user NKey seed: ` +
        'expected one line of 58 characters starting with SU (nk -gen user)',
    );
    expect(err.context).toEqual({ variable: 'YIBAO_NATS_NKEY_SEED_FILE' });
  });

  it('a creds file needs its JWT and seed blocks; a good one gives an authenticator', () => {
    const kp = nkeys.createUser();
    const creds = file(
      'monitor.creds',
      `-----BEGIN NATS USER JWT-----\neyJhbGciOi.stand-in.jwt\n------END NATS USER JWT------\n\n` +
        `-----BEGIN USER NKEY SEED-----\n${new TextDecoder().decode(kp.getSeed())}\n------END USER NKEY SEED------\n`,
    );
    expect(typeof natsConnectOptions({ YIBAO_NATS_CREDS_FILE: creds }).authenticator).toBe('function');
    const notCreds = file('notes.txt', 'password=hunter2\n');
    const err = refusal(() => natsConnectOptions({ YIBAO_NATS_CREDS_FILE: notCreds }));
    expect(err.message).toBe(
      `YIBAO_NATS_CREDS_FILE=${JSON.stringify(notCreds)} is not a NATS creds file: expected a "BEGIN NATS USER JWT" ` +
        'and a "BEGIN USER NKEY SEED" block (nsc generate creds)',
    );
    expect(err.message).not.toContain('hunter2');
  });

  it('a file gone since start-up is named with its setting', () => {
    const path = join(dir, 'gone.creds');
    expect(refusal(() => natsConnectOptions({ YIBAO_NATS_CREDS_FILE: path })).message).toBe(
      `YIBAO_NATS_CREDS_FILE=${JSON.stringify(path)} cannot be read (ENOENT)`,
    );
  });

  it('TLS: the CA, and a client certificate with its key', () => {
    expect(
      natsConnectOptions({
        YIBAO_NATS_TLS_CA_FILE: '/etc/nats/ca.pem',
        YIBAO_NATS_TLS_CERT_FILE: '/etc/nats/client.pem',
        YIBAO_NATS_TLS_KEY_FILE: '/etc/nats/client-key.pem',
      }).tls,
    ).toEqual({
      caFile: '/etc/nats/ca.pem',
      certFile: '/etc/nats/client.pem',
      keyFile: '/etc/nats/client-key.pem',
    });
    expect(natsConnectOptions({ YIBAO_NATS_TLS_CA_FILE: '/etc/nats/ca.pem' }).tls).toEqual({
      caFile: '/etc/nats/ca.pem',
    });
  });
});

describe('NATS URLs in messages', () => {
  it('a password or token written into the URL is not shown', () => {
    expect(displayNatsUrl('nats://monitor:s3cret@bus:4222')).toBe('nats://monitor:***@bus:4222');
    expect(displayNatsUrl('nats://t0ken@bus:4222,nats://u:p@bus2:4222')).toBe(
      'nats://***@bus:4222,nats://u:***@bus2:4222',
    );
    expect(displayNatsUrl('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
  });

  it('an unreachable server: the error names the URL without its password', async () => {
    const err = await connectNats('nats://monitor:s3cret@127.0.0.1:1', { name: 't' }).catch(
      (e: unknown) => e,
    );
    expect(isMonitorError(err, 'SINK_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(/^cannot reach NATS at nats:\/\/monitor:\*\*\*@127\.0\.0\.1:1 \(/);
    expect(`${(err as Error).message} ${JSON.stringify((err as MonitorError).context)}`).not.toContain(
      's3cret',
    );
  });
});

describe('reconnect delay', () => {
  it('quick at first, then at most every 5 s (±10 %)', () => {
    expect(reconnectDelay(0)).toBeGreaterThanOrEqual(225);
    expect(reconnectDelay(0)).toBeLessThanOrEqual(275);
    expect(reconnectDelay(4_000)).toBeGreaterThanOrEqual(900);
    expect(reconnectDelay(4_000)).toBeLessThanOrEqual(1_100);
    expect(reconnectDelay(3_600_000)).toBeLessThanOrEqual(5_500);
    expect(reconnectDelay(3_600_000)).toBeGreaterThanOrEqual(4_500);
  });
});
