/**
 * The alert bus (ARCHITECTURE.md): stream `ALERTS`, subjects `alerts.<division>.<severity>.<rule>`,
 * server-side dedup by message id. A replay after a crash republishes the same alerts with the same
 * ids, and the stream stores none of them twice (within its duplicate window; the dispatcher's send
 * log covers the channels beyond it).
 */
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { MonitorError } from '../../schemas/errors.ts';
import type { Alert } from '../outputs.ts';
import { type Clock, systemClock } from './clock.ts';
import { encodeAlert } from './codec.ts';
import { backoffDelay, compileRetryPolicy, isRetriableNatsError, type RetryPolicy } from './retry.ts';
import { ALERT_SUBJECT_PREFIX, alertMsgId, alertSubject } from './subjects.ts';

export const ALERT_STREAM = 'ALERTS';
const HOUR_MS = 3_600_000;

export type AlertStreamOptions = {
  readonly name?: string;
  readonly subjects?: readonly string[];
  /** How long the server remembers message ids (ms). Long enough to cover a replay after a crash. */
  readonly duplicate_window_ms?: number;
  /** How long alerts stay on the bus (ms); the send log must outlive it (send-log.ts). */
  readonly max_age_ms?: number;
};

export const ALERT_STREAM_DEFAULTS = Object.freeze({
  name: ALERT_STREAM,
  subjects: [`${ALERT_SUBJECT_PREFIX}.>`],
  duplicate_window_ms: 24 * HOUR_MS,
  max_age_ms: 30 * 24 * HOUR_MS,
});

function isNotFound(err: unknown): boolean {
  return err instanceof Error && (err.name === 'StreamNotFoundError' || err.name === 'ConsumerNotFoundError');
}

/**
 * Creates the stream when missing (defaults for what `opts` leaves out). An existing stream is
 * brought to the subjects and windows `opts` names, and otherwise left as its operator set it.
 */
export async function ensureAlertStream(
  jsm: JetStreamManager,
  opts: AlertStreamOptions = {},
): Promise<StreamInfo> {
  const o = { ...ALERT_STREAM_DEFAULTS, ...opts };
  if (!(o.duplicate_window_ms > 0) || !(o.max_age_ms >= o.duplicate_window_ms)) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `alert stream ${o.name}: duplicate_window_ms=${o.duplicate_window_ms} and max_age_ms=${o.max_age_ms}: ` +
        'expected 0 < duplicate_window_ms ≤ max_age_ms',
      { stream: o.name },
    );
  }
  const wanted: Partial<StreamConfig> = {
    subjects: [...o.subjects],
    duplicate_window: nanos(o.duplicate_window_ms),
    max_age: nanos(o.max_age_ms),
  };
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(o.name);
  } catch (err) {
    if (!isNotFound(err)) throw wrapNats(err, `cannot read alert stream ${o.name}`);
    return await jsm.streams.add({ name: o.name, ...wanted });
  }
  const c = info.config;
  const change: Partial<StreamConfig> = {
    ...(opts.subjects &&
      JSON.stringify(c.subjects) !== JSON.stringify(wanted.subjects) && { subjects: wanted.subjects }),
    ...(opts.duplicate_window_ms !== undefined &&
      c.duplicate_window !== wanted.duplicate_window && { duplicate_window: wanted.duplicate_window }),
    ...(opts.max_age_ms !== undefined && c.max_age !== wanted.max_age && { max_age: wanted.max_age }),
  };
  return Object.keys(change).length === 0 ? info : await jsm.streams.update(o.name, change);
}

/**
 * A durable pull consumer with explicit acks, created when missing. An existing one is used as it is
 * (changing a durable's filter under a running dispatcher would skip or repeat messages).
 */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  stream: string,
  cfg: {
    durable: string;
    filter_subjects?: readonly string[];
    ack_wait_ms?: number;
    deliver?: 'all' | 'new';
    max_ack_pending?: number;
  },
): Promise<ConsumerInfo> {
  try {
    return await jsm.consumers.info(stream, cfg.durable);
  } catch (err) {
    if (!isNotFound(err)) throw wrapNats(err, `cannot read consumer ${cfg.durable} of ${stream}`);
  }
  const filters = cfg.filter_subjects ?? [];
  const config: Partial<ConsumerConfig> = {
    durable_name: cfg.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: cfg.deliver === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
    ack_wait: nanos(cfg.ack_wait_ms ?? 60_000),
    max_ack_pending: cfg.max_ack_pending ?? 1_000,
    // One filter works on every server; several need nats-server 2.10 (filter_subjects).
    ...(filters.length === 1 && { filter_subject: filters[0] }),
    ...(filters.length > 1 && { filter_subjects: [...filters] }),
  };
  return await jsm.consumers.add(stream, config);
}

export type PublishResult = { readonly subject: string; readonly seq: number; readonly duplicate: boolean };

type Publishing = Pick<JetStreamClient, 'publish'>;

