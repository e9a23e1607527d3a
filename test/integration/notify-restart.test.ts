// The dispatcher across a NATS restart with an empty store (issue 16: after it the channels went
// quiet for good, saying nothing). A private nats-server is killed (SIGKILL) and started again on
// the same port with an EMPTY store: the monitor's bus link re-creates ALERTS and puts back the
// alerts it had confirmed, the dispatcher re-creates its durable consumer and its send log, sends
// the new alerts once and the put-back ones not again, and silences still hold.
import { createServer, type Server } from 'node:http';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertBus, openAlertBus } from '../../processors/alerting/bus-link.ts';
import type { WebhookPayload } from '../../processors/alerting/channels/webhook.ts';
import { connectNats } from '../../processors/alerting/connect.ts';
import { type Notifier, startNotifier } from '../../processors/alerting/dispatcher.ts';
import { compileNotifyConfig } from '../../processors/alerting/routing.ts';
import { AlertState } from '../../processors/alerting/state.ts';
import { type PrivateNats, startPrivateNats } from '../support/private-nats.ts';
import { burst } from '../unit/alerting/fixtures.ts';

let nats: PrivateNats;
let receiver: Server;
let hookUrl = '';
const received: WebhookPayload[] = [];
let nc: NatsConnection | undefined;
let bus: AlertBus | undefined;
let notifier: Notifier | undefined;
const warnings: string[] = [];

beforeAll(async () => {
  nats = await startPrivateNats();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/webhook`;
});

afterAll(async () => {
  await notifier?.stop();
  await bus?.close(0);
  await nc?.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await nats?.stop();
});

/** The alert ids the webhook received, in order (one alert per notification here). */
const sentIds = () => received.flatMap((p) => p.alerts.map((a) => a.annotations.alert_id));

describe('the dispatcher across a NATS restart with an empty store', () => {
  it('re-creates its consumer and send log, sends the new alerts once and the put-back ones not again', async () => {
    const settings = { YIBAO_NATS_URL: nats.url };
    nc = await connectNats(settings, { name: 'yibao-notify-test', reconnect: true });
    bus = await openAlertBus(settings);
    const warn = (o: object, m: string) => warnings.push(`${m} ${JSON.stringify(o)}`);
    const noop = () => undefined;
    notifier = await startNotifier(
      nc,
      compileNotifyConfig({ channels: [{ name: 'ops', type: 'webhook', url: hookUrl }] }),
      {
        gatherMs: 100,
        silencesResyncMs: 500,
        retry: { initialMs: 100, maxMs: 1_000, jitter: 0 },
        logger: { debug: noop, info: noop, warn, error: warn },
      },
    );
    const alerts = burst(7);
    const state = await AlertState.open(nc);
    await state.silence({ subject: alerts[5]!.subject_code, forMs: 3_600_000, by: '张三', why: '误报' });

    await bus.publisher.write(alerts.slice(0, 3));
    await expect.poll(sentIds, { timeout: 10_000 }).toEqual(alerts.slice(0, 3).map((a) => a.alert_id));

    await nats.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    await nats.start({ emptyStore: true });
    // The silence set before is still known; one set after the restart lands in a bucket made anew.
    await bus.publisher.write(alerts.slice(3, 6));
    await (await AlertState.open(nc)).silence({
      subject: alerts[6]!.subject_code,
      forMs: 3_600_000,
      by: '张三',
      why: '误报',
    });
    await new Promise((r) => setTimeout(r, 1_500)); // the silences are read again every 500 ms
    await bus.publisher.write(alerts.slice(6));

    await expect.poll(() => notifier!.stats().ops!.silenced, { timeout: 40_000, interval: 250 }).toBe(2);
    // Each once, the put-back ones not again; in any order (two sends can overlap under load).
    await expect
      .poll(() => sentIds().sort(), { timeout: 5_000 })
      .toEqual(
        alerts
          .slice(0, 5)
          .map((a) => a.alert_id)
          .sort(),
      );
    // Counted once the webhook's answer is back, which can be just after the receiver saw it.
    await expect
      .poll(() => notifier!.stats().ops, { timeout: 5_000 })
      .toMatchObject({ messages: 5, duplicates: 3, failures: 0 });
    expect(bus.stats()).toMatchObject({ streams_recreated: 1, republished: 3 });
    expect(warnings.some((w) => w.startsWith('the bus consumer was gone'))).toBe(true);
  }, 90_000);
});
