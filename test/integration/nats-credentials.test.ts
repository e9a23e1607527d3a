// NATS control needs credentials (issue 16: anyone on NATS could mute the channels; the connection
// took none). Private nats-servers on free ports with authorization: user and password, a token,
// an NKey. Without credentials the connect fails naming the URL and the settings to set; with them
// the monitor's bus link publishes and the `alerts` commands work.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openAlertBus } from '../../processors/alerting/bus-link.ts';
import { connectNats, type NatsSettings } from '../../processors/alerting/connect.ts';
import { addAlertsCommand } from '../../processors/cli/alerts.ts';
import { main } from '../../processors/cli/main.ts';
import { isMonitorError, type MonitorError } from '../../schemas/errors.ts';
import { type PrivateNats, startPrivateNats } from '../support/private-nats.ts';
import { burst } from '../unit/alerting/fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'yibao-nats-auth-'));
const servers: PrivateNats[] = [];

afterAll(async () => {
  for (const s of servers) await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function server(args: string[]): Promise<PrivateNats> {
  const s = await startPrivateNats(args);
  servers.push(s);
  return s;
}

async function refused(settings: NatsSettings): Promise<MonitorError> {
  const err = await connectNats(settings, { name: 'yibao-auth-test' }).then(
    async (nc) => {
      await nc.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err, 'the server accepted the connection').toBeInstanceOf(Error);
  return err as MonitorError;
}

function alertsCli(settings: NatsSettings, out: string[]): Command {
  const root = new Command('yibao-monitor').exitOverride();
  addAlertsCommand(root, { config: () => settings, print: (l) => out.push(l), setCode: () => undefined });
  return root;
}

describe('a NATS server with user and password', () => {
  let nats: PrivateNats;
  beforeAll(async () => {
    nats = await server(['--user', 'monitor', '--pass', 's3cret-pw']);
  });

  it('without credentials: CONFIG_MISSING naming the URL and YIBAO_NATS_USER/YIBAO_NATS_PASSWORD', async () => {
    const err = await refused({ YIBAO_NATS_URL: nats.url });
    expect(isMonitorError(err, 'CONFIG_MISSING')).toBe(true);
    expect(err.message).toBe(
      `NATS at ${nats.url} needs credentials (Authorization Violation): set YIBAO_NATS_USER and YIBAO_NATS_PASSWORD, ` +
        'or YIBAO_NATS_TOKEN, YIBAO_NATS_CREDS_FILE or YIBAO_NATS_NKEY_SEED_FILE',
    );
  });

  it('with a wrong password: CONFIG_INVALID naming the user, never the password', async () => {
    const err = await refused({
      YIBAO_NATS_URL: nats.url,
      YIBAO_NATS_USER: 'monitor',
      YIBAO_NATS_PASSWORD: 'wrong-pw',
    });
    expect(isMonitorError(err, 'CONFIG_INVALID')).toBe(true);
    expect(err.message).toBe(
      `NATS at ${nats.url} refused user monitor (YIBAO_NATS_USER/YIBAO_NATS_PASSWORD) (Authorization Violation): ` +
        "check the credentials, or the server's authorization block",
    );
    expect(`${err.message} ${JSON.stringify(err.context)}`).not.toContain('wrong-pw');
  });

  it('with them: the bus link publishes, and alerts publish, silence and ack work', async () => {
    const settings = {
      YIBAO_NATS_URL: nats.url,
      YIBAO_NATS_USER: 'monitor',
      YIBAO_NATS_PASSWORD: 's3cret-pw',
    };
    const bus = await openAlertBus(settings);
    const alerts = burst(3);
    await bus.publisher.write(alerts);
    expect(bus.stats()).toMatchObject({ published: 3, outage: null });
    expect(await bus.close(5_000)).toMatchObject({ unconfirmed: 0 });

    const out: string[] = [];
    const file = join(dir, 'alerts.ndjson');
    writeFileSync(
      file,
      `${burst(4)
        .map(({ kind: _kind, ...a }) => JSON.stringify(a))
        .join('\n')}\n`,
    );
    await alertsCli(settings, out).parseAsync(['alerts', 'publish', file], { from: 'user' });
    expect(out.at(-1)).toBe('1 alerts published to ALERTS, 3 already there, 0 rejected');
    await alertsCli(settings, out).parseAsync(
      [
        'alerts',
        'silence',
        '--rule',
        'split_admission',
        '--division',
        '5101',
        '--for',
        '2h',
        '--by',
        '张三',
        '--why',
        '试点',
      ],
      { from: 'user' },
    );
    expect(out.at(-2)).toMatch(
      /^silenced: sil-[0-9a-f]{8} {2}rule=split_admission division=5101\* .*\[prefecture, 2h\]/,
    );
    await alertsCli(settings, out).parseAsync(['alerts', 'ack', alerts[0]!.alert_id, '--by', '李四'], {
      from: 'user',
    });
    expect(out.at(-1)).toMatch(
      new RegExp(
        `^acknowledged ${alerts[0]!.alert_id} \\(firing, alerts\\.510104\\.key\\.split_admission\\) by 李四 at \\S+$`,
      ),
    );
  });

  describe('the command line, from the environment', () => {
    const saved: Record<string, string | undefined> = {};
    const set = (env: Record<string, string | undefined>) => {
      for (const [k, v] of Object.entries(env)) {
        if (!(k in saved)) saved[k] = process.env[k];
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    };
    afterEach(() => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });

    it('without credentials exits 2 saying what to set; with them lists the silences', async () => {
      const err: string[] = [];
      const out: string[] = [];
      const writeErr = process.stderr.write.bind(process.stderr);
      const writeOut = process.stdout.write.bind(process.stdout);
      process.stderr.write = ((s: string) => err.push(s) > 0) as typeof process.stderr.write;
      process.stdout.write = ((s: string) => out.push(s) > 0) as typeof process.stdout.write;
      try {
        set({ YIBAO_NATS_URL: nats.url, YIBAO_NATS_USER: undefined, YIBAO_NATS_PASSWORD: undefined });
        expect(await main(['alerts', 'list-silences'])).toBe(2);
        set({ YIBAO_NATS_USER: 'monitor', YIBAO_NATS_PASSWORD: 's3cret-pw' });
        expect(await main(['alerts', 'list-silences'])).toBe(0);
      } finally {
        process.stderr.write = writeErr;
        process.stdout.write = writeOut;
      }
      expect(err.join('')).toBe(
        `yibao-monitor: NATS at ${nats.url} needs credentials (Authorization Violation): set YIBAO_NATS_USER and ` +
          'YIBAO_NATS_PASSWORD, or YIBAO_NATS_TOKEN, YIBAO_NATS_CREDS_FILE or YIBAO_NATS_NKEY_SEED_FILE [CONFIG_MISSING]\n',
      );
      expect(out.join('')).toMatch(/split_admission/);
    });
  });
});

describe('a NATS server with a token', () => {
  it('refuses a client without it and takes one with it', async () => {
    const nats = await server(['--auth', 'tok-0123456789']);
    expect(isMonitorError(await refused({ YIBAO_NATS_URL: nats.url }), 'CONFIG_MISSING')).toBe(true);
    const bad = await refused({ YIBAO_NATS_URL: nats.url, YIBAO_NATS_TOKEN: 'tok-wrong' });
    expect(bad.message).toMatch(/^NATS at \S+ refused the token of YIBAO_NATS_TOKEN \(/);
    expect(bad.message).not.toContain('tok-wrong');
    const bus = await openAlertBus({ YIBAO_NATS_URL: nats.url, YIBAO_NATS_TOKEN: 'tok-0123456789' });
    await bus.publisher.write(burst(2));
    expect(bus.stats().published).toBe(2);
    await bus.close(5_000);
  });
});

describe('a NATS server with an NKey user', () => {
  it('takes a client that signs with the seed in YIBAO_NATS_NKEY_SEED_FILE', async () => {
    const kp = nkeys.createUser();
    const conf = join(dir, 'nkey.conf');
    writeFileSync(conf, `authorization { users = [ { nkey: ${kp.getPublicKey()} } ] }\n`);
    const nats = await server(['-c', conf]);
    expect(isMonitorError(await refused({ YIBAO_NATS_URL: nats.url }), 'CONFIG_MISSING')).toBe(true);
    const seed = join(dir, 'monitor.nk');
    writeFileSync(seed, `${new TextDecoder().decode(kp.getSeed())}\n`);
    const bus = await openAlertBus({ YIBAO_NATS_URL: nats.url, YIBAO_NATS_NKEY_SEED_FILE: seed });
    await bus.publisher.write(burst(2));
    expect(bus.stats().published).toBe(2);
    await bus.close(5_000);
  });
});