/** One publish, no retry: the subject of the alert, msgID = alert_id + status. */
export async function publishAlert(
  js: Publishing,
  alert: Alert,
  opts: { prefix?: string; timeoutMs?: number } = {},
): Promise<PublishResult> {
  const subject = alertSubject(alert, opts.prefix);
  const ack = await js.publish(subject, encodeAlert(alert), {
    msgID: alertMsgId(alert),
    ...(opts.timeoutMs !== undefined && { timeout: opts.timeoutMs }),
  });
  return { subject, seq: ack.seq, duplicate: ack.duplicate };
}

export function wrapNats(err: unknown, what: string): MonitorError {
  if (err instanceof MonitorError) return err;
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new MonitorError('SINK_UNAVAILABLE', `${what}: ${msg}`, {}, err);
}

export type PublisherOptions = {
  /** Publishes awaiting their ack at once; `publish` waits for room beyond it (backpressure). */
  readonly maxInFlight?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly prefix?: string;
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  readonly onRetry?: (info: { alert_id: string; attempt: number; delayMs: number; error: Error }) => void;
};

export type PublisherTotals = { published: number; duplicates: number; retries: number };

/**
 * The bus sink: bounded in-flight publishes, retry with backoff while NATS is unavailable, and
 * order kept per alert identity (rule, subject): a resolve never overtakes its raise. A publish that
 * cannot succeed (retries exhausted, connection closed) fails the next `publish`/`flush`, so the
 * caller does not commit its source offsets past it.
 */
export class AlertPublisher {
  readonly totals: PublisherTotals = { published: 0, duplicates: 0, retries: 0 };
  readonly #js: Publishing;
  readonly #max: number;
  readonly #retry: RetryPolicy;
  readonly #clock: Clock;
  readonly #opts: PublisherOptions;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #lastByIdentity = new Map<string, Promise<void>>();
  readonly #abort = new AbortController();
  #room: (() => void)[] = [];
  #failure: MonitorError | undefined;

  constructor(js: Publishing, opts: PublisherOptions = {}) {
    this.#js = js;
    this.#max = opts.maxInFlight ?? 256;
    if (!(this.#max >= 1)) {
      throw new MonitorError('CONFIG_INVALID', `maxInFlight is ${opts.maxInFlight}: expected at least 1`);
    }
    this.#retry = compileRetryPolicy(opts.retry);
    this.#clock = opts.clock ?? systemClock;
    this.#opts = opts;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Resolves once the alert is in flight (not yet stored): call `flush` before committing offsets. */
  async publish(alert: Alert): Promise<void> {
    this.#throwIfFailed();
    while (this.#inFlight.size >= this.#max) {
      await new Promise<void>((resolve) => this.#room.push(resolve));
      this.#throwIfFailed();
    }
    const identity = `${alert.rule}\u0000${alert.subject_kind}\u0000${alert.subject_code}`;
    const before = this.#lastByIdentity.get(identity);
    const p: Promise<void> = (async () => {
      if (before) await before;
      await this.#publishWithRetry(alert);
    })()
      .catch((err: unknown) => {
        this.#failure ??= wrapNats(err, `cannot publish alert ${alert.alert_id} to the alert bus`);
      })
      .finally(() => {
        this.#inFlight.delete(p);
        if (this.#lastByIdentity.get(identity) === p) this.#lastByIdentity.delete(identity);
        this.#room.shift()?.();
      });
    this.#inFlight.add(p);
    this.#lastByIdentity.set(identity, p);
  }

  /** Waits for every publish in flight; throws the first failure. */
  async flush(): Promise<PublisherTotals> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
    this.#throwIfFailed();
    return { ...this.totals };
  }

  /** The sink interface of AlertFileSink: the alerts are stored when this resolves. */
  async write(alerts: readonly Alert[]): Promise<void> {
    for (const a of alerts) await this.publish(a);
    await this.flush();
  }

  /** Stops retrying; publishes still retrying fail. */
  async close(): Promise<void> {
    this.#abort.abort();
    for (const wake of this.#room.splice(0)) wake();
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure;
  }

  async #publishWithRetry(alert: Alert): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await publishAlert(this.#js, alert, {
          ...(this.#opts.prefix !== undefined && { prefix: this.#opts.prefix }),
          ...(this.#opts.timeoutMs !== undefined && { timeoutMs: this.#opts.timeoutMs }),
        });
        if (r.duplicate) this.totals.duplicates++;
        else this.totals.published++;
        return;
      } catch (err) {
        const signal = this.#abort.signal;
        if (!isRetriableNatsError(err) || attempt >= this.#retry.maxAttempts || signal.aborted) throw err;
        const delayMs = backoffDelay(this.#retry, attempt);
        this.totals.retries++;
        this.#opts.onRetry?.({ alert_id: alert.alert_id, attempt, delayMs, error: err as Error });
        await this.#clock.sleep(delayMs, signal);
        if (signal.aborted) throw err;
      }
    }
  }
}
