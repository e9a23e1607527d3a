/**
 * The alert dispatcher: one durable JetStream consumer per channel (`notify-<channel>`), each
 * reading the whole bus and sending what its routing takes, unless silenced or already sent.
 *
 *   bus ─ consume ─▶ pending ─ admit ─▶ waiting ─ plan (token bucket, folding) ─▶ send (retry) ─▶ log ─▶ ack
 *                              │ not routed, silenced, in the send log, undecodable: ack (term) at once
 *
 * A bus message is acknowledged only after its notification went out and the send log holds it;
 * messages held longer than the ack wait (tokens, retries) are kept alive with `working()`.
 */
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Alert } from '../outputs.ts';
import { ALERT_STREAM, ensureAlertStream, ensureDurableConsumer, wrapNats } from './bus.ts';
import { deliver } from './channels/http.ts';
import type { Channel } from './channels/types.ts';
import { type Clock, sleep, systemClock } from './clock.ts';
import { decodeAlert } from './codec.ts';
import { type Notification, planNotifications } from './fold.ts';
import type { MessageOptions } from './message.ts';
import { TokenBucket } from './rate-limit.ts';
import { backoffDelay, compileRetryPolicy, isRetriableNatsError, type RetryPolicy } from './retry.ts';
import { type ChannelConfig, createChannel, type NotifyConfig, routes } from './routing.ts';
import { KvSendLog, type SendLog, sendLogKey } from './send-log.ts';
import { findSilence, type Silence } from './silences.ts';
import { AlertState, type SilenceWatch } from './state.ts';
import { ALERT_SUBJECT_PREFIX } from './subjects.ts';

/** What the dispatcher logs through; a pino logger fits. */
export type AlertingLogger = {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
};

const noop = () => {};
export const silentLogger: AlertingLogger = { debug: noop, info: noop, warn: noop, error: noop };

export type ChannelStats = {
  /** Notifications that went out (singles and summaries). */
  messages: number;
  summaries: number;
  /** Alerts delivered, in singles or summaries. */
  alerts: number;
  /** Alerts that went out inside a summary. */
  folded: number;
  silenced: number;
  /** Not for this channel (severity, division). */
  filtered: number;
  /** Already in the send log, or a second copy of an alert already waiting. */
  duplicates: number;
  invalid: number;
  /** HTTP requests made, retries included. */
  attempts: number;
  retries: number;
  /** Notifications given up on for now: handed back to the bus for a later attempt. */
  failures: number;
};

export type DispatcherOptions = {
  readonly stream?: string;
  readonly subjectPrefix?: string;
  readonly message?: MessageOptions & { readonly externalURL?: string };
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
  readonly httpTimeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Real time to let a burst arrive before planning, so it folds into one summary (ms). */
  readonly gatherMs?: number;
  /** The consumer's ack wait when it is created (ms). */
  readonly ackWaitMs?: number;
  /** Messages delivered and not yet acknowledged that one channel holds; beyond, it stops reading. */
  readonly maxHeld?: number;
  /** When a notification fails for good (HTTP 4xx, a robot's error), its messages come back after this (ms). */
  readonly failedRedeliveryMs?: number;
  readonly logger?: AlertingLogger;
  /** Runs after a send is logged and before the bus messages are acknowledged (tests put a crash here). */
  readonly beforeAck?: (channel: string, alerts: readonly Alert[]) => Promise<void> | void;
};

export type ChannelDispatcherDeps = DispatcherOptions & {
  readonly js: JetStreamClient;
  readonly channel: ChannelConfig;
  readonly sendLog: SendLog;
  readonly silences?: () => Iterable<Silence>;
  /** Default: a TokenBucket of `channel.rate_per_minute` on `clock`. */
  readonly limiter?: TokenBucket;
};

type Item = { readonly alert: Alert; readonly key: string; msg: JsMsg };

export function notifyDurable(channel: string): string {
  return `notify-${channel}`;
}

