/**
 * Dedup by event_id with bounded memory: ids are remembered with their event-time day and
 * forgotten once the day is older than the horizon. A duplicate arriving within the horizon
 * changes nothing; supervision facts are also deduplicated for good by the credit ledger itself.
 */
import { DAY_MS } from '../rules/engine/time.ts';
import { itemSchema, type MonitorEvent, RECORD_SCHEMAS, RECORD_TYPES } from '../schemas/events.ts';

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

const NEW: DedupVerdict = Object.freeze({ kind: 'new' });
const DUPLICATE: DedupVerdict = Object.freeze({ kind: 'duplicate' });

/** Record types whose re-sending is a duplicate even under a new event_id: their business key is setl_id. */
type Keyed = 'settlement' | 'settlement_reversal';
const keyedOf = (e: MonitorEvent): Keyed | undefined =>
  e.type === 'settlement' || e.type === 'settlement_reversal' ? e.type : undefined;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const mix = (h: number, x: number) => Math.imul(h ^ x, 0x01000193);

/**
 * Each record type's fields but event_id in the schema's order, the order decode gives them in
 * (a fast path's or zod's output): a fingerprint's hashes follow it, so no names are listed or
 * looked up per record. A fee line's fields follow the item schema's. Each RecordDedup holds its
 * own copies (state), so a restored instance shares them with its fingerprints as the original did.
 */
const LAYOUTS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  RECORD_TYPES.map((t) => [t, Object.keys(RECORD_SCHEMAS[t].shape).filter((k) => k !== 'event_id')]),
);
const ITEM_LAYOUT: readonly string[] = Object.keys(itemSchema.shape);

/** An object's fields in `layout`'s order: each field mixed in by its place, not its name's characters. */
function hashLaid(h: number, o: Record<string, unknown>, layout: readonly string[]): number | undefined {
  let p = 0;
  for (const k in o) {
    while (p < layout.length && layout[p] !== k) p++;
    if (p === layout.length) return undefined;
    h = hashInto(mix(h, p++), o[k]);
  }
  return h;
}

/**
 * FNV-1a over a field's value, walked in place (this runs for every field of every record, so no
 * JSON text is built): equal values give equal hashes, and each type is tagged so "1" ≠ 1. Two
 * UTF-16 units are mixed per step.
 */
function hashInto(h: number, v: unknown): number {
  if (typeof v === 'string') {
    h = mix(h, 1);
    const n = v.length;
    let i = 0;
    for (; i + 1 < n; i += 2) h = mix(h, v.charCodeAt(i) | (v.charCodeAt(i + 1) << 16));
    if (i < n) h = mix(h, v.charCodeAt(i));
    return mix(h, n);
  }
  if (typeof v === 'number') {
    f64[0] = v;
    return mix(mix(mix(h, 2), u32[0]!), u32[1]!);
  }
  if (typeof v === 'boolean') return mix(h, v ? 3 : 4);
  if (v === null || v === undefined) return mix(h, 5);
  if (Array.isArray(v)) {
    h = mix(h, 6);
    for (let i = 0; i < v.length; i++) h = hashInto(h, v[i]);
    return mix(h, v.length);
  }
  const o = v as Record<string, unknown>;
  const laid = hashLaid(mix(h, 9), o, ITEM_LAYOUT);
  if (laid !== undefined) return mix(laid, 8);
  h = mix(h, 7);
  for (const k in o) h = hashInto(hashInto(h, k), o[k]);
  return mix(h, 8);
}

/** A field's hash; never ABSENT, which stands for a field the record does not have. */
const ABSENT = 0;
const fieldHash = (v: unknown): number => hashInto(0x811c9dc5, v) | 0 || 1;

/** A record's content: the hash of each field but event_id, ~260 bytes per settlement kept (19 slots). */
type Fingerprint = {
  readonly day: number;
  /** What `hashes` follow: the record type's layout (shared) or, off it, the record's own field names. */
  readonly names: readonly string[];
  /** Per name, the field's hash or ABSENT. */
  readonly hashes: readonly number[];
  /** The business key's map and setl_id, forgotten with the record. */
  readonly keyed: Keyed | undefined;
  readonly setl: string | undefined;
};

