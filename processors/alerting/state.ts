/**
 * Acknowledgements and silences in two JetStream KV buckets, `ALERT_ACKS` (key: alert id) and
 * `ALERT_SILENCES` (key: silence id). The CLI writes them; the dispatcher watches the silences.
 */
import { randomUUID } from 'node:crypto';
import { type JetStreamClient, type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { MonitorError } from '../../schemas/errors.ts';
import { wrapNats } from './bus.ts';
import {
  type AlertAck,
  buildSilence,
  type Silence,
  type SilenceChecks,
  type SilenceRequest,
} from './silences.ts';

export const ALERT_ACKS_BUCKET = 'ALERT_ACKS';
export const ALERT_SILENCES_BUCKET = 'ALERT_SILENCES';

const KV_KEY = /^[-/=\w]+(?:\.[-/=\w]+)*$/;

export type AlertStateOptions = { readonly acksBucket?: string; readonly silencesBucket?: string };

/** A live view of the silences bucket: `list()` is current within a round trip of any change. */
export type SilenceWatch = { list(): readonly Silence[]; stop(): Promise<void> };

export class AlertState {
  private constructor(
    readonly acks: KV,
    readonly silences: KV,
    /** The keys the silences bucket holds, from its stream's subjects (a request with a timeout). */
    private readonly silenceKeys: () => Promise<string[]>,
    /** The same for the acknowledgements bucket. */
    private readonly ackKeys: () => Promise<string[]>,
  ) {}

  /** Opens both buckets, creating them when missing. */
  static async open(
    nats: NatsConnection | JetStreamClient,
    opts: AlertStateOptions = {},
  ): Promise<AlertState> {
    const kvm = new Kvm(nats);
    const acksName = opts.acksBucket ?? ALERT_ACKS_BUCKET;
    const silencesName = opts.silencesBucket ?? ALERT_SILENCES_BUCKET;
    const jsm = (): Promise<JetStreamManager> =>
      'jetstreamManager' in nats ? nats.jetstreamManager(false) : jetstreamManager(nats, { checkAPI: false });
    const keysOf = (bucket: string) => async () => {
      const keyPrefix = `$KV.${bucket}.`;
      const info = await (await jsm()).streams.info(`KV_${bucket}`, {
        subjects_filter: `${keyPrefix}>`,
      });
      return Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(keyPrefix.length));
    };
    try {
      return new AlertState(
        await kvm.create(acksName, { history: 5, description: 'alert acknowledgements: who, when, note' }),
        await kvm.create(silencesName, {
          history: 5,
          description: 'alert silences: matcher, until, who, why',
        }),
        keysOf(silencesName),
        keysOf(acksName),
      );
    } catch (err) {
      throw wrapNats(err, `cannot open the KV buckets ${acksName} and ${silencesName}`);
    }
  }

  async ack(alertId: string, who: { by: string; note?: string }, now = Date.now()): Promise<AlertAck> {
    if (!KV_KEY.test(alertId)) {
      throw new MonitorError(
        'CONFIG_INVALID',
        `${JSON.stringify(alertId)} is not an alert id (e.g. alert-3kq…)`,
      );
    }
    if (who.by.trim() === '')
      throw new MonitorError('CONFIG_INVALID', 'an acknowledgement needs --by: who acknowledges');
    const ack: AlertAck = {
      alert_id: alertId,
      by: who.by.trim(),
      at: new Date(now).toISOString(),
      ...(who.note !== undefined && who.note.trim() !== '' && { note: who.note.trim() }),
    };
    await this.#put(this.acks, alertId, ack);
    return ack;
  }

  async getAck(alertId: string): Promise<AlertAck | null> {
    if (!KV_KEY.test(alertId)) return null;
    const e = await this.acks.get(alertId);
    return e && e.operation === 'PUT' ? e.json<AlertAck>() : null;
  }

  /** The newest acknowledgement of every alert acknowledged, by alert id. */
  async listAcks(): Promise<AlertAck[]> {
    const out: AlertAck[] = [];
    for (const k of await this.ackKeys()) {
      const e = await this.acks.get(k);
      if (e && e.operation === 'PUT') out.push(e.json<AlertAck>());
    }
    return out.sort((a, b) => a.alert_id.localeCompare(b.alert_id));
  }

  /** Checks and records a silence (silences.ts `buildSilence`: scope, duration, rule when `checks` says how). */
  async silence(req: SilenceRequest, now = Date.now(), checks: SilenceChecks = {}): Promise<Silence> {
    const s = buildSilence(req, `sil-${randomUUID().slice(0, 8)}`, now, checks);
    await this.#put(this.silences, s.id, s);
    return s;
  }

  /** Silences in force at `now`, soonest to end first; `includeExpired` adds the ended ones. */
  async listSilences(opts: { now?: number; includeExpired?: boolean } = {}): Promise<Silence[]> {
    const now = opts.now ?? Date.now();
    const all = [...(await readAll(this.silences, this.silenceKeys)).values()].map((e) => e.silence);
    return all
      .filter((s) => opts.includeExpired || Date.parse(s.until) > now)
      .sort((a, b) => a.until.localeCompare(b.until) || a.id.localeCompare(b.id));
  }

  /** Removes a silence; false when there is none with that id. */
  async unsilence(id: string): Promise<boolean> {
    return (await this.liftSilence(id)) !== null;
  }

  /** Removes a silence and returns it as it was; null when there is none with that id. */
  async liftSilence(id: string): Promise<Silence | null> {
    if (!KV_KEY.test(id)) return null;
    const e = await this.silences.get(id);
    if (e?.operation !== 'PUT') return null;
    const silence = e.json<Silence>();
    await this.silences.delete(id);
    return silence;
  }

  /**
   * Loads the silences, then keeps them current from the bucket's watch. Each key keeps its newest
   * revision, so a watch update and the initial read can arrive in either order.
   *
   * The bucket is also read again every `resyncMs`: after a server restart without its store the
   * bucket is made anew and its revisions start at 1 again, below where nats.js resumes its watch,
   * so the watch alone would miss new silences. Silences known before the loss are kept.
   */
  async watchSilences(opts: { resyncMs?: number } = {}): Promise<SilenceWatch> {
    const current = new Map<string, { revision: number; silence: Silence | null }>();
    const apply = (e: KvEntry) => {
      const known = current.get(e.key);
      if (known && known.revision >= e.revision) return;
      current.set(e.key, { revision: e.revision, silence: e.operation === 'PUT' ? e.json<Silence>() : null });
    };
    const watch = await this.silences.watch();
    const pump = (async () => {
      for await (const e of watch) apply(e);
    })();
    const merge = (read: Map<string, { revision: number; silence: Silence }>) => {
      for (const [key, v] of read) {
        const known = current.get(key);
        if (!known || known.revision < v.revision) current.set(key, v);
      }
    };
    merge(await readAll(this.silences, this.silenceKeys));
    let resyncing = false;
    const resync = setInterval(() => {
      if (resyncing) return;
      resyncing = true;
      readAll(this.silences, this.silenceKeys)
        .then(merge, () => undefined) // the server is away or the bucket gone: the next round
        .finally(() => {
          resyncing = false;
        });
    }, opts.resyncMs ?? 15_000);
    resync.unref();
    return {
      list: () => [...current.values()].flatMap((v) => (v.silence ? [v.silence] : [])),
      stop: async () => {
        clearInterval(resync);
        watch.stop();
        await pump.catch(() => undefined);
      },
    };
  }

  /** Deletes both buckets (tests). */
  async destroy(): Promise<void> {
    await this.acks.destroy();
    await this.silences.destroy();
  }

  async #put(kv: KV, key: string, value: unknown): Promise<void> {
    try {
      await kv.put(key, JSON.stringify(value));
    } catch (err) {
      throw wrapNats(err, `cannot write ${key}`);
    }
  }
}

/**
 * Every silence the bucket holds. The keys come from the stream's subjects, not `kv.keys()`: its
 * consumer waits for ever when the server goes away mid-read, and a resync must end.
 */
async function readAll(
  kv: KV,
  keysOf: () => Promise<string[]>,
): Promise<Map<string, { revision: number; silence: Silence }>> {
  const out = new Map<string, { revision: number; silence: Silence }>();
  for (const k of await keysOf()) {
    const e = await kv.get(k);
    if (e && e.operation === 'PUT') out.set(k, { revision: e.revision, silence: e.json<Silence>() });
  }
  return out;
}
