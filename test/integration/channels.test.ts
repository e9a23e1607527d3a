// The dispatcher end to end: alerts on the real JetStream bus → one durable consumer per channel →
// a local HTTP receiver standing in for the Alertmanager webhook, the WeCom robot and the DingTalk
// robot. Rate limits run on a manual clock (no waiting a minute); streams, consumers and buckets are
// unique to each test and deleted at the end.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AlertPublisher, ensureAlertStream } from '../../processors/alerting/bus.ts';
import type { WebhookPayload } from '../../processors/alerting/channels/webhook.ts';
import { alertFingerprint, NO_END } from '../../processors/alerting/channels/webhook.ts';
import { type Clock, ManualClock } from '../../processors/alerting/clock.ts';
import {
  type Notifier,
  type NotifierOptions,
  notifyDurable,
  startNotifier,
} from '../../processors/alerting/dispatcher.ts';
import { compileNotifyConfig } from '../../processors/alerting/routing.ts';
import { KvSendLog } from '../../processors/alerting/send-log.ts';
import { AlertState } from '../../processors/alerting/state.ts';
import type { Alert } from '../../processors/outputs.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import { alert, burst } from '../unit/alerting/fixtures.ts';

const ROBOT_OK = JSON.stringify({ errcode: 0, errmsg: 'ok' });
const SECRET = 'SECintegration-test-secret';
const GRAFANA = 'https://grafana.example.cn';

type Received = { path: string; query: URLSearchParams; body: unknown; at: number };
type Reply = { status: number; body?: string; headers?: Record<string, string> };

