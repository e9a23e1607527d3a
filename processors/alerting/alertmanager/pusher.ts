/**
 * `yibao-monitor notify --alertmanager <url>`: the alert bus into Alertmanager, which then routes,
 * groups, inhibits, silences and delivers (deploy/alertmanager/alertmanager.yml).
 *
 *   bus ─ consume (durable notify-alertmanager) ─▶ state (KV ALERTMANAGER_ALERTS) ─ ack
 *                                                     │
 *                              per Alertmanager: changes at once, everything every resend ─▶ POST /api/v2/alerts
 *
 * Alertmanager keeps no alerts across its restarts and drops a firing alert at its endsAt, so, as
 * Prometheus does, every firing alert is posted again every `resendMs` with endsAt `endsAheadMs`
 * ahead, and a resolved one is posted (endsAt = its resolution) for `resolvedRetentionMs` more, so an
 * Alertmanager that was away or restarted learns it too. The state is in a KV bucket, so a restarted
 * notify goes on re-sending what was firing. A bus message is acknowledged once the state holds it;
 * the posts run on their own, one loop per Alertmanager (an HA pair each gets every alert), retried
 * with backoff while Alertmanager answers 5xx or not at all.
 *
 * Run one `notify --alertmanager` per bus: two would split the durable's messages between them.
 */
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { MonitorError } from '../../../schemas/errors.ts';
import type { Alert } from '../../outputs.ts';
import { ALERT_STREAM, ensureAlertStream, ensureDurableConsumer, wrapNats } from '../bus.ts';
import { fingerprint } from '../channels/webhook.ts';
import { type Clock, sleep, systemClock } from '../clock.ts';
import { decodeAlert } from '../codec.ts';
import type { AlertingLogger } from '../dispatcher.ts';
import type { MessageOptions } from '../message.ts';
import { backoffDelay, compileRetryPolicy, isRetriableNatsError, type RetryPolicy } from '../retry.ts';
import { ALERT_SUBJECT_PREFIX } from '../subjects.ts';
import { type AmReply, alertsEndpoint, postAlerts } from './client.ts';
import { type AmEntry, firingEntry, identityKey, postable, resolvedEntry } from './payload.ts';

export const ALERTMANAGER_DURABLE = 'notify-alertmanager';
export const ALERTMANAGER_BUCKET = 'ALERTMANAGER_ALERTS';

export const ALERTMANAGER_DEFAULTS = Object.freeze({
  /** Prometheus re-sends every minute (its --rules.alert.resend-delay). */
  resendMs: 60_000,
  /** Prometheus' endsAt: four re-sends ahead. */
  endsAheadFactor: 4,
  /** Prometheus keeps re-sending a resolved alert for 15 minutes. */
  resolvedRetentionMs: 15 * 60_000,
  /**
   * A firing alert not raised again for this long is no longer re-sent and lapses at its endsAt.
   * The decisions re-raise an open condition weekly (DEFAULT_DECISIONS.cooldownMs), so an open one is
   * refreshed before this; alerts that never resolve (credit notices, chain triggers, policy_expired)
   * leave Alertmanager after it.
   */
  maxFiringMs: 8 * 24 * 3_600_000,
  /** Prometheus posts at most 64 alerts a request (notifier maxBatchSize). */
  maxBatch: 64,
  gatherMs: 200,
});

export type AlertmanagerTargetStats = {
  readonly url: string;
  /** Requests that Alertmanager answered 200. */
  posts: number;
  /** Alerts in those requests (re-sends included). */
  alerts: number;
  /** Requests that failed (5xx, no answer, another 4xx) and were tried again after a backoff. */
  failures: number;
  /** Alerts Alertmanager refused (400/422): logged with the field, not sent again until they change. */
  rejected: number;
  /** Full re-sends of every alert in the state. */
  resends: number;
  last_error: string | null;
};

export type AlertmanagerStats = {
  /** Bus messages taken into the state. */
  received: number;
  invalid: number;
  /** A raise older than the resolution already held for that (rule, subject): a redelivery. */
  stale: number;
  firing: number;
  resolved: number;
  targets: AlertmanagerTargetStats[];
};

