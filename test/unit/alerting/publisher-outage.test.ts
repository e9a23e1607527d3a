// The bus publisher through an outage (issue 16: after a NATS restart with an empty store the
// monitor stalled for good), against a stand-in server that can go away, come back empty, and
// dedups by message id as JetStream does. The real nats-server is in
// test/integration/alert-bus-restart.test.ts.
import type { PubAck } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { AlertPublisher, type PublisherEvent } from '../../../processors/alerting/bus.ts';
import { isMonitorError } from '../../../schemas/errors.ts';
import { burst } from './fixtures.ts';

const named = (name: string) => Object.assign(new Error(`${name} (stand-in)`), { name });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A JetStream stand-in: up or away, with a stream that a restart without its store loses. */
function fakeServer() {
  let up = true;
  let stream: string[] | null = [];
  let generation = 1;
  const js = {
    publish: async (_subject: string, _data?: unknown, opts?: { msgID?: string }): Promise<PubAck> => {
      await pause(1);
      if (!up) throw named('TimeoutError');
      if (stream === null) throw named('JetStreamNotEnabled'); // no stream answers the subject
      const id = opts?.msgID ?? '';
      const duplicate = stream.includes(id);
      if (!duplicate) stream.push(id);
      return { stream: 'ALERTS', seq: stream.length, duplicate, domain: '' } as PubAck;
    },
  };
  return {
    js,
    ensures: 0,
    async ensureStream(this: { ensures: number }) {
      this.ensures++;
      await pause(1);
      if (!up) throw named('TimeoutError');
      if (stream === null) {
        stream = [];
        generation++;
      }
      return { created: `2025-03-04T00:00:0${generation}Z` };
    },
    down() {
      up = false;
    },
    /** Back, but with an empty store: the stream is gone. */
    backEmpty() {
      up = true;
      stream = null;
    },
    backWithStore() {
      up = true;
    },
    stored: () => stream ?? [],
  };
}

const ids = (n: number, from = 0) => burst(n + from).slice(from);
const msgIds = (alerts: readonly { alert_id: string }[]) => alerts.map((a) => `${a.alert_id}:firing`);
/** Cuts `stored` into consecutive phases of the given sizes; the middle ones sorted (order free). */
const inPhases = (stored: readonly string[], sizes: readonly number[]) => {
  expect(stored.length).toBe(sizes.reduce((a, b) => a + b, 0));
  let from = 0;
  return sizes.map((n, i) => {
    const phase = stored.slice(from, (from += n));
    return i === 0 || i === sizes.length - 1 ? phase : phase.sort();
  });
};
const FAST = { initialMs: 5, maxMs: 20, jitter: 0 };

function publisher(
  server: ReturnType<typeof fakeServer>,
  opts: ConstructorParameters<typeof AlertPublisher>[1] = {},
) {
  const events: PublisherEvent[] = [];
  const p = new AlertPublisher(server.js, {
    retry: FAST,
    ensureStream: () => server.ensureStream(),
    onEvent: (e) => events.push(e),
    ...opts,
  });
  return { p, events };
}

