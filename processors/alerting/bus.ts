/**
 * The alert bus (ARCHITECTURE.md): stream `ALERTS`, subjects `alerts.<division>.<severity>.<rule>`,
 * server-side dedup by message id. A replay after a crash republishes the same alerts with the same
 * ids, and the stream stores none of them twice (within its duplicate window; the dispatcher's send
 * log covers the channels beyond it).
 */
import { setMaxListeners } from 'node:events';
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

/** One publish, no retry: the subject of the alert, msgID = alert_id + status. */
export async function publishAlert(
  js: Pick<JetStreamClient, 'publish'>,
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
  /**
   * Alerts handed to the publisher and not yet confirmed by the server, at most; `publish` waits
   * for room beyond it (backpressure: the run loop's `await write` stops reading). This is the
   * memory bound while the bus is away: 256 alerts of 1–2 KB each, never more, none dropped.
   */
  readonly maxInFlight?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly prefix?: string;
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  readonly onRetry?: (info: { alert_id: string; attempt: number; delayMs: number; error: Error }) => void;
  /**
   * The stream to look for, and to re-create, when publishes find none: a server restarted with an
   * empty store has lost it (issue 16). Default: ALERTS with its defaults when `prefix` is not
   * given (and the client can reach the JetStream API); `false`: never.
   */
  readonly stream?: AlertStreamOptions | false;
  /** Instead of `stream`: makes sure the stream is there and says when it was created (tests). */
  readonly ensureStream?: () => Promise<{ readonly created: string }>;
  /**
   * Confirmed alerts kept to put back on a stream found re-created (the server lost them with its
   * store). 2 000 alerts are a few MB; older ones are counted and named in the event instead.
   */
  readonly replayLimit?: number;
  /** An outage began or ended, the stream was re-created: for the log and the console. */
  readonly onEvent?: (e: PublisherEvent) => void;
};

export type PublisherEvent =
  | { readonly kind: 'outage'; readonly since: string; readonly error: string }
  | { readonly kind: 'recovered'; readonly outage_ms: number }
  | {
      readonly kind: 'stream_recreated';
      readonly created: string;
      /** Confirmed alerts kept, published again. */
      readonly republish: number;
      /** Confirmed before and no longer kept (beyond `replayLimit`): not on the bus any more. */
      readonly not_kept: number;
    };

export type PublisherTotals = { published: number; duplicates: number; retries: number };

/** While the bus is away (disconnected, or publishes failing): since when, what waits, why. */
export type BusOutage = {
  readonly since: string;
  /** Alerts not yet confirmed: in flight (retrying) and to be republished. */
  readonly pending: number;
  readonly connected: boolean;
  readonly last_error: string | null;
};

export type PublisherStats = PublisherTotals & {
  readonly in_flight: number;
  readonly republished: number;
  readonly streams_recreated: number;
  readonly reconnects: number;
  readonly outage: BusOutage | null;
};

/** What a close left undone: alerts the server never confirmed (0 after a clean close). */
export type PublisherCloseReport = { readonly unconfirmed: number; readonly last_error: string | null };

const DEFAULT_MAX_IN_FLIGHT = 256;
const DEFAULT_REPLAY_LIMIT = 2_000;