/** A local HTTP server: records every request, answers from `script` first, then 200 with errcode 0. */
async function startReceiver() {
  const received: Received[] = [];
  const script: Reply[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      received.push({
        path: url.pathname,
        query: url.searchParams,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        at: Date.now(),
      });
      const r = script.shift() ?? { status: 200, body: ROBOT_OK };
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
      res.end(r.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script,
    at: (path: string) => received.filter((r) => r.path === path),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let nats: TestNats;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const running: Notifier[] = [];
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  nats = await startNats();
  receiver = await startReceiver();
});

afterEach(async () => {
  for (const n of running.splice(0)) await n.stop();
  receiver.received.length = 0;
  receiver.script.length = 0;
});

afterAll(async () => {
  for (const c of cleanup) await c().catch(() => undefined);
  await receiver?.close();
  await nats?.stop();
});

/** A bus of its own for one test: stream, subject prefix, send log and state buckets. */
async function bus(tag: string) {
  const stream = nats.uniqueName(`ALERTS_${tag}`);
  const subjectPrefix = `it_${stream.toLowerCase()}`;
  await ensureAlertStream(nats.jsm, { name: stream, subjects: [`${subjectPrefix}.>`] });
  cleanup.push(() => nats.jsm.streams.delete(stream));
  const opts = {
    stream,
    subjectPrefix,
    sendLogBucket: nats.uniqueName('SENDS'),
    acksBucket: nats.uniqueName('ACKS'),
    silencesBucket: nats.uniqueName('SILENCES'),
  };
  cleanup.push(async () => (await KvSendLog.open(nats.nc, { bucket: opts.sendLogBucket })).destroy());
  cleanup.push(async () =>
    (
      await AlertState.open(nats.nc, { acksBucket: opts.acksBucket, silencesBucket: opts.silencesBucket })
    ).destroy(),
  );
  const publisher = new AlertPublisher(jetstream(nats.nc), { prefix: subjectPrefix });
  return {
    ...opts,
    publish: async (alerts: readonly Alert[]) => {
      await publisher.write(alerts);
      return { ...publisher.totals };
    },
    messages: async () => (await nats.jsm.streams.info(stream)).state.messages,
    start: async (channels: unknown, more: Partial<NotifierOptions> & { clock?: Clock } = {}) => {
      const n = await startNotifier(nats.nc, compileNotifyConfig(channels), {
        ...opts,
        ackWaitMs: 2_000,
        gatherMs: 300,
        retry: { initialMs: 50, maxMs: 400, jitter: 0 },
        message: { grafanaUrl: GRAFANA },
        ...more,
      });
      running.push(n);
      return n;
    },
  };
}

const webhook = (over: object = {}) => ({
  name: 'ops',
  type: 'webhook',
  url: `${receiver.url}/webhook`,
  ...over,
});
const wecom = (over: object = {}) => ({
  name: 'wx',
  type: 'wecom',
  url: `${receiver.url}/wecom?key=k1`,
  ...over,
});
const dingtalk = (over: object = {}) => ({
  name: 'dd',
  type: 'dingtalk',
  url: `${receiver.url}/dingtalk?access_token=t1`,
  secret: SECRET,
  ...over,
});

async function settled(n: Notifier, b: { stream: string }): Promise<void> {
  for (const c of n.channels) {
    await expect
      .poll(
        async () => {
          const ci = await nats.jsm.consumers.info(b.stream, notifyDurable(c.name));
          return { pending: ci.num_pending, ackPending: ci.num_ack_pending };
        },
        { timeout: 10_000, interval: 100 },
      )
      .toEqual({ pending: 0, ackPending: 0 });
  }
}

describe('alerts from the bus to the channels', () => {
  it('a replayed burst is stored once; each channel sends what its routing takes, silences respected', async () => {
    const b = await bus('all');
    const alerts = burst(6); // key, general, info, key, general, info
    expect(await b.publish(alerts)).toMatchObject({ published: 6, duplicates: 0 });
    expect(await b.publish(alerts)).toMatchObject({ published: 6, duplicates: 6 }); // the replay
    expect(await b.messages()).toBe(6);

    const state = await AlertState.open(nats.nc, {
      acksBucket: b.acksBucket,
      silencesBucket: b.silencesBucket,
    });
    await state.silence({
      subject: alerts[5]!.subject_code,
      forMs: 3_600_000,
      by: '张三',
      why: '已核实为误报',
    });

    const n = await b.start({
      channels: [
        webhook(),
        wecom({ min_severity: 'general', divisions: ['5101'] }),
        dingtalk({ min_severity: 'key' }),
      ],
    });
    await settled(n, b);

    const hooks = receiver.at('/webhook');
    expect(hooks).toHaveLength(5);
    for (const h of hooks) {
      const p = h.body as WebhookPayload;
      expect(p).toMatchObject({ version: '4', status: 'firing', receiver: 'ops', externalURL: GRAFANA });
      expect(p.alerts).toHaveLength(1);
      expect(p.alerts[0]!.endsAt).toBe(NO_END);
    }
    expect(hooks.map((h) => (h.body as WebhookPayload).alerts[0]!.annotations.alert_id).sort()).toEqual(
      alerts.slice(0, 5).map((a) => a.alert_id),
    );

    const wx = receiver.at('/wecom');
    expect(wx).toHaveLength(4);
    for (const w of wx) {
      expect(w.query.get('key')).toBe('k1');
      const body = w.body as { msgtype: string; markdown: { content: string } };
      expect(body.msgtype).toBe('markdown');
      expect(Buffer.byteLength(body.markdown.content)).toBeLessThanOrEqual(4096);
      expect(body.markdown.content).toContain(`${GRAFANA}/d/yibao-institution?var-institution=H510104`);
    }

    const dd = receiver.at('/dingtalk');
    expect(dd).toHaveLength(2);
    for (const d of dd) {
      const ts = d.query.get('timestamp')!;
      expect(Math.abs(Number(ts) - Date.now())).toBeLessThan(60_000);
      expect(d.query.get('access_token')).toBe('t1');
      expect(d.query.get('sign')).toBe(
        createHmac('sha256', SECRET).update(`${ts}\n${SECRET}`).digest('base64'),
      );
      expect(d.body).toMatchObject({
        msgtype: 'markdown',
        markdown: { title: expect.stringMatching(/^【重点预警】/) },
      });
    }

    expect(n.stats()).toMatchObject({
      ops: { messages: 5, alerts: 5, silenced: 1, filtered: 0, summaries: 0 },
      wx: { messages: 4, filtered: 2, silenced: 0 },
      dd: { messages: 2, filtered: 4 },
    });
  });

  it('25 alerts in a burst: 20 messages in the first minute, the last a summary of the other 6; later alerts wait for the window', async () => {
    const b = await bus('rate');
    const clock = new ManualClock();
    await b.publish(burst(25));
    const n = await b.start({ channels: [wecom()] }, { clock, gatherMs: 600 });
    await settled(n, b);

    const wx = receiver.at('/wecom');
    expect(wx.length).toBeLessThanOrEqual(20);
    expect(wx).toHaveLength(20);
    const contents = wx.map((w) => (w.body as { markdown: { content: string } }).markdown.content);
    const summaries = contents.filter((c) => /^### \d+ 条新预警/.test(c));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatch(/^### 6 条新预警：6 提示/);
    expect(summaries[0]!.split('\n').filter((l) => l.startsWith('- 【提示】'))).toHaveLength(6);
    expect(n.stats().wx).toMatchObject({ messages: 20, summaries: 1, alerts: 25, folded: 6 });

    // Three more within the same minute: no token left, nothing goes out until the window moves.
    await b.publish(burst(28).slice(25));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(receiver.at('/wecom')).toHaveLength(20);
    clock.advance(60_000);
    await settled(n, b);
    expect(receiver.at('/wecom')).toHaveLength(23);
    expect(n.stats().wx).toMatchObject({ messages: 23, alerts: 28 });
  });

  it('a resolve follows its raise with endsAt set and the same fingerprint', async () => {
    const b = await bus('resolve');
    const n = await b.start({ channels: [webhook(), wecom()] });
    const firing = alert({ alert_id: 'alert-res-firing' });
    await b.publish([firing]);
    await expect.poll(() => receiver.at('/webhook').length, { timeout: 10_000 }).toBe(1);
    const resolved = alert({
      alert_id: 'alert-res-resolved',
      status: 'resolved',
      raised_at: '2025-03-05T10:00:00+08:00',
    });
    await b.publish([resolved]);
    await settled(n, b);

    const [raise, resolve] = receiver.at('/webhook').map((h) => h.body as WebhookPayload);
    expect(raise!.status).toBe('firing');
    expect(resolve!.status).toBe('resolved');
    expect(resolve!.alerts[0]).toMatchObject({ status: 'resolved', endsAt: '2025-03-05T02:00:00.000Z' });
    expect(resolve!.alerts[0]!.fingerprint).toBe(raise!.alerts[0]!.fingerprint);
    expect(raise!.alerts[0]!.fingerprint).toBe(alertFingerprint(firing));
    const wx = receiver
      .at('/wecom')
      .map((w) => (w.body as { markdown: { content: string } }).markdown.content);
    expect(wx[1]).toMatch(/^### 【已解除】/);
  });
});

describe('failures and restarts', () => {
  it('a 500 is retried with backoff and the alert goes out once', async () => {
    const b = await bus('retry500');
    receiver.script.push({ status: 500, body: 'upstream down' });
    const n = await b.start({ channels: [webhook()] });
    await b.publish([alert({ alert_id: 'alert-retry-1' })]);
    await settled(n, b);
    const hooks = receiver.at('/webhook');
    expect(hooks).toHaveLength(2);
    expect(hooks[1]!.body).toEqual(hooks[0]!.body);
    expect(n.stats().ops).toMatchObject({ messages: 1, attempts: 2, retries: 1, failures: 0 });
  });

  it('a 429 is honoured: the next attempt waits for Retry-After', async () => {
    const b = await bus('retry429');
    receiver.script.push({ status: 429, headers: { 'retry-after': '1' } });
    const n = await b.start({ channels: [webhook()] });
    await b.publish([alert({ alert_id: 'alert-retry-2' })]);
    await settled(n, b);
    const [first, second] = receiver.at('/webhook');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(n.stats().ops).toMatchObject({ messages: 1, retries: 1 });
  });

  it('a request the robot refuses is handed back to the bus and sent when it is accepted', async () => {
    const b = await bus('refused');
    receiver.script.push({
      status: 200,
      body: JSON.stringify({ errcode: 93000, errmsg: 'invalid webhook url' }),
    });
    const n = await b.start({ channels: [wecom()] }, { failedRedeliveryMs: 500 });
    await b.publish([alert({ alert_id: 'alert-refused' })]);
    await settled(n, b);
    expect(receiver.at('/wecom')).toHaveLength(2);
    expect(n.stats().wx).toMatchObject({ messages: 1, failures: 1, attempts: 2 });
  });

  it('a restart on the same durable sends nothing twice', async () => {
    const b = await bus('restart');
    const channels = { channels: [webhook()] };
    const first = await b.start(channels);
    await b.publish(burst(5));
    await settled(first, b);
    await first.stop();
    expect(receiver.at('/webhook')).toHaveLength(5);

    await b.publish([...burst(5), ...burst(8).slice(5)]); // a replay of the 5, and 3 new
    const second = await b.start(channels);
    await settled(second, b);
    await new Promise((r) => setTimeout(r, 2_500)); // past the ack wait: nothing comes back
    const ids = receiver
      .at('/webhook')
      .map((h) => (h.body as WebhookPayload).alerts[0]!.annotations.alert_id);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
    expect(second.stats().ops).toMatchObject({ messages: 3 });
  });

  it('a crash after the send and before the ack: the next dispatcher finds the send in the log and does not repeat it', async () => {
    const b = await bus('crash');
    const channels = { channels: [webhook()] };
    let crashes = 0;
    const crashing = await b.start(channels, {
      beforeAck: () => {
        crashes++;
        throw new Error('crash between the send log and the ack');
      },
    });
    await b.publish(burst(4));
    await expect(crashing.done).rejects.toThrow('crash between the send log and the ack');
    expect(crashes).toBe(1);
    expect(receiver.at('/webhook')).toHaveLength(1);
    await crashing.stop();

    const next = await b.start(channels);
    await settled(next, b);
    const ids = receiver
      .at('/webhook')
      .map((h) => (h.body as WebhookPayload).alerts[0]!.annotations.alert_id);
    expect(ids.sort()).toEqual(burst(4).map((a) => a.alert_id));
    expect(next.stats().ops).toMatchObject({ messages: 3, duplicates: 1 });
  });
});