describe('AlertPublisher through an outage (issue 16)', () => {
  it('a server back with an empty store: the stream is re-created and every alert is in it once', async () => {
    const server = fakeServer();
    const { p, events } = publisher(server);
    const before = ids(5);
    const during = ids(3, 5);
    const after = ids(2, 8);
    await p.write(before);
    server.down();
    for (const a of during) await p.publish(a);
    await pause(30);
    const outage = p.stats().outage;
    expect(outage).toMatchObject({
      pending: 3,
      connected: true,
      last_error: 'TimeoutError: TimeoutError (stand-in)',
    });
    expect(Date.parse(outage!.since)).toBeLessThanOrEqual(Date.now());
    server.backEmpty(); // no reconnect event: the publish that finds no stream re-creates it
    await p.flush();
    await p.write(after);
    // The alerts the lost stream held come back first, then the ones that waited, then the new.
    // The waiting ones retry on their own timers, so their order among themselves is free (each
    // alert id is distinct; the order that matters is per identity, raise before resolve).
    expect(inPhases(server.stored(), [5, 3, 2])).toEqual([
      msgIds(before),
      msgIds(during).sort(),
      msgIds(after),
    ]);
    expect(p.stats()).toMatchObject({
      published: 10,
      duplicates: 0,
      republished: 5,
      streams_recreated: 1,
      outage: null,
    });
    expect(events.map((e) => e.kind)).toEqual(['outage', 'stream_recreated', 'recovered']);
    expect(events[1]).toMatchObject({ republish: 5, not_kept: 0 });
  });

  it('a server back with its store: nothing is published twice, the outage ends', async () => {
    const server = fakeServer();
    const { p } = publisher(server);
    await p.write(ids(2));
    server.down();
    await p.publish(ids(1, 2)[0]!);
    await pause(20);
    server.backWithStore();
    await p.flush();
    expect(server.stored()).toEqual(msgIds(ids(3)));
    expect(p.stats()).toMatchObject({ republished: 0, streams_recreated: 0, outage: null });
  });

  it('the connection events: lost starts the outage at once, restored retries at once (no 60 s backoff)', async () => {
    const server = fakeServer();
    const { p } = publisher(server, { retry: { initialMs: 60_000, maxMs: 60_000, jitter: 0 } });
    await p.write(ids(1));
    p.connectionLost('disconnected from nats://127.0.0.1:1');
    expect(p.stats().outage).toMatchObject({
      pending: 0,
      connected: false,
      last_error: 'Error: disconnected from nats://127.0.0.1:1',
    });
    server.down();
    await p.publish(ids(1, 1)[0]!);
    await pause(20); // its first attempt failed; the next is a minute away
    expect(p.stats().retries).toBe(1);
    server.backEmpty();
    const t0 = Date.now();
    p.connectionRestored();
    await p.flush();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(server.stored()).toEqual(msgIds(ids(2)));
    expect(p.stats()).toMatchObject({ reconnects: 1, streams_recreated: 1, outage: null });
  });

  it('while the bus is away, writes wait at maxInFlight: bounded memory, nothing dropped', async () => {
    const server = fakeServer();
    const { p } = publisher(server, { maxInFlight: 2 });
    server.down();
    const alerts = ids(5);
    let written = false;
    const w = p.write(alerts).then(() => (written = true));
    await pause(40);
    expect(written).toBe(false);
    expect(p.stats().in_flight).toBe(2);
    expect(p.stats().outage?.pending).toBe(2);
    server.backWithStore();
    await w;
    expect([...server.stored()].sort()).toEqual(msgIds(alerts).sort()); // retried concurrently
  });

  it('interrupt: a write waiting for a bus that is away throws, naming what is not confirmed', async () => {
    const server = fakeServer();
    const { p } = publisher(server, { maxInFlight: 2 });
    p.interrupt(); // with the bus up, a stop changes nothing: the last alerts still go out
    await p.write(ids(1));
    server.down();
    const w = p.write(ids(4, 1)).catch((e: unknown) => e);
    const err = await w;
    expect(isMonitorError(err, 'SINK_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toBe(
      'stopping while the alert bus is unavailable: 2 alerts not confirmed (last error: TimeoutError: TimeoutError (stand-in))',
    );
  });

  it('close during an outage returns within its bound and says how many alerts were not confirmed', async () => {
    const server = fakeServer();
    const { p } = publisher(server);
    await p.write(ids(2));
    server.down();
    for (const a of ids(3, 2)) await p.publish(a);
    const t0 = Date.now();
    const report = await p.close({ timeoutMs: 300 });
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1_000);
    expect(report).toEqual({ unconfirmed: 3, last_error: 'TimeoutError: TimeoutError (stand-in)' });
    await expect(p.flush()).rejects.toThrow(/^stopping while the alert bus is unavailable|TimeoutError/);
  });

  it('close with the bus up waits for the last acks and reports nothing unconfirmed', async () => {
    const server = fakeServer();
    const { p } = publisher(server);
    for (const a of ids(3)) await p.publish(a);
    expect(await p.close({ timeoutMs: 5_000 })).toEqual({ unconfirmed: 0, last_error: null });
    expect(server.stored()).toEqual(msgIds(ids(3)));
  });

  it('a re-created stream gets the last replayLimit confirmed alerts; older ones are counted, not lost silently', async () => {
    const server = fakeServer();
    const { p, events } = publisher(server, { replayLimit: 2 });
    await p.write(ids(5));
    server.backEmpty();
    await p.write(ids(1, 5));
    expect(server.stored()).toEqual(msgIds([...ids(2, 3), ...ids(1, 5)]));
    expect(events.find((e) => e.kind === 'stream_recreated')).toMatchObject({ republish: 2, not_kept: 3 });
  });
});