function fingerprint(
  e: MonitorEvent,
  day: number,
  keyed: Keyed | undefined,
  layouts: ReadonlyMap<string, readonly string[]>,
): Fingerprint {
  const record = e as Record<string, unknown>;
  const setl = keyed === undefined ? undefined : (e as { setl_id: string }).setl_id;
  const layout = layouts.get(e.type);
  if (layout !== undefined) {
    // One pass: fields in the layout's order are hashed where they stand, missing ones ABSENT.
    const hashes = new Array<number>(layout.length).fill(ABSENT);
    let p = 0;
    let laid = true;
    for (const k in record) {
      if (k === 'event_id') continue;
      while (p < layout.length && layout[p] !== k) p++;
      if (p === layout.length) {
        laid = false; // a field off the layout (or out of its order): names of its own
        break;
      }
      hashes[p++] = fieldHash(record[k]);
    }
    if (laid) return { day, names: layout, hashes, keyed, setl };
  }
  const names = Object.keys(record).filter((k) => k !== 'event_id');
  return { day, names, hashes: names.map((k) => fieldHash(record[k])), keyed, setl };
}

/** The fields whose hashes differ, sorted; a field one record has and the other has not differs. */
function differing(a: Fingerprint, b: Fingerprint): string[] {
  if (a.names === b.names) {
    const out: string[] = [];
    for (let i = 0; i < a.hashes.length; i++) if (a.hashes[i] !== b.hashes[i]) out.push(a.names[i]!);
    return out.sort();
  }
  const of = (f: Fingerprint) => {
    const m = new Map<string, number>();
    for (let i = 0; i < f.names.length; i++) if (f.hashes[i] !== ABSENT) m.set(f.names[i]!, f.hashes[i]!);
    return m;
  };
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
  /** Per keyed record type, setl_id → the event_id of the first record with it. */
  private readonly byKey: Record<Keyed, Map<string, string>> = {
    settlement: new Map(),
    settlement_reversal: new Map(),
  };
  private readonly byDay = new Map<number, string[]>();
  /**
   * Event ids whose content was replaced while still held (an id forgotten by `ids` before its
   * content was: a shorter id horizon): a business key may still name them, so while any is
   * held, forgetting sweeps every business key.
   */
  private readonly replaced = new Set<string>();
  /** LAYOUTS, this instance's copy (see there). */
  private readonly layouts: ReadonlyMap<string, readonly string[]> = new Map(
    Object.entries(LAYOUTS).map(([type, names]) => [type, [...names]]),
  );
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
    const keyed = keyedOf(e);
    const keys = keyed === undefined ? undefined : this.byKey[keyed];
    const setl = keyed === undefined ? undefined : (e as { setl_id: string }).setl_id;
    const firstId = fresh ? keys?.get(setl!) : e.event_id;
    if (firstId !== undefined) {
      const first = this.content.get(firstId);
      if (!first) return DUPLICATE;
      const fields = differing(first, fingerprint(e, day, keyed, this.layouts));
      if (fields.length === 0) return DUPLICATE;
      return fresh
        ? { kind: 'conflict', key: 'setl_id', value: setl!, fields }
        : { kind: 'conflict', key: 'event_id', value: e.event_id, fields };
    }
    const held = this.content.size;
    this.content.set(e.event_id, fingerprint(e, day, keyed, this.layouts));
    if (this.content.size === held) this.replaced.add(e.event_id);
    keys?.set(setl!, e.event_id);
    const list = this.byDay.get(day);
    if (list) list.push(e.event_id);
    else this.byDay.set(day, [e.event_id]);
    if (day > this.newestDay) this.forgetBefore((this.newestDay = day) - this.contentHorizonDays);
    return NEW;
  }

  /** Contents of days before `day` go, with the business keys naming them (not a walk over every key). */
  private forgetBefore(day: number): void {
    for (const [d, list] of this.byDay) {
      if (d >= day) continue;
      for (const id of list) {
        const f = this.content.get(id);
        if (f?.day !== d) continue;
        this.content.delete(id);
        if (f.keyed === undefined) continue;
        const keys = this.byKey[f.keyed];
        if (keys.get(f.setl!) === id) keys.delete(f.setl!);
      }
      this.byDay.delete(d);
    }
    if (this.replaced.size === 0) return;
    for (const keys of Object.values(this.byKey))
      for (const [k, id] of keys) if (!this.content.has(id)) keys.delete(k);
    for (const id of this.replaced) if (!this.content.has(id)) this.replaced.delete(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
