import { describe, expect, it } from 'vitest';
import { compileNotifyConfig, routes } from '../../../processors/alerting/routing.ts';
import { isMonitorError } from '../../../schemas/errors.ts';
import { alert } from './fixtures.ts';

const ok = {
  grafana_url: 'https://grafana.example.cn',
  channels: [
    { name: 'ops', type: 'webhook', url: 'http://relay:9095/alerts' },
    {
      name: 'cd-wecom',
      type: 'wecom',
      url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k',
      min_severity: 'general',
      divisions: ['5101'],
    },
    {
      name: 'sc-ding',
      type: 'dingtalk',
      url: 'https://oapi.dingtalk.com/robot/send?access_token=t',
      secret: 'SECx',
      min_severity: 'key',
    },
  ],
};

function error(json: unknown): string {
  try {
    compileNotifyConfig(json, 'channels.json');
  } catch (err) {
    expect(isMonitorError(err, 'CONFIG_INVALID')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('the channels file', () => {
  it('compiles with defaults: every severity, every division, 20 messages a minute, from the start of the bus', () => {
    const c = compileNotifyConfig(ok);
    expect(c.channels[0]).toMatchObject({
      min_severity: 'info',
      rate_per_minute: 20,
      start: 'all',
      max_alerts: 0,
    });
    expect(c.channels[0]!.divisions).toBeUndefined();
    expect(c.channels[2]).toMatchObject({ type: 'dingtalk', secret: 'SECx', min_severity: 'key' });
  });

  it('names the channel and field that is wrong, never the secret', () => {
    expect(error({ channels: [{ ...ok.channels[2], secret: undefined }] })).toBe(
      'channels.json: channels[0].secret: a dingtalk channel needs its signing secret (SEC…)',
    );
    expect(error({ channels: [{ ...ok.channels[0], secret: 'hunter2' }] })).toBe(
      'channels.json: channels[0].secret: only dingtalk channels sign; webhook takes no secret',
    );
    expect(error({ channels: [{ ...ok.channels[0], url: 'ftp://x' }] })).toBe(
      'channels.json: channels[0].url: expected an http(s) URL',
    );
    expect(error({ channels: [{ ...ok.channels[0], name: 'has space' }] })).toMatch(
      /channels\[0\]\.name: expected 1–48/,
    );
    expect(error({ channels: [{ ...ok.channels[1], divisions: ['51x'] }] })).toMatch(
      /divisions\[0\]: expected a division code/,
    );
    expect(error({ channels: [ok.channels[0], ok.channels[0]] })).toBe(
      'channels.json: channels[1].name: channel name ops is used twice',
    );
    expect(error({ channels: [] })).toBe('channels.json: channels: expected at least one channel');
    expect(error({ ...ok, grafana: 'x' })).toMatch(/^channels\.json: .*grafana/);
    expect(error({ channels: [{ ...ok.channels[0], min_severity: 'critical' }] })).toMatch(
      /channels\[0\]\.min_severity/,
    );
  });
});

describe('routing', () => {
  const [ops, cdWecom, scDing] = compileNotifyConfig(ok).channels;

  it('a channel takes alerts at or above its minimum severity', () => {
    expect(routes(scDing!, alert({ severity: 'key' }))).toBe(true);
    expect(routes(scDing!, alert({ severity: 'general' }))).toBe(false);
    expect(routes(cdWecom!, alert({ severity: 'info' }))).toBe(false);
    expect(routes(ops!, alert({ severity: 'info' }))).toBe(true);
  });

  it('a channel with division prefixes takes only divisions under them, never alerts without a division', () => {
    expect(routes(cdWecom!, alert({ division: '510104' }))).toBe(true);
    expect(routes(cdWecom!, alert({ division: '510700' }))).toBe(false);
    expect(routes(cdWecom!, alert({ division: null }))).toBe(false);
    expect(routes(ops!, alert({ division: null }))).toBe(true);
  });
});