function describeError(err: unknown): string {
  if (err instanceof MonitorError) return err.message;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Every publish in flight may sleep on it at once: no listener limit (Node warns past 10). */
function wakeController(): AbortController {
  const c = new AbortController();
  setMaxListeners(0, c.signal);
  return c;
}

/** Retriable as it is, or wrapped by ensureAlertStream around a retriable NATS error. */
function retriable(err: unknown): boolean {
  return isRetriableNatsError(err) || (err instanceof MonitorError && isRetriableNatsError(err.cause));
}

/** Nothing answered the subject: no stream (a server restarted empty) or no JetStream. */
function missingStream(err: unknown): boolean {
  return err instanceof Error && /^(JetStreamNotEnabled|NoResponders(Error)?)$/.test(err.name);
}

type Publishing = Pick<JetStreamClient, 'publish'> & Partial<Pick<JetStreamClient, 'jetstreamManager'>>;

/**
 * The bus sink: bounded in-flight publishes, retry with backoff while NATS is unavailable, and
 * order kept per alert identity (rule, subject): a resolve never overtakes its raise. A publish that
 * cannot succeed (retries exhausted, connection closed) fails the next `publish`/`flush`, so the
 * caller does not commit its source offsets past it.
 *
 * After a server restart with an empty store the stream is gone: the first publish that finds no
 * stream (or a reconnect, `connectionRestored`) re-creates it, and the confirmed alerts the old
 * stream held (the last `replayLimit`) are published again before anything new. `stats().outage`
 * says since when the bus is away and what waits; `interrupt` stops the waiting for a bus that is
 * away, `close` gives up after a bound and says how many alerts were not confirmed.
 */
export class AlertPublisher {
  readonly totals: PublisherTotals = { published: 0, duplicates: 0, retries: 0 };
  readonly #js: Publishing;
  readonly #max: number;
  readonly #retry: RetryPolicy;
  readonly #clock: Clock;
  readonly #opts: PublisherOptions;
  readonly #ensure: (() => Promise<{ readonly created: string }>) | undefined;
  readonly #replayLimit: number;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #lastByIdentity = new Map<string, Promise<void>>();
  /** Stops retrying (close). */
  readonly #abort = new AbortController();
  /** Cuts the backoff sleeps short: the connection is back, or the publisher closes. */
  #wake = wakeController();
  #room: (() => void)[] = [];
  #waiters: (() => void)[] = [];
  #failure: MonitorError | undefined;
  #interrupted = false;
  #failedForGood = 0;
  // The stream: when it was created (to tell a re-created one), whether to look again, a look in progress.
  #streamCreated: string | undefined;
  #needsCheck: boolean;
  #recovering: Promise<void> | undefined;
  /** Confirmed alerts, oldest first (at most 2 × replayLimit, trimmed to replayLimit). */
  #kept: Alert[] = [];
  #confirmedSinceCreated = 0;
  /** To publish again on a re-created stream, in their first order. */
  #replay: Alert[] = [];
  #republished = 0;
  #streamsRecreated = 0;
  #reconnects = 0;
  #connected = true;
  #outageSince: number | undefined;
  #lastError: string | null = null;

  constructor(js: Publishing, opts: PublisherOptions = {}) {
    this.#js = js;
    this.#max = opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    if (!(this.#max >= 1)) {
      throw new MonitorError('CONFIG_INVALID', `maxInFlight is ${opts.maxInFlight}: expected at least 1`);
    }
    this.#replayLimit = opts.replayLimit ?? DEFAULT_REPLAY_LIMIT;
    if (!(this.#replayLimit >= 0)) {
      throw new MonitorError('CONFIG_INVALID', `replayLimit is ${opts.replayLimit}: expected 0 or more`);
    }
    this.#retry = compileRetryPolicy(opts.retry);
    this.#clock = opts.clock ?? systemClock;
    this.#opts = opts;
    const stream = opts.stream ?? (opts.prefix === undefined ? {} : false);
    const jsm = js.jetstreamManager?.bind(js);
    this.#ensure =
      opts.ensureStream ??
      (stream !== false && jsm ? async () => await ensureAlertStream(await jsm(false), stream) : undefined);
    this.#needsCheck = this.#ensure !== undefined;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** False between a `connectionLost` and the next `connectionRestored`. */
  get connected(): boolean {
    return this.#connected;
  }

  stats(): PublisherStats {
    return {
      in_flight: this.#inFlight.size,
      ...this.totals,
      republished: this.#republished,
      streams_recreated: this.#streamsRecreated,
      reconnects: this.#reconnects,
      outage:
        this.#outageSince === undefined
          ? null
          : {
              since: new Date(this.#outageSince).toISOString(),
              pending: this.#pending(),
              connected: this.#connected,
              last_error: this.#lastError,
            },
    };
  }

  /** Resolves once the alert is in flight (not yet stored): call `flush` before committing offsets. */
  async publish(alert: Alert): Promise<void> {
    this.#throwIfStopped();
    while (this.#inFlight.size >= this.#max) {
      await new Promise<void>((resolve) => this.#room.push(resolve));
      this.#throwIfStopped();
    }
    const identity = `${alert.rule}\u0000${alert.subject_kind}\u0000${alert.subject_code}`;
    const before = this.#lastByIdentity.get(identity);
    const p: Promise<void> = (async () => {
      if (before) await before;
      await this.#publishWithRetry(alert);
    })()
      .catch((err: unknown) => {
        this.#failedForGood++;
        this.#failure ??= wrapNats(err, `cannot publish alert ${alert.alert_id} to the alert bus`);
      })
      .finally(() => {
        this.#inFlight.delete(p);
        if (this.#lastByIdentity.get(identity) === p) this.#lastByIdentity.delete(identity);
        this.#room.shift()?.();
        this.#notify();
      });
    this.#inFlight.add(p);
    this.#lastByIdentity.set(identity, p);
  }

  /** Waits for every publish in flight (and a republish in progress); throws the first failure. */
  async flush(): Promise<PublisherTotals> {
    while (this.#inFlight.size > 0 || this.#recovering) {
      this.#throwIfStopped();
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#throwIfFailed();
    return { ...this.totals };
  }

  /** The sink interface of AlertFileSink: the alerts are stored when this resolves. */
  async write(alerts: readonly Alert[]): Promise<void> {
    for (const a of alerts) await this.publish(a);
    await this.flush();
  }

  /** The connection dropped (`nc.status()` disconnect): the outage starts now, if it has not already. */
  connectionLost(reason: string): void {
    this.#connected = false;
    this.#failed(new Error(reason));
  }

  /**
   * The connection is back: look for the stream (re-created and refilled when the server lost it)
   * and retry at once instead of at the end of the backoff.
   */
  connectionRestored(): void {
    this.#connected = true;
    this.#reconnects++;
    if (this.#ensure) this.#needsCheck = true;
    this.#wakeSleepers();
    void this.#recover();
  }

  /**
   * A stop was asked: from now on nothing waits for a bus that is away. `publish` and `flush`
   * throw (naming the alerts not confirmed) instead of waiting while there is an outage; with the
   * bus up they work as before. Retries go on until `close`.
   */
  interrupt(): void {
    this.#interrupted = true;
    if (this.#outageSince !== undefined) this.#wakeWaiters();
  }

  /**
   * Waits up to `timeoutMs` for the alerts not yet confirmed (retrying meanwhile), then stops
   * retrying and says how many the server never confirmed. Bounded even with the server gone.
   */
  async close(opts: { timeoutMs?: number } = {}): Promise<PublisherCloseReport> {
    this.#interrupted = true;
    const timeoutMs = opts.timeoutMs ?? 0;
    if (this.#pending() > 0 && timeoutMs > 0) {
      const timer = new AbortController();
      await Promise.race([this.#settled(), this.#clock.sleep(timeoutMs, timer.signal)]);
      timer.abort();
    }
    this.#abort.abort();
    this.#wakeSleepers();
    this.#wakeWaiters();
    // Publishes asleep in their backoff end now; one waiting for an ack is not waited for.
    await new Promise((resolve) => setImmediate(resolve));
    return { unconfirmed: this.#pending() + this.#failedForGood, last_error: this.#lastError };
  }

  #pending(): number {
    return this.#inFlight.size + this.#replay.length;
  }

  async #settled(): Promise<void> {
    while ((this.#inFlight.size > 0 || this.#recovering) && !this.#abort.signal.aborted) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure;
  }

  #throwIfStopped(): void {
    this.#throwIfFailed();
    if (this.#interrupted && (this.#outageSince !== undefined || this.#abort.signal.aborted)) {
      throw new MonitorError(
        'SINK_UNAVAILABLE',
        `stopping while the alert bus is unavailable: ${this.#pending()} alerts not confirmed` +
          `${this.#lastError ? ` (last error: ${this.#lastError})` : ''}`,
        { unconfirmed: this.#pending() },
      );
    }
  }

  #notify(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #wakeWaiters(): void {
    for (const wake of this.#room.splice(0)) wake();
    this.#notify();
  }

  #wakeSleepers(): void {
    this.#wake.abort();
    this.#wake = wakeController();
  }

  #failed(err: unknown): void {
    this.#lastError = describeError(err);
    if (this.#outageSince !== undefined) return;
    this.#outageSince = this.#clock.now();
    this.#opts.onEvent?.({
      kind: 'outage',
      since: new Date(this.#outageSince).toISOString(),
      error: this.#lastError,
    });
    if (this.#interrupted) this.#wakeWaiters();
  }

  #succeeded(): void {
    if (this.#outageSince === undefined || !this.#connected) return;
    const outageMs = this.#clock.now() - this.#outageSince;
    this.#outageSince = undefined;
    this.#opts.onEvent?.({ kind: 'recovered', outage_ms: outageMs });
  }

  #keep(alert: Alert): void {
    if (this.#replayLimit === 0) return;
    this.#confirmedSinceCreated++;
    this.#kept.push(alert);
    if (this.#kept.length >= 2 * this.#replayLimit)
      this.#kept.splice(0, this.#kept.length - this.#replayLimit);
  }

  #publishOptions() {
    return {
      ...(this.#opts.prefix !== undefined && { prefix: this.#opts.prefix }),
      ...(this.#opts.timeoutMs !== undefined && { timeoutMs: this.#opts.timeoutMs }),
    };
  }

  async #publishWithRetry(alert: Alert): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      // A stream found re-created is refilled before anything new goes on it (order per identity).
      if (this.#needsCheck || this.#recovering) await this.#recover();
      try {
        const r = await publishAlert(this.#js, alert, this.#publishOptions());
        if (r.duplicate) this.totals.duplicates++;
        else this.totals.published++;
        this.#keep(alert);
        this.#succeeded();
        return;
      } catch (err) {
        const signal = this.#abort.signal;
        if (!isRetriableNatsError(err) || attempt >= this.#retry.maxAttempts || signal.aborted) throw err;
        this.#failed(err);
        if (missingStream(err) && this.#ensure) this.#needsCheck = true;
        const delayMs = backoffDelay(this.#retry, attempt);
        this.totals.retries++;
        this.#opts.onRetry?.({ alert_id: alert.alert_id, attempt, delayMs, error: err as Error });
        await this.#clock.sleep(delayMs, this.#wake.signal);
        if (signal.aborted) throw err;
      }
    }
  }

  /** One look for the stream at a time; every publish waits for it (and for the republish). */
  #recover(): Promise<void> {
    if (!this.#ensure) return Promise.resolve();
    this.#recovering ??= this.#recoverUntilDone(this.#ensure).finally(() => {
      this.#recovering = undefined;
      this.#notify();
    });
    return this.#recovering;
  }

  async #recoverUntilDone(ensure: () => Promise<{ readonly created: string }>): Promise<void> {
    for (let attempt = 1; !this.#abort.signal.aborted; attempt++) {
      try {
        if (this.#needsCheck) {
          this.#needsCheck = false;
          const { created } = await ensure();
          if (this.#streamCreated !== undefined && created !== this.#streamCreated) this.#recreated(created);
          this.#streamCreated = created;
        }
        await this.#republish();
        if (this.#inFlight.size === 0) this.#succeeded();
        return;
      } catch (err) {
        this.#needsCheck = true;
        if (!retriable(err)) {
          this.#failure ??= wrapNats(err, 'cannot re-create the alert stream');
          return;
        }
        this.#failed(err);
        await this.#clock.sleep(backoffDelay(this.#retry, attempt), this.#wake.signal);
      }
    }
  }

  /** The stream is not the one the kept alerts were confirmed on: they go on the new one. */
  #recreated(created: string): void {
    const keep = this.#kept.slice(-this.#replayLimit);
    const notKept = this.#confirmedSinceCreated - keep.length;
    this.#kept = [];
    this.#confirmedSinceCreated = 0;
    this.#replay.push(...keep);
    this.#streamsRecreated++;
    this.#opts.onEvent?.({
      kind: 'stream_recreated',
      created,
      republish: this.#replay.length,
      not_kept: notKept,
    });
  }

  /**
   * Publishes the replay in chunks of maxInFlight. One connection delivers in order, so a chunk
   * keeps each alert's raise before its resolve; the ones that failed stay first in line.
   */
  async #republish(): Promise<void> {
    while (this.#replay.length > 0 && !this.#abort.signal.aborted) {
      const chunk = this.#replay.slice(0, this.#max);
      const results = await Promise.allSettled(
        chunk.map((a) => publishAlert(this.#js, a, this.#publishOptions())),
      );
      const failed: Alert[] = [];
      let error: unknown;
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') {
          this.#republished++;
          this.#keep(chunk[i]!);
        } else {
          failed.push(chunk[i]!);
          error ??= r.reason;
        }
      });
      this.#replay = [...failed, ...this.#replay.slice(chunk.length)];
      if (error !== undefined) throw error;
    }
  }
}