export type AlertmanagerPusherOptions = {
  /** Alertmanager base URLs (http://am:9093); each gets every alert. */
  readonly urls: readonly string[];
  readonly stream?: string;
  readonly subjectPrefix?: string;
  readonly durable?: string;
  readonly bucket?: string;
  readonly start?: 'all' | 'new';
  readonly message?: MessageOptions;
  readonly resendMs?: number;
  readonly endsAheadMs?: number;
  readonly resolvedRetentionMs?: number;
  readonly maxFiringMs?: number;
  readonly maxBatch?: number;
  readonly gatherMs?: number;
  readonly ackWaitMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly httpTimeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly clock?: Clock;
  readonly logger?: AlertingLogger;
};

const noop = () => {};
const silent: AlertingLogger = { debug: noop, info: noop, warn: noop, error: noop };

type Settings = {
  readonly resendMs: number;
  readonly endsAheadMs: number;
  readonly resolvedRetentionMs: number;
  readonly maxFiringMs: number;
  readonly maxBatch: number;
  readonly gatherMs: number;
};

export function compileAlertmanagerSettings(o: Partial<AlertmanagerPusherOptions>): Settings {
  const resendMs = o.resendMs ?? ALERTMANAGER_DEFAULTS.resendMs;
  const s: Settings = {
    resendMs,
    endsAheadMs: o.endsAheadMs ?? ALERTMANAGER_DEFAULTS.endsAheadFactor * resendMs,
    resolvedRetentionMs: o.resolvedRetentionMs ?? ALERTMANAGER_DEFAULTS.resolvedRetentionMs,
    maxFiringMs: o.maxFiringMs ?? ALERTMANAGER_DEFAULTS.maxFiringMs,
    maxBatch: o.maxBatch ?? ALERTMANAGER_DEFAULTS.maxBatch,
    gatherMs: o.gatherMs ?? ALERTMANAGER_DEFAULTS.gatherMs,
  };
  const bad = (what: string, expected: string) =>
    new MonitorError('CONFIG_INVALID', `alertmanager ${what}: expected ${expected}`, { setting: what });
  if (!(s.resendMs >= 100)) throw bad(`resend ${s.resendMs} ms`, 'at least 100 ms');
  if (!(s.endsAheadMs > s.resendMs))
    throw bad(
      `endsAt ${s.endsAheadMs} ms ahead`,
      `more than the resend interval (${s.resendMs} ms), or Alertmanager resolves firing alerts between two re-sends`,
    );
  if (!(s.maxBatch >= 1 && Number.isInteger(s.maxBatch)))
    throw bad(`batch ${s.maxBatch}`, 'a whole number ≥ 1');
  if (!(s.resolvedRetentionMs >= 0)) throw bad('resolved retention', 'a number of milliseconds ≥ 0');
  if (!(s.maxFiringMs > s.resendMs))
    throw bad('firing maximum', `more than the resend interval (${s.resendMs} ms)`);
  for (const u of o.urls ?? []) {
    try {
      const p = new URL(u).protocol;
      if (p !== 'http:' && p !== 'https:') throw new Error(p);
    } catch {
      throw bad(`URL ${JSON.stringify(u)}`, 'an http(s) URL such as http://alertmanager:9093');
    }
  }
  if ((o.urls ?? []).length === 0)
    throw bad('URLs', 'at least one (--alertmanager http://alertmanager:9093)');
  return Object.freeze(s);
}

/** The state: one entry per Alertmanager alert (key: its fingerprint), mirrored in a KV bucket. */
class AmState {
  readonly entries = new Map<string, AmEntry>();
  /** Bumped on every change of an entry, so a post of an older version does not clear a newer change. */
  readonly versions = new Map<string, number>();
  /** identity (rule|kind|code) → fingerprints: a resolve finds its raise without a scan. */
  readonly #byIdentity = new Map<string, Set<string>>();
  #version = 0;

  constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, bucket: string): Promise<AmState> {
    let kv: KV;
    try {
      kv = await new Kvm(nc).create(bucket, {
        history: 1,
        description: 'alerts posted to Alertmanager: <fingerprint> → labels, annotations, times',
      });
    } catch (err) {
      throw wrapNats(err, `cannot open the KV bucket ${bucket}`);
    }
    const state = new AmState(kv);
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    const prefix = `$KV.${bucket}.`;
    const info = await jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${prefix}>` });
    for (const subject of Object.keys(info.state.subjects ?? {})) {
      const e = await kv.get(subject.slice(prefix.length));
      if (e?.operation === 'PUT') state.#set(e.key, e.json<AmEntry>());
    }
    return state;
  }

  #set(fp: string, e: AmEntry): void {
    this.entries.set(fp, e);
    this.versions.set(fp, ++this.#version);
    let fps = this.#byIdentity.get(e.identity);
    if (!fps) this.#byIdentity.set(e.identity, (fps = new Set()));
    fps.add(fp);
  }

  ofIdentity(identity: string): [string, AmEntry][] {
    return [...(this.#byIdentity.get(identity) ?? [])].flatMap((fp) => {
      const e = this.entries.get(fp);
      return e ? [[fp, e] as [string, AmEntry]] : [];
    });
  }

  async put(fp: string, e: AmEntry): Promise<void> {
    await this.kv.put(fp, JSON.stringify(e));
    this.#set(fp, e);
  }

  async delete(fp: string): Promise<void> {
    await this.kv.delete(fp);
    const e = this.entries.get(fp);
    if (e) this.#byIdentity.get(e.identity)?.delete(fp);
    this.entries.delete(fp);
    this.versions.delete(fp);
  }

  async destroy(): Promise<void> {
    await this.kv.destroy();
  }
}

const SEVERITY_ORDER: Readonly<Record<string, number>> = { key: 0, general: 1, info: 2 };

/** One Alertmanager: what changed goes out after `gatherMs`, everything on `requestResend()`. */
class AmTarget {
  readonly stats: AlertmanagerTargetStats;
  readonly endpoint: string;
  readonly #dirty = new Set<string>();
  /** Refused alerts, by fingerprint → the version refused: skipped until the entry changes. */
  readonly #refused = new Map<string, number>();
  #resend = false;
  #wake: (() => void) | undefined;
  #attempt = 0;

  constructor(
    url: string,
    private readonly state: AmState,
    private readonly s: Settings,
    private readonly o: AlertmanagerPusherOptions,
    private readonly retry: RetryPolicy,
    private readonly clock: Clock,
    private readonly log: AlertingLogger,
    private readonly signal: AbortSignal,
  ) {
    this.endpoint = alertsEndpoint(url);
    this.stats = {
      url: this.endpoint,
      posts: 0,
      alerts: 0,
      failures: 0,
      rejected: 0,
      resends: 0,
      last_error: null,
    };
  }

  changed(fp: string): void {
    this.#dirty.add(fp);
    this.#wake?.();
  }

  requestResend(): void {
    this.#resend = true;
    this.#wake?.();
  }

  wake(): void {
    this.#wake?.();
  }

  async run(): Promise<void> {
    while (!this.signal.aborted) {
      if (this.#dirty.size === 0 && !this.#resend) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
        continue;
      }
      if (!this.#resend && this.#attempt === 0) await sleep(this.s.gatherMs, this.signal);
      if (this.signal.aborted) return;
      const full = this.#resend;
      this.#resend = false;
      const fps = full ? [...this.state.entries.keys()] : [...this.#dirty];
      for (const fp of fps) this.#dirty.delete(fp);
      const failed = await this.#post(fps);
      if (failed.length === 0) {
        if (full) this.stats.resends++;
        this.#attempt = 0;
        continue;
      }
      for (const fp of failed) this.#dirty.add(fp);
      if (full) this.#resend = true;
      this.#attempt++;
      const delay = backoffDelay(this.retry, this.#attempt);
      this.log.warn(
        {
          alertmanager: this.endpoint,
          attempt: this.#attempt,
          delay_ms: delay,
          alerts: failed.length,
          reason: this.stats.last_error,
        },
        'Alertmanager did not take the alerts; trying again',
      );
      await this.clock.sleep(delay, this.signal);
    }
  }

  /** Posts the entries in batches; returns the fingerprints to try again. */
  async #post(fps: readonly string[]): Promise<string[]> {
    const now = this.clock.now();
    const items = fps.flatMap((fp) => {
      const e = this.state.entries.get(fp);
      const v = this.state.versions.get(fp);
      if (!e || v === undefined) return [];
      if (this.#refused.get(fp) === v) return [];
      this.#refused.delete(fp);
      return [{ fp, v, entry: e }];
    });
    // 重点 first: Alertmanager takes a request's alerts in order, so an inhibiting alert is in before
    // the ones it inhibits (a group whose alerts started long ago is flushed without group_wait).
    items.sort(
      (x, y) =>
        (SEVERITY_ORDER[x.entry.labels.severity!] ?? 3) - (SEVERITY_ORDER[y.entry.labels.severity!] ?? 3),
    );
    const retry: string[] = [];
    for (let i = 0; i < items.length; i += this.s.maxBatch) {
      const batch = items.slice(i, i + this.s.maxBatch);
      if (this.signal.aborted) {
        retry.push(...batch.map((b) => b.fp));
        continue;
      }
      const reply = await this.#send(batch.map((b) => postable(b.entry, now, this.s.endsAheadMs)));
      if (reply.ok) {
        this.stats.posts++;
        this.stats.alerts += batch.length;
        continue;
      }
      if (reply.status === 400 || reply.status === 422) {
        // Alertmanager took the valid ones and names no alert: each alone tells which it refused.
        for (const b of batch) {
          const r =
            batch.length === 1 ? reply : await this.#send([postable(b.entry, now, this.s.endsAheadMs)]);
          if (r.ok) {
            this.stats.posts++;
            this.stats.alerts++;
          } else if (r.status === 400 || r.status === 422) {
            this.#refuse(b.fp, b.v, b.entry, r);
          } else {
            this.#failed(r);
            retry.push(b.fp);
          }
        }
        continue;
      }
      this.#failed(reply);
      retry.push(...batch.map((b) => b.fp));
    }
    return retry;
  }

  #send(alerts: readonly unknown[]): Promise<AmReply> {
    return postAlerts(this.endpoint, alerts, {
      ...(this.o.fetch && { fetch: this.o.fetch }),
      ...(this.o.httpTimeoutMs !== undefined && { timeoutMs: this.o.httpTimeoutMs }),
    });
  }

  #failed(r: Extract<AmReply, { ok: false }>): void {
    this.stats.failures++;
    const hint =
      r.status === 404
        ? ': is the URL the Alertmanager base URL (http://alertmanager:9093)?'
        : r.status === 401 || r.status === 403
          ? ': Alertmanager, or a proxy before it, wants credentials'
          : r.status === 413
            ? ': the request is too large; lower the batch size'
            : '';
    this.stats.last_error = `${r.status !== undefined ? `HTTP ${r.status}: ` : ''}${r.reason}${hint}`;
  }

  #refuse(fp: string, v: number, e: AmEntry, r: Extract<AmReply, { ok: false }>): void {
    this.stats.rejected++;
    this.#refused.set(fp, v);
    const msg =
      `Alertmanager ${this.endpoint} refused alert ${e.annotations.alert_id ?? fp} ` +
      `(alertname=${e.labels.alertname}, subject=${e.labels.subject}): field ${r.field ?? 'unknown'}: ${r.reason} ` +
      `(HTTP ${r.status}). It is not sent again until it changes; the labels and times come from ` +
      'processors/alerting/alertmanager/payload.ts: report this line with the alert from the bus ' +
      '(yibao-monitor alerts …) if the alert looks right';
    this.stats.last_error = msg;
    this.log.error({ alertmanager: this.endpoint, fingerprint: fp, field: r.field, status: r.status }, msg);
  }
}

export type AlertmanagerPusher = {
  readonly durable: string;
  readonly endpoints: readonly string[];
  /** Settles when the pusher stops; rejects when it failed (the state bucket unreachable for good). */
  readonly done: Promise<void>;
  stats(): AlertmanagerStats;
  /** Wakes every target for a full re-send now (tests; the timer does it every resendMs). */
  resendNow(): void;
  stop(): Promise<void>;
};

export async function startAlertmanagerPusher(
  nc: NatsConnection,
  opts: AlertmanagerPusherOptions,
): Promise<AlertmanagerPusher> {
  const s = compileAlertmanagerSettings(opts);
  const retry = compileRetryPolicy(opts.retry);
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? silent;
  const stream = opts.stream ?? ALERT_STREAM;
  const durable = opts.durable ?? ALERTMANAGER_DURABLE;
  const message = opts.message ?? {};
  const abort = new AbortController();
  const js: JetStreamClient = jetstream(nc);
  const ensureConsumer = async () => {
    const jsm = await jetstreamManager(nc);
    await ensureAlertStream(jsm, {
      name: stream,
      ...(opts.subjectPrefix && { subjects: [`${opts.subjectPrefix}.>`] }),
    });
    await ensureDurableConsumer(jsm, stream, {
      durable,
      filter_subjects: [`${opts.subjectPrefix ?? ALERT_SUBJECT_PREFIX}.>`],
      ack_wait_ms: opts.ackWaitMs ?? 60_000,
      deliver: opts.start ?? 'all',
      max_ack_pending: 1_000,
    });
  };
  let messages: ConsumerMessages;
  try {
    await ensureConsumer();
  } catch (err) {
    throw wrapNats(err, `cannot read ${stream} with consumer ${durable}`);
  }
  const state = await AmState.open(nc, opts.bucket ?? ALERTMANAGER_BUCKET);
  const counts = { received: 0, invalid: 0, stale: 0 };
  const targets = opts.urls.map((u) => new AmTarget(u, state, s, opts, retry, clock, log, abort.signal));
  const changed = (fp: string) => {
    for (const t of targets) t.changed(fp);
  };

  const withRetry = async <T>(what: string, op: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await op();
      } catch (err) {
        if (!isRetriableNatsError(err) || abort.signal.aborted) throw wrapNats(err, `cannot ${what}`);
        const delay = backoffDelay(retry, attempt);
        log.warn({ attempt, delay_ms: delay, err }, `cannot ${what}; retrying`);
        await sleep(delay, abort.signal);
      }
    }
  };

  /** One alert from the bus into the state. */
  const apply = async (a: Alert): Promise<void> => {
    const now = clock.now();
    const identity = identityKey(a);
    const current = state.ofIdentity(identity);
    const eventAt = Date.parse(a.raised_at);
    if (a.status === 'firing') {
      if (current.some(([, e]) => e.resolvedAt !== undefined && e.resolvedAt >= eventAt)) {
        counts.stale++;
        return;
      }
      const open = current.find(([, e]) => e.resolvedAt === undefined)?.[1];
      if (open && open.raisedAt > eventAt) {
        counts.stale++;
        return;
      }
      const entry = firingEntry(a, message, now, open);
      const fp = fingerprint(entry.labels);
      // Another severity is another Alertmanager alert (labels are identity): the one it supersedes
      // resolves now (inhibited meanwhile by the key alert of the same subject, alertmanager.yml).
      for (const [oldFp, old] of current) {
        if (oldFp === fp || old.resolvedAt !== undefined) continue;
        await withRetry('write the Alertmanager state', () =>
          state.put(oldFp, { ...old, resolvedAt: Math.max(old.startsAt, eventAt), seenAt: now }),
        );
        changed(oldFp);
      }
      await withRetry('write the Alertmanager state', () => state.put(fp, entry));
      changed(fp);
      return;
    }
    const open = current.filter(([, e]) => e.resolvedAt === undefined);
    if (open.length === 0) {
      if (current.length > 0) return; // resolved already: a redelivery
      // A resolve whose raise this state never held (it started with `new`, or lost its bucket):
      // posted all the same, so an Alertmanager that has the raise from before resolves it.
      const base = firingEntry(a, message, now);
      const entry = resolvedEntry(base, a, message, now);
      const fp = fingerprint(entry.labels);
      await withRetry('write the Alertmanager state', () => state.put(fp, entry));
      changed(fp);
      return;
    }
    for (const [fp, e] of open) {
      await withRetry('write the Alertmanager state', () => state.put(fp, resolvedEntry(e, a, message, now)));
      changed(fp);
    }
  };

  /** Drops what no longer needs posting: resolved past the retention, firing not raised for maxFiringMs. */
  const sweep = async (): Promise<void> => {
    const now = clock.now();
    for (const [fp, e] of [...state.entries]) {
      const age = now - e.seenAt;
      const done = e.resolvedAt !== undefined ? age > s.resolvedRetentionMs : age > s.maxFiringMs;
      if (done) await withRetry('write the Alertmanager state', () => state.delete(fp));
    }
  };

  const handle = async (m: JsMsg): Promise<void> => {
    const d = decodeAlert(m.data);
    if (!d.ok) {
      counts.invalid++;
      log.error({ seq: m.seq, subject: m.subject, error: d.error }, 'not an alert; dropped');
      m.term(d.error);
      return;
    }
    await apply(d.alert);
    counts.received++;
    m.ack();
  };

  try {
    const consumer = await js.consumers.get(stream, durable);
    messages = await consumer.consume({ max_messages: 200, expires: 10_000 });
  } catch (err) {
    throw wrapNats(err, `cannot read ${stream} with consumer ${durable}`);
  }

  const pump = async () => {
    for await (const m of messages) {
      if (abort.signal.aborted) {
        m.nak();
        continue;
      }
      await handle(m);
    }
  };
  // As the channel dispatcher: a server restarted without its store lost the stream and the durable.
  const watch = async () => {
    let recreating = false;
    for await (const st of messages.status()) {
      if (
        st.type !== 'consumer_not_found' &&
        st.type !== 'stream_not_found' &&
        st.type !== 'consumer_deleted'
      )
        continue;
      if (recreating || abort.signal.aborted) continue;
      recreating = true;
      ensureConsumer().then(
        () => {
          recreating = false;
          log.warn({ consumer: durable, event: st.type }, 'the bus consumer was gone: created again');
        },
        (err: unknown) => {
          recreating = false;
          log.warn(
            { consumer: durable, event: st.type, err },
            'the bus consumer is gone and cannot be created yet',
          );
        },
      );
    }
  };
  void watch();

  const timer = setInterval(() => {
    sweep().then(
      () => {
        for (const t of targets) t.requestResend();
      },
      (err: unknown) => log.error({ err }, 'cannot sweep the Alertmanager state'),
    );
  }, s.resendMs);
  timer.unref();
  // What a previous run left firing goes out at once (an Alertmanager restarted meanwhile has none).
  if (state.entries.size > 0) for (const t of targets) t.requestResend();

  const done = Promise.all([pump(), ...targets.map((t) => t.run())])
    .then(() => undefined)
    .finally(() => clearInterval(timer));
  done.catch((err: unknown) => {
    log.error({ err }, 'the Alertmanager pusher stopped on an error');
    abort.abort();
    for (const t of targets) t.wake();
    void messages.close();
  });
  log.info(
    {
      consumer: durable,
      alertmanagers: targets.map((t) => t.endpoint),
      resend_ms: s.resendMs,
      ends_ahead_ms: s.endsAheadMs,
    },
    'Alertmanager pusher started',
  );

  return {
    durable,
    endpoints: targets.map((t) => t.endpoint),
    done,
    stats: () => {
      let firing = 0;
      for (const e of state.entries.values()) if (e.resolvedAt === undefined) firing++;
      return {
        ...counts,
        firing,
        resolved: state.entries.size - firing,
        targets: targets.map((t) => ({ ...t.stats })),
      };
    },
    resendNow: () => {
      for (const t of targets) t.requestResend();
    },
    stop: async () => {
      abort.abort();
      for (const t of targets) t.wake();
      await messages.close();
      await done.catch(() => undefined);
    },
  };
}

/** For tests: removes the state bucket. */
export async function destroyAlertmanagerState(nc: NatsConnection, bucket: string): Promise<void> {
  const state = await AmState.open(nc, bucket);
  await state.destroy();
}
