// The alert bus after a NATS restart with an empty store (issue 16: reading stopped for good at
// 13,351 records, the monitor never re-created ALERTS and said nothing). A private nats-server on a
// free port is killed (SIGKILL) mid-stream and started again on the same port with an EMPTY store
// directory: the monitor's bus link re-creates the stream, puts back the alerts the lost stream
// held, delivers those that waited, and every alert is in the stream exactly once. A close while
// the server is away returns within its bound and says how many alerts were not confirmed.
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_STREAM } from '../../processors/alerting/bus.ts';
import {
  type AlertBus,
  describeBusClose,
  describeBusOutage,
  openAlertBus,
} from '../../processors/alerting/bus-link.ts';
import type { Alert } from '../../processors/outputs.ts';
import { type PrivateNats, startPrivateNats } from '../support/private-nats.ts';
import { burst } from '../unit/alerting/fixtures.ts';

let nats: PrivateNats;
let bus: AlertBus | undefined;
const lines: string[] = [];

beforeAll(async () => {
  nats = await startPrivateNats();
});

afterAll(async () => {
  await bus?.close(0).catch(() => undefined);
  await nats?.stop();
});

/** The message ids the server's stream ALERTS holds, in stream order. */
async function storedIds(): Promise<string[]> {
  const nc = await connect({ servers: nats.url, timeout: 3_000 });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(ALERT_STREAM);
    const ids: string[] = [];
    for (let seq = info.state.first_seq; info.state.messages > 0 && seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(ALERT_STREAM, { seq });
      if (m) ids.push(m.header.get('Nats-Msg-Id'));
    }
    return ids;
  } finally {
    await nc.close();
  }
}

const msgIds = (alerts: readonly Alert[]) => alerts.map((a) => `${a.alert_id}:${a.status}`);

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms)
      throw new Error(`${what}: not within ${ms} ms; stats ${JSON.stringify(bus?.stats())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the alert bus across a NATS restart with an empty store', () => {
  const all = burst(40);
  const before = all.slice(0, 20);
  const during = all.slice(20, 30);
  const after = all.slice(30, 40);

  it('re-creates ALERTS, and every alert published before, during and after is in it exactly once', async () => {
    bus = await openAlertBus({ YIBAO_NATS_URL: nats.url }, { onEvent: (l) => lines.push(l) });
    await bus.publisher.write(before);
    expect(await storedIds()).toEqual(msgIds(before));

    await nats.kill('SIGKILL');
    // Handed over while the server is away: retried, held (bounded), not dropped.
    for (const a of during) await bus.publisher.publish(a);
    await until('the outage shows', () => bus!.stats().outage?.connected === false);
    const outage = bus.stats().outage!;
    expect(outage.pending).toBe(10);
    expect(describeBusOutage(bus.stats())).toMatch(
      /^ALERT BUS DOWN since \S+: 10 alerts waiting, reading paused/,
    );

    await nats.start({ emptyStore: true });
    await bus.publisher.write(after);
    await bus.publisher.flush();

    const ids = await storedIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(msgIds(all).sort());
    // The lost stream's alerts are put back before the ones that waited, and those before the new.
    expect(ids.slice(0, 20)).toEqual(msgIds(before));
    const s = bus.stats();
    expect(s).toMatchObject({ streams_recreated: 1, republished: 20, outage: null, connected: true });
    expect(s.reconnects).toBeGreaterThanOrEqual(1);
    expect(s.published + s.duplicates).toBe(40);
    expect(lines.some((l) => l.startsWith('alert bus unavailable since '))).toBe(true);
    expect(lines).toContain(
      'alert bus: the stream ALERTS was gone (server restarted without its store) and is re-created; 20 alerts confirmed before are published again',
    );
  }, 60_000);

  it('a close while the server is away returns within its bound and names the unconfirmed alerts', async () => {
    await nats.kill('SIGKILL');
    const waiting = burst(5, { status: 'resolved' });
    for (const a of waiting) await bus!.publisher.publish(a);
    const t0 = Date.now();
    const report = await bus!.close(1_500);
    const took = Date.now() - t0;
    bus = undefined;
    expect(took).toBeGreaterThanOrEqual(1_400);
    // The bound, plus at most the connection's own close bound (2 s).
    expect(took).toBeLessThan(4_000);
    expect(report.unconfirmed).toBe(5);
    expect(describeBusClose(report)).toMatch(
      /^alert bus: 5 alerts not confirmed by the server within 1.5 s \(last error: .+\); they are in alerts\.jsonl/,
    );
    await nats.start();
  }, 30_000);
});
