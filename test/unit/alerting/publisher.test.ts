// The bus publisher against a stand-in for js.publish: backpressure, retry with backoff while NATS
// is unavailable, order per alert identity, and failures that surface at flush. The real server is
// in test/integration/alert-bus.test.ts.
import type { PubAck } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { AlertPublisher } from '../../../processors/alerting/bus.ts';
import { decodeAlert } from '../../../processors/alerting/codec.ts';
import { isMonitorError } from '../../../schemas/errors.ts';
import { alert, burst } from './fixtures.ts';

type Call = {
  subject: string;
  msgID: string;
  status: string;
  resolve: (ack: PubAck) => void;
  reject: (e: Error) => void;
};

function fakeJs() {
  const calls: Call[] = [];
  const seen = new Set<string>();
  let seq = 0;
  const js = {
    publish: (subject: string, data?: unknown, opts?: { msgID?: string }) =>
      new Promise<PubAck>((resolve, reject) => {
        const d = decodeAlert(data as Uint8Array);
        calls.push({
          subject,
          msgID: opts?.msgID ?? '',
          status: d.ok ? d.alert.status : '?',
          resolve,
          reject,
        });
      }),
  };
  const ackNext = (i: number) => {
    const c = calls[i]!;
    const duplicate = seen.has(c.msgID);
    seen.add(c.msgID);
    c.resolve({ stream: 'ALERTS', seq: duplicate ? 1 : ++seq, duplicate, domain: '' } as PubAck);
  };
  return { js, calls, ackNext };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const named = (name: string) => Object.assign(new Error(name), { name });

describe('AlertPublisher', () => {
  it('publish waits for room when maxInFlight publishes await their ack (backpressure)', async () => {
    const { js, calls, ackNext } = fakeJs();
    const p = new AlertPublisher(js, { maxInFlight: 2 });
    const alerts = burst(3);
    await p.publish(alerts[0]!);
    await p.publish(alerts[1]!);
    let third = false;
    const t = p.publish(alerts[2]!).then(() => (third = true));
    await tick();
    expect(third).toBe(false);
    expect(p.inFlight).toBe(2);
    ackNext(0);
    await t;
    expect(third).toBe(true);
    await tick();
    ackNext(1);
    ackNext(2);
    expect(await p.flush()).toEqual({ published: 3, duplicates: 0, retries: 0 });
    expect(calls.map((c) => c.msgID)).toEqual(alerts.map((a) => `${a.alert_id}:firing`));
  });

  it('retries with backoff while NATS answers with timeouts or no responders, then succeeds', async () => {
    const { js, calls, ackNext } = fakeJs();
    const retries: number[] = [];
    const p = new AlertPublisher(js, {
      retry: { initialMs: 5, maxMs: 20, jitter: 0 },
      onRetry: (r) => retries.push(r.delayMs),
    });
    await p.publish(alert());
    await tick();
    calls[0]!.reject(named('TimeoutError'));
    await new Promise((r) => setTimeout(r, 20));
    calls[1]!.reject(named('JetStreamNotEnabled'));
    await new Promise((r) => setTimeout(r, 30));
    ackNext(2);
    expect(await p.flush()).toEqual({ published: 1, duplicates: 0, retries: 2 });
    expect(retries).toEqual([5, 10]);
  });

  it('a republished alert counts as a duplicate, not as published', async () => {
    const { js, ackNext } = fakeJs();
    const p = new AlertPublisher(js);
    await p.publish(alert());
    await tick();
    ackNext(0);
    await p.publish(alert());
    await tick();
    ackNext(1);
    expect(await p.flush()).toEqual({ published: 1, duplicates: 1, retries: 0 });
  });

  it('the resolve of an alert waits for its raise, even when the raise is retried', async () => {
    const { js, calls, ackNext } = fakeJs();
    const p = new AlertPublisher(js, { retry: { initialMs: 5, jitter: 0 } });
    await p.publish(alert());
    await p.publish(alert({ alert_id: 'alert-res', status: 'resolved' }));
    await p.publish(alert({ alert_id: 'alert-other', subject_code: 'H51010400002' }));
    await tick();
    expect(calls.map((c) => c.status)).toEqual(['firing', 'firing']); // the resolve is not sent yet
    calls[0]!.reject(named('TimeoutError'));
    await new Promise((r) => setTimeout(r, 15));
    ackNext(1);
    ackNext(2);
    await tick();
    expect(calls.map((c) => c.status)).toEqual(['firing', 'firing', 'firing', 'resolved']);
    ackNext(3);
    expect((await p.flush()).published).toBe(3);
  });

  it('a failure that retrying cannot fix surfaces at flush and refuses further publishes', async () => {
    const { js, calls } = fakeJs();
    const p = new AlertPublisher(js);
    await p.publish(alert());
    await tick();
    calls[0]!.reject(named('ClosedConnectionError'));
    const err = await p.flush().catch((e: unknown) => e);
    expect(isMonitorError(err, 'SINK_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toBe(
      'cannot publish alert alert-AbC123_xyz-0000001 to the alert bus: ClosedConnectionError: ClosedConnectionError',
    );
    await expect(p.publish(alert())).rejects.toBe(err);
  });

  it('retries stop after maxAttempts, and at close', async () => {
    const { js, calls } = fakeJs();
    const p = new AlertPublisher(js, { retry: { initialMs: 1, jitter: 0, maxAttempts: 2 } });
    await p.publish(alert());
    await tick();
    calls[0]!.reject(named('TimeoutError'));
    await new Promise((r) => setTimeout(r, 10));
    calls[1]!.reject(named('TimeoutError'));
    await expect(p.flush()).rejects.toThrow(/TimeoutError/);

    const q = fakeJs();
    const p2 = new AlertPublisher(q.js, { retry: { initialMs: 60_000, jitter: 0 } });
    await p2.publish(alert());
    await tick();
    q.calls[0]!.reject(named('TimeoutError'));
    await tick();
    await p2.close();
    await expect(p2.flush()).rejects.toThrow(/TimeoutError/);
  });
});