const zeroStats = (): ChannelStats => ({
  messages: 0,
  summaries: 0,
  alerts: 0,
  folded: 0,
  silenced: 0,
  filtered: 0,
  duplicates: 0,
  invalid: 0,
  attempts: 0,
  retries: 0,
  failures: 0,
});

export class ChannelDispatcher {
  readonly stats: ChannelStats = zeroStats();
  readonly name: string;
  readonly limiter: TokenBucket;
  readonly #deps: ChannelDispatcherDeps;
  readonly #channel: Channel;
  readonly #clock: Clock;
  readonly #retry: RetryPolicy;
  readonly #log: AlertingLogger;
  readonly #abort = new AbortController();
  /** Delivered, not yet looked at, by stream sequence. */
  readonly #pending = new Map<number, JsMsg>();
  /** Admitted for sending and not yet acknowledged, by stream sequence. */
  readonly #held = new Map<number, Item>();
  readonly #heldKeys = new Set<string>();
  #waiting: Item[] = [];
  #wake: (() => void) | undefined;
  #room: (() => void) | undefined;
  #messages: ConsumerMessages | undefined;
  #done: Promise<void> | undefined;

  constructor(deps: ChannelDispatcherDeps) {
    this.#deps = deps;
    this.name = deps.channel.name;
    this.#clock = deps.clock ?? systemClock;
    this.#retry = compileRetryPolicy(deps.retry);
    this.#log = deps.logger ?? silentLogger;
    this.limiter = deps.limiter ?? TokenBucket.perMinute(deps.channel.rate_per_minute, this.#clock);
    this.#channel = createChannel(deps.channel, deps.message ?? {});
  }

  get durable(): string {
    return notifyDurable(this.name);
  }

  /** Settles when the dispatcher stops; rejects if it failed (the send log unreachable for good, a bug). */
  get done(): Promise<void> {
    return this.#done ?? Promise.resolve();
  }

  async start(): Promise<void> {
    const d = this.#deps;
    const stream = d.stream ?? ALERT_STREAM;
    const ackWaitMs = d.ackWaitMs ?? 60_000;
    try {
      await this.#ensureConsumer();
      const consumer = await d.js.consumers.get(stream, this.durable);
      // expires: how long a pull waits, and how often nats.js looks for a durable that went missing
      // (a restart without the store) once it is back: 10 s instead of 30 s of quiet channels.
      this.#messages = await consumer.consume({
        max_messages: Math.min(200, this.#maxHeld),
        expires: 10_000,
      });
    } catch (err) {
      throw wrapNats(err, `channel ${this.name}: cannot read ${stream} with consumer ${this.durable}`);
    }
    const keepAlive = setInterval(() => this.#keepAlive(), Math.max(1_000, Math.floor(ackWaitMs / 3)));
    keepAlive.unref();
    void this.#watchConsumer(this.#messages);
    this.#done = Promise.all([this.#pump(this.#messages), this.#loop()])
      .then(() => undefined)
      .finally(() => clearInterval(keepAlive));
    this.#done.catch((err: unknown) => {
      this.#log.error({ channel: this.name, err }, 'dispatcher stopped on an error');
      this.#abort.abort();
      void this.#messages?.close();
    });
    this.#log.info(
      { channel: this.name, type: d.channel.type, consumer: this.durable },
      'channel dispatcher started',
    );
  }

  /**
   * Stops reading, lets a send in progress finish (its HTTP timeout bounds it), and hands back every
   * message not yet sent so the next dispatcher on this durable gets it at once.
   */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wake?.();
    this.#room?.();
    await this.#messages?.close();
    await this.done.catch(() => undefined);
    for (const m of this.#pending.values()) m.nak();
    for (const i of this.#held.values()) i.msg.nak();
    this.#pending.clear();
    this.#held.clear();
    this.#heldKeys.clear();
    this.#waiting = [];
  }

  /** The stream (as startNotifier makes it) and this channel's durable, each created when missing. */
  async #ensureConsumer(): Promise<void> {
    const d = this.#deps;
    const stream = d.stream ?? ALERT_STREAM;
    const jsm = await d.js.jetstreamManager();
    await ensureAlertStream(jsm, {
      name: stream,
      ...(d.subjectPrefix && { subjects: [`${d.subjectPrefix}.>`] }),
    });
    await ensureDurableConsumer(jsm, stream, {
      durable: this.durable,
      filter_subjects: [`${d.subjectPrefix ?? ALERT_SUBJECT_PREFIX}.>`],
      ack_wait_ms: d.ackWaitMs ?? 60_000,
      deliver: d.channel.start,
      max_ack_pending: 2 * this.#maxHeld,
    });
  }

  /**
   * A server restarted without its store has lost the stream and the durable: nats.js keeps
   * looking for them (`consumer_not_found`, `stream_not_found`) and resumes once they exist, so
   * they are created again here (issue 16: the channels went quiet for good, saying nothing).
   */
  async #watchConsumer(messages: ConsumerMessages): Promise<void> {
    let recreating = false;
    for await (const s of messages.status()) {
      if (s.type !== 'consumer_not_found' && s.type !== 'stream_not_found' && s.type !== 'consumer_deleted')
        continue;
      if (recreating || this.#abort.signal.aborted) continue;
      recreating = true;
      this.#ensureConsumer().then(
        () => {
          recreating = false;
          this.#log.warn(
            { channel: this.name, consumer: this.durable, event: s.type },
            'the bus consumer was gone (server restarted without its store?): created again',
          );
        },
        (err: unknown) => {
          recreating = false;
          this.#log.warn(
            { channel: this.name, consumer: this.durable, event: s.type, err },
            'the bus consumer is gone and cannot be created yet; trying again',
          );
        },
      );
    }
  }

  get #maxHeld(): number {
    return this.#deps.maxHeld ?? 1_000;
  }

  async #pump(messages: ConsumerMessages): Promise<void> {
    for await (const m of messages) {
      if (this.#abort.signal.aborted) {
        m.nak();
        continue;
      }
      const held = this.#held.get(m.seq);
      if (held)
        held.msg = m; // a redelivery of one being sent: answer the newest delivery
      else this.#pending.set(m.seq, m);
      this.#wake?.();
      while (this.#pending.size + this.#held.size >= this.#maxHeld && !this.#abort.signal.aborted) {
        await new Promise<void>((resolve) => (this.#room = resolve));
      }
    }
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      if (this.#pending.size === 0 && this.#waiting.length === 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
        continue;
      }
      if (this.#pending.size > 0) {
        if (this.#waiting.length === 0) await sleep(this.#deps.gatherMs ?? 200, signal);
        await this.#admit();
      }
      if (this.#waiting.length === 0 || signal.aborted) continue;
      const budget = this.limiter.available();
      if (budget < 1) {
        await this.#waitForTokenOrArrival();
        continue;
      }
      const plan = planNotifications(this.#waiting, budget);
      this.#waiting = [...plan.held];
      for (const n of plan.send) {
        if (signal.aborted) break;
        await this.#send(n);
      }
    }
  }

  /** Sorts what arrived: acks what needs no notification, keeps the rest waiting. */
  async #admit(): Promise<void> {
    const batch = [...this.#pending.values()];
    this.#pending.clear();
    this.#room?.();
    const fresh: Item[] = [];
    const now = this.#clock.now();
    const silences = this.#deps.silences?.() ?? [];
    for (const m of batch) {
      const d = decodeAlert(m.data);
      if (!d.ok) {
        this.stats.invalid++;
        this.#log.error(
          { channel: this.name, seq: m.seq, subject: m.subject, error: d.error },
          'not an alert; dropped',
        );
        m.term(d.error);
        continue;
      }
      const a = d.alert;
      if (!routes(this.#deps.channel, a)) {
        this.stats.filtered++;
        m.ack();
        continue;
      }
      const s = findSilence(a, silences, now);
      if (s) {
        this.stats.silenced++;
        this.#log.info({ channel: this.name, alert_id: a.alert_id, silence: s.id }, 'silenced');
        m.ack();
        continue;
      }
      const key = sendLogKey(this.name, a);
      if (this.#heldKeys.has(key) || fresh.some((i) => i.key === key)) {
        this.stats.duplicates++;
        m.ack();
        continue;
      }
      fresh.push({ alert: a, key, msg: m });
    }
    const sent = await Promise.all(
      fresh.map((i) =>
        this.#natsWithRetry('read the send log', () => this.#deps.sendLog.sent(this.name, i.alert)),
      ),
    );
    fresh.forEach((item, k) => {
      if (sent[k]) {
        this.stats.duplicates++;
        this.#log.debug({ channel: this.name, alert_id: item.alert.alert_id }, 'already sent');
        item.msg.ack();
        return;
      }
      this.#held.set(item.msg.seq, item);
      this.#heldKeys.add(item.key);
      this.#waiting.push(item);
    });
  }

  async #waitForTokenOrArrival(): Promise<void> {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    this.#abort.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.race([
        this.#clock.sleep(Math.max(1, this.limiter.msUntilAvailable()), stop.signal),
        new Promise<void>((resolve) => (this.#wake = resolve)),
      ]);
    } finally {
      this.#wake = undefined;
      stop.abort();
      this.#abort.signal.removeEventListener('abort', onAbort);
    }
  }

  async #send(n: Notification<Item>): Promise<void> {
    const signal = this.#abort.signal;
    const alerts = n.items.map((i) => i.alert);
    for (let attempt = 1; ; attempt++) {
      if (!(await this.limiter.take(signal))) return; // stopping: stop() hands the items back
      this.stats.attempts++;
      const outcome = await deliver(this.#channel, alerts, n.kind, this.#clock.now(), {
        ...(this.#deps.fetch && { fetch: this.#deps.fetch }),
        ...(this.#deps.httpTimeoutMs !== undefined && { timeoutMs: this.#deps.httpTimeoutMs }),
      });
      if (outcome.ok) break;
      if (outcome.retryAfterMs !== undefined) this.limiter.blockFor(outcome.retryAfterMs);
      if (!outcome.retriable || attempt >= this.#retry.maxAttempts) {
        this.stats.failures++;
        const delayMs = this.#deps.failedRedeliveryMs ?? 600_000;
        this.#log.error(
          {
            channel: this.name,
            alerts: alerts.length,
            attempts: attempt,
            reason: outcome.reason,
            redeliver_in_ms: delayMs,
          },
          'notification failed; handed back to the bus for a later attempt',
        );
        for (const i of n.items) this.#release(i, (m) => m.nak(delayMs));
        return;
      }
      if (signal.aborted) return;
      const delayMs = Math.max(backoffDelay(this.#retry, attempt), outcome.retryAfterMs ?? 0);
      this.stats.retries++;
      this.#log.warn(
        { channel: this.name, attempt, delay_ms: delayMs, reason: outcome.reason },
        'notification failed; retrying',
      );
      await this.#clock.sleep(delayMs, signal);
      if (signal.aborted) return;
    }
    const sentAt = new Date(this.#clock.now()).toISOString();
    await this.#natsWithRetry('write the send log', () =>
      this.#deps.sendLog.record(this.name, alerts, sentAt),
    );
    await this.#deps.beforeAck?.(this.name, alerts);
    for (const i of n.items) this.#release(i, (m) => m.ack());
    this.stats.messages++;
    this.stats.alerts += alerts.length;
    if (n.kind === 'summary') {
      this.stats.summaries++;
      this.stats.folded += alerts.length;
    }
    this.#log.info(
      { channel: this.name, kind: n.kind, alerts: alerts.length, first: alerts[0]?.alert_id },
      n.kind === 'summary' ? 'burst folded into one summary' : 'notification sent',
    );
  }

  #release(item: Item, answer: (m: JsMsg) => void): void {
    answer(item.msg);
    this.#held.delete(item.msg.seq);
    this.#heldKeys.delete(item.key);
    this.#room?.();
  }

  #keepAlive(): void {
    for (const m of this.#pending.values()) m.working();
    for (const i of this.#held.values()) i.msg.working();
  }

  /** The send log is NATS too: ride out a reconnect, give up only when stopping or on a real error. */
  async #natsWithRetry<T>(what: string, op: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await op();
      } catch (err) {
        if (!isRetriableNatsError(err) || this.#abort.signal.aborted) throw wrapNats(err, `cannot ${what}`);
        const delayMs = backoffDelay(this.#retry, attempt);
        this.#log.warn({ channel: this.name, attempt, delay_ms: delayMs, err }, `cannot ${what}; retrying`);
        await sleep(delayMs, this.#abort.signal);
      }
    }
  }
}

