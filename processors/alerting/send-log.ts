/**
 * What each channel has already sent: key `<channel>.<alert_id>.<status>` in the KV bucket
 * `ALERT_SENDS`. The dispatcher records a send before it acknowledges the bus message and checks the
 * log before every send, so a restart (redelivery) or a replay past the stream's duplicate window
 * sends nothing twice. The one gap left: a crash between the HTTP answer and the record, a window of
 * one KV round trip, sends that notification again (at least once, never zero times).
 *
 * A server restarted without its store has lost the bucket: it is created again, empty, and the
 * sends this process made (the last 20 000) are still known from memory, so the alerts the monitor
 * puts back on the re-created stream are not notified twice.
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

/** Sends remembered in memory besides the bucket: a server that lost its store lost the log too. */
const RECENT_SENDS = 20_000;

/**
 * The bucket's stream may be gone (a server restarted without its store): a read of a missing
 * bucket times out (its direct-get subject has no responder) or says the stream is not found.
 */
function bucketMaybeMissing(err: unknown): boolean {
  return (
    err instanceof Error &&
    (/^(TimeoutError|StreamNotFoundError|NoRespondersError|NoResponders|JetStreamNotEnabled)$/.test(
      err.name,
    ) ||
      /stream not found|no responders/i.test(err.message))
  );
}

export class KvSendLog implements SendLog {
  /** Keys sent by this process, newest last, at most RECENT_SENDS. */
  readonly #recent = new Set<string>();

  private constructor(
    private kv: KV,
    private readonly reopen: () => Promise<KV>,
  ) {}

  /**
   * Entries live a day longer than alerts stay on the bus, so any redelivery still finds its entry.
   */
  static async open(
    nats: NatsConnection | JetStreamClient,
    opts: { bucket?: string; ttlMs?: number } = {},
  ): Promise<KvSendLog> {
    const bucket = opts.bucket ?? SEND_LOG_BUCKET;
    const create = async () => {
      try {
        return await new Kvm(nats).create(bucket, {
          history: 1,
          ttl: opts.ttlMs ?? ALERT_STREAM_DEFAULTS.max_age_ms + 24 * 3_600_000,
          description: 'notifications sent: <channel>.<alert_id>.<status>',
        });
      } catch (err) {
        throw wrapNats(err, `cannot open the send log bucket ${bucket}`);
      }
    };
    return new KvSendLog(await create(), create);
  }

  async sent(channel: string, alert: Alert): Promise<boolean> {
    const key = sendLogKey(channel, alert);
    if (this.#recent.has(key)) return true;
    const e = await this.#withBucket((kv) => kv.get(key));
    return e !== null && e.operation === 'PUT';
  }

  async record(channel: string, alerts: readonly Alert[], sentAt: string): Promise<void> {
    for (const a of alerts) this.#remember(sendLogKey(channel, a));
    await this.#withBucket((kv) =>
      Promise.all(
        alerts.map((a) =>
          kv.put(
            sendLogKey(channel, a),
            JSON.stringify({ channel, alert_id: a.alert_id, status: a.status, sent_at: sentAt }),
          ),
        ),
      ),
    );
  }

  async destroy(): Promise<void> {
    await this.kv.destroy();
  }

  #remember(key: string): void {
    this.#recent.delete(key);
    this.#recent.add(key);
    if (this.#recent.size > RECENT_SENDS) this.#recent.delete(this.#recent.values().next().value!);
  }

  /**
   * After a failure that a missing bucket gives, the bucket is opened again (created, empty, when it
   * is gone; as it is otherwise) and the operation tried once more.
   */
  async #withBucket<T>(op: (kv: KV) => Promise<T>): Promise<T> {
    try {
      return await op(this.kv);
    } catch (err) {
      if (!bucketMaybeMissing(err)) throw err;
      try {
        this.kv = await this.reopen();
      } catch {
        throw err; // the server is not ready for it yet: the caller retries with the first error
      }
      return await op(this.kv);
    }
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
