/**
 * What each channel has already sent: key `<channel>.<alert_id>.<status>` in the KV bucket
 * `ALERT_SENDS`. The dispatcher records a send before it acknowledges the bus message and checks the
 * log before every send, so a restart (redelivery) or a replay past the stream's duplicate window
 * sends nothing twice. The one gap left: a crash between the HTTP answer and the record, a window of
 * one KV round trip, sends that notification again (at least once, never zero times).
 */
import { createHash } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Alert } from '../outputs.ts';
import { ALERT_STREAM_DEFAULTS, wrapNats } from './bus.ts';

export const SEND_LOG_BUCKET = 'ALERT_SENDS';

export interface SendLog {
  sent(channel: string, alert: Alert): Promise<boolean>;
  record(channel: string, alerts: readonly Alert[], sentAt: string): Promise<void>;
}

const SAFE = /^[-\w]+$/;

export function sendLogKey(channel: string, alert: Alert): string {
  const id = SAFE.test(alert.alert_id)
    ? alert.alert_id
    : `h-${createHash('sha256').update(alert.alert_id).digest('base64url').slice(0, 24)}`;
  return `${channel}.${id}.${alert.status}`;
}

export class KvSendLog implements SendLog {
  private constructor(readonly kv: KV) {}

  /**
   * Entries live a day longer than alerts stay on the bus, so any redelivery still finds its entry.
   */
  static async open(
    nats: NatsConnection | JetStreamClient,
    opts: { bucket?: string; ttlMs?: number } = {},
  ): Promise<KvSendLog> {
    const bucket = opts.bucket ?? SEND_LOG_BUCKET;
    try {
      const kv = await new Kvm(nats).create(bucket, {
        history: 1,
        ttl: opts.ttlMs ?? ALERT_STREAM_DEFAULTS.max_age_ms + 24 * 3_600_000,
        description: 'notifications sent: <channel>.<alert_id>.<status>',
      });
      return new KvSendLog(kv);
    } catch (err) {
      throw wrapNats(err, `cannot open the send log bucket ${bucket}`);
    }
  }

  async sent(channel: string, alert: Alert): Promise<boolean> {
    const e = await this.kv.get(sendLogKey(channel, alert));
    return e !== null && e.operation === 'PUT';
  }

  async record(channel: string, alerts: readonly Alert[], sentAt: string): Promise<void> {
    await Promise.all(
      alerts.map((a) =>
        this.kv.put(
          sendLogKey(channel, a),
          JSON.stringify({ channel, alert_id: a.alert_id, status: a.status, sent_at: sentAt }),
        ),
      ),
    );
  }

  async destroy(): Promise<void> {
    await this.kv.destroy();
  }
}

/** For tests and single-process dry runs. */
export class MemorySendLog implements SendLog {
  readonly entries = new Map<string, string>();

  async sent(channel: string, alert: Alert): Promise<boolean> {
    return this.entries.has(sendLogKey(channel, alert));
  }

  async record(channel: string, alerts: readonly Alert[], sentAt: string): Promise<void> {
    for (const a of alerts) this.entries.set(sendLogKey(channel, a), sentAt);
  }
}