export type NotifierOptions = DispatcherOptions & {
  readonly sendLogBucket?: string;
  readonly acksBucket?: string;
  readonly silencesBucket?: string;
  /** How often the silences bucket is read again besides its watch (state.ts; default 15 s). */
  readonly silencesResyncMs?: number;
};

export type Notifier = {
  readonly channels: readonly ChannelDispatcher[];
  /** Settles when every channel stopped; rejects when one failed. */
  readonly done: Promise<void>;
  stats(): Record<string, ChannelStats>;
  stop(): Promise<void>;
};

/** Every channel of a channels file, sharing one send log and one live view of the silences. */
export async function startNotifier(
  nc: NatsConnection,
  config: NotifyConfig,
  opts: NotifierOptions = {},
): Promise<Notifier> {
  const js = jetstream(nc);
  try {
    await ensureAlertStream(await jetstreamManager(nc), {
      name: opts.stream ?? ALERT_STREAM,
      ...(opts.subjectPrefix && { subjects: [`${opts.subjectPrefix}.>`] }),
    });
  } catch (err) {
    throw wrapNats(err, 'cannot open the alert stream');
  }
  const sendLog = await KvSendLog.open(nc, { ...(opts.sendLogBucket && { bucket: opts.sendLogBucket }) });
  const state = await AlertState.open(nc, {
    ...(opts.acksBucket && { acksBucket: opts.acksBucket }),
    ...(opts.silencesBucket && { silencesBucket: opts.silencesBucket }),
  });
  const watch: SilenceWatch = await state.watchSilences({
    ...(opts.silencesResyncMs !== undefined && { resyncMs: opts.silencesResyncMs }),
  });
  const grafanaUrl = opts.message?.grafanaUrl ?? config.grafana_url;
  const externalURL = opts.message?.externalURL ?? config.external_url ?? grafanaUrl;
  const message = {
    ...opts.message,
    ...(grafanaUrl && { grafanaUrl }),
    ...(externalURL && { externalURL }),
  };
  const channels = config.channels.map(
    (channel) =>
      new ChannelDispatcher({ ...opts, message, js, channel, sendLog, silences: () => watch.list() }),
  );
  try {
    for (const c of channels) await c.start();
  } catch (err) {
    await Promise.all(channels.map((c) => c.stop()));
    await watch.stop();
    throw err;
  }
  const done = Promise.all(channels.map((c) => c.done)).then(() => undefined);
  done.catch(() => undefined); // each channel logs its own failure; callers read `done`
  return {
    channels,
    done,
    stats: () => Object.fromEntries(channels.map((c) => [c.name, { ...c.stats }])),
    stop: async () => {
      await Promise.all(channels.map((c) => c.stop()));
      await watch.stop();
    },
  };
}
