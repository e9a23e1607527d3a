/**
 * Dedup by event_id with bounded memory: ids are remembered with their event-time day and
 * forgotten once the day is older than the horizon. A duplicate arriving within the horizon
 * changes nothing; supervision facts are also deduplicated for good by the credit ledger itself.
 */
import { DAY_MS } from '../rules/engine/time.ts';
import type { MonitorEvent } from '../schemas/events.ts';

export class EventIdDedup {
  private readonly seen = new Map<string, number>();
  private readonly byDay = new Map<number, string[]>();
  private newestDay = Number.NEGATIVE_INFINITY;

  constructor(private readonly horizonDays: number) {}

  /** True when the id is new (and remembers it); false for a duplicate. */
  firstSeen(eventId: string, eventTime: number): boolean {
    if (this.seen.has(eventId)) return false;
    const day = Math.floor(eventTime / DAY_MS);
    this.seen.set(eventId, day);
    const ids = this.byDay.get(day);
    if (ids) ids.push(eventId);
    else this.byDay.set(day, [eventId]);
    if (day > this.newestDay) {
      this.newestDay = day;
      for (const [d, list] of this.byDay) {
        if (d >= day - this.horizonDays) continue;
        for (const id of list) if (this.seen.get(id) === d) this.seen.delete(id);
        this.byDay.delete(d);
      }
    }
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}

/** What `RecordDedup.check` found. */
export type DedupVerdict =
  | { readonly kind: 'new' }
  | { readonly kind: 'duplicate' }
  | {
      readonly kind: 'conflict';
      readonly key: 'event_id' | 'setl_id';
      readonly value: string;
      readonly fields: string[];
    };

/** Records whose re-sending is a duplicate even under a new event_id: the business key. */
function businessKey(e: MonitorEvent): string | undefined {
  switch (e.type) {
    case 'settlement':
    case 'settlement_reversal':
      return `${e.type}|${e.setl_id}`;
    default:
      return undefined;
  }
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const mix = (h: number, x: number) => Math.imul(h ^ x, 0x01000193);

/**
 * FNV-1a over a field's value, walked in place (this runs for every field of every record, so no
 * JSON text is built): equal values give equal hashes, and each type is tagged so "1" ≠ 1.
 */
function hashInto(h: number, v: unknown): number {
  if (typeof v === 'string') {
    h = mix(h, 1);
    for (let i = 0; i < v.length; i++) h = mix(h, v.charCodeAt(i));
    return mix(h, v.length);
  }
  if (typeof v === 'number') {
    f64[0] = v;
    return mix(mix(mix(h, 2), u32[0]!), u32[1]!);
  }
  if (typeof v === 'boolean') return mix(h, v ? 3 : 4);
  if (v === null || v === undefined) return mix(h, 5);
  if (Array.isArray(v)) {
    h = mix(h, 6);
    for (const x of v) h = hashInto(h, x);
    return mix(h, v.length);
  }
  h = mix(h, 7);
  const o = v as Record<string, unknown>;
  for (const k in o) h = hashInto(hashInto(h, k), o[k]);
  return mix(h, 8);
}

const fieldHash = (v: unknown): number => hashInto(0x811c9dc5, v) >>> 0;

/** A record's content: the hash of each field but event_id, ~100 bytes per record kept. */
type Fingerprint = {
  readonly eventId: string;
  readonly names: readonly string[];
  readonly hashes: Uint32Array;
  readonly day: number;
};

/** `shapes` interns the field names: a few shapes per record type, shared by every fingerprint. */
function fingerprint(e: MonitorEvent, day: number, shapes: Map<string, readonly string[]>): Fingerprint {
  // One pass over the fields (this runs for every record): the names' key, then the hashes.
  const record = e as Record<string, unknown>;
  let joined = '';
  let n = 0;
  for (const k in record) {
    if (k === 'event_id') continue;
    joined += `${k},`;
    n++;
  }
  let names = shapes.get(joined);
  if (!names) shapes.set(joined, (names = Object.keys(record).filter((k) => k !== 'event_id')));
  const hashes = new Uint32Array(n);
  for (let i = 0; i < n; i++) hashes[i] = fieldHash(record[names[i]!]);
  return { eventId: e.event_id, names, hashes, day };
}

function differing(a: Fingerprint, b: Fingerprint): string[] {
  const of = (f: Fingerprint) => new Map(f.names.map((n, i) => [n, f.hashes[i]]));
  const x = of(a);
  const y = of(b);
  const names = new Set([...x.keys(), ...y.keys()]);
  return [...names].filter((k) => x.get(k) !== y.get(k)).sort();
}

/**
 * Duplicates by event_id (EventIdDedup's horizon) and by business key (a settlement's or
 * reversal's setl_id), with the content compared (issue 16): a re-sent record identical to the
 * first (apart from its event_id) is a duplicate, dropped; one that differs is a conflicting
 * duplicate, which the caller makes a dead letter naming the fields. Content and business keys
 * are remembered `contentHorizonDays` of event time (an assumption: re-sends come within days;
 * older event_id repeats are plain duplicates). The first record is the one kept.
 */
export class RecordDedup {
  private readonly ids: EventIdDedup;
  private readonly content = new Map<string, Fingerprint>();
  private readonly byKey = new Map<string, string>();
  private readonly byDay = new Map<number, string[]>();
  /** Interned field-name lists (state, so a restored instance shares them as the original did). */
  private readonly shapes = new Map<string, readonly string[]>();
  private newestDay = Number.NEGATIVE_INFINITY;

  constructor(
    idHorizonDays: number,
    private readonly contentHorizonDays = 3,
  ) {
    this.ids = new EventIdDedup(idHorizonDays);
  }

  check(e: MonitorEvent, eventTime: number): DedupVerdict {
    const day = Math.floor(eventTime / DAY_MS);
    const fresh = this.ids.firstSeen(e.event_id, eventTime);
    const key = businessKey(e);
    const firstId = fresh ? (key !== undefined ? this.byKey.get(key) : undefined) : e.event_id;
    if (firstId !== undefined) {
      const first = this.content.get(firstId);
      if (!first) return { kind: 'duplicate' };
      const fields = differing(first, fingerprint(e, day, this.shapes));
      if (fields.length === 0) return { kind: 'duplicate' };
      return fresh
        ? { kind: 'conflict', key: 'setl_id', value: key!.slice(key!.indexOf('|') + 1), fields }
        : { kind: 'conflict', key: 'event_id', value: e.event_id, fields };
    }
    this.content.set(e.event_id, fingerprint(e, day, this.shapes));
    if (key !== undefined) this.byKey.set(key, e.event_id);
    const list = this.byDay.get(day);
    if (list) list.push(e.event_id);
    else this.byDay.set(day, [e.event_id]);
    if (day > this.newestDay) this.forgetBefore((this.newestDay = day) - this.contentHorizonDays);
    return { kind: 'new' };
  }

  private forgetBefore(day: number): void {
    for (const [d, list] of this.byDay) {
      if (d >= day) continue;
      for (const id of list) {
        const f = this.content.get(id);
        if (f?.day !== d) continue;
        this.content.delete(id);
      }
      this.byDay.delete(d);
    }
    for (const [k, id] of this.byKey) if (!this.content.has(id)) this.byKey.delete(k);
  }

  get size(): number {
    return this.ids.size;
  }
}
