// The alerting commands' help and the errors they give before touching NATS. The commands against a
// real server are in test/integration/alert-bus.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../processors/cli/main.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
  return { out: () => out.join(''), err: () => err.join('') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('yibao-monitor alerts and notify', () => {
  it('alerts --help lists the subcommands', async () => {
    const io = capture();
    expect(await main(['alerts', '--help'])).toBe(0);
    for (const sub of ['ack', 'silence', 'list-silences', 'unsilence', 'publish'])
      expect(io.out()).toContain(sub);
    expect(io.out()).toContain('YIBAO_NATS_URL');
  });

  it('alerts silence --help shows the matchers, the duration forms and an example', async () => {
    const io = capture();
    expect(await main(['alerts', 'silence', '--help'])).toBe(0);
    for (const opt of [
      '--rule',
      '--division',
      '--subject',
      '--for <duration>',
      '--by <name>',
      '--why <text>',
    ])
      expect(io.out()).toContain(opt);
    expect(io.out()).toContain('30m, 2h, 1d, 1h30m');
    expect(io.out()).toContain('yibao-monitor alerts silence --rule off_hours_share');
  });

  it('alerts ack without --by is refused by the parser', async () => {
    const io = capture();
    expect(await main(['alerts', 'ack', 'alert-x'])).toBe(1);
    expect(io.err()).toContain("required option '--by <name>' not specified");
  });

  it('notify --help names the channels file and its fields', async () => {
    const io = capture();
    expect(await main(['notify', '--help'])).toBe(0);
    expect(io.out()).toContain('--channels <file>');
    expect(io.out()).toContain('webhook|wecom|dingtalk');
    expect(io.out()).toContain('--grafana-url <url>');
  });

  it('notify needs --channels or --alertmanager, and a bad Alertmanager URL is refused before NATS', async () => {
    const io = capture();
    expect(await main(['notify'])).toBe(2);
    expect(io.err()).toContain('notify needs --channels <file>');
    expect(io.err()).toContain('--alertmanager <url>');
    expect(await main(['notify', '--alertmanager', 'am:9093'])).toBe(2);
    expect(io.err()).toContain('alertmanager URL "am:9093": expected an http(s) URL');
    expect(await main(['notify', '--alertmanager', 'http://am:9093', '--alertmanager-resend', '0'])).toBe(2);
    expect(io.err()).toContain('--alertmanager-resend "0": expected seconds > 0');
  });

  it('notify with a bad channels file says which field, before connecting to NATS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yibao-notify-'));
    try {
      const file = join(dir, 'channels.json');
      writeFileSync(
        file,
        JSON.stringify({
          channels: [{ name: 'dd', type: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send' }],
        }),
      );
      const io = capture();
      expect(await main(['notify', '--channels', file])).toBe(2);
      expect(io.err()).toBe(
        `yibao-monitor: ${file}: channels[0].secret: a dingtalk channel needs its signing secret (SEC…) [CONFIG_INVALID]\n`,
      );
      expect(await main(['notify', '--channels', join(dir, 'missing.json')])).toBe(2);
      expect(io.err()).toContain('cannot read the channels file');
      expect(io.err()).toContain('[INPUT_UNREADABLE]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
