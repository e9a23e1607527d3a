/**
 * RecordDedup (processors/dedup.ts) against a plain reference: the same verdicts — new,
 * duplicate, or a conflict naming the same key, value and fields — as a dedup that keeps every
 * first record's fields as JSON text and sweeps every business key when it forgets, on random
 * sequences of re-sent, changed and out-of-order records over days of event time (contents
 * forgotten after their horizon), with both horizons short enough to be crossed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DedupVerdict, EventIdDedup, RecordDedup } from '../../../processors/dedup.ts';
import { createStateCodec } from '../../../processors/state/codec.ts';
import { DAY_MS } from '../../../rules/engine/time.ts';
import type { MonitorEvent } from '../../../schemas/events.ts';

type Rec = Record<string, unknown>;

/** The dedup as first written (issue 16), with each field's JSON text for its hash. */
class Reference {
  private readonly ids: EventIdDedup;
  private readonly content = new Map<string, { day: number; fields: Map<string, string> }>();
  private readonly byKey = new Map<string, string>();
  private readonly byDay = new Map<number, string[]>();
  private newestDay = Number.NEGATIVE_INFINITY;

  constructor(
    idHorizonDays: number,
    private readonly contentHorizonDays: number,
  ) {
    this.ids = new EventIdDedup(idHorizonDays);
  }

  private static fields(e: Rec) {
    return new Map(
      Object.entries(e)
        .filter(([k]) => k !== 'event_id')
        .map(([k, v]) => [k, JSON.stringify(v)]),
    );
  }

  check(e: Rec, t: number): DedupVerdict {
    const day = Math.floor(t / DAY_MS);
    const id = e.event_id as string;
    const fresh = this.ids.firstSeen(id, t);
    const key =
      e.type === 'settlement' || e.type === 'settlement_reversal' ? `${e.type}|${e.setl_id}` : undefined;
    const firstId = fresh ? (key !== undefined ? this.byKey.get(key) : undefined) : id;
    if (firstId !== undefined) {
      const first = this.content.get(firstId);
      if (!first) return { kind: 'duplicate' };
      const mine = Reference.fields(e);
      const names = new Set([...first.fields.keys(), ...mine.keys()]);
      const fields = [...names].filter((k) => first.fields.get(k) !== mine.get(k)).sort();
      if (fields.length === 0) return { kind: 'duplicate' };
      return fresh
        ? { kind: 'conflict', key: 'setl_id', value: e.setl_id as string, fields }
        : { kind: 'conflict', key: 'event_id', value: id, fields };
    }
    this.content.set(id, { day, fields: Reference.fields(e) });
    if (key !== undefined) this.byKey.set(key, id);
    const list = this.byDay.get(day);
    if (list) list.push(id);
    else this.byDay.set(day, [id]);
    if (day > this.newestDay) {
      this.newestDay = day;
      const before = day - this.contentHorizonDays;
      for (const [d, ids] of this.byDay) {
        if (d >= before) continue;
        for (const x of ids) if (this.content.get(x)?.day === d) this.content.delete(x);
        this.byDay.delete(d);
      }
      for (const [k, x] of this.byKey) if (!this.content.has(x)) this.byKey.delete(k);
    }
    return { kind: 'new' };
  }
}

const T0 = Date.parse('2026-03-02T00:00:00+08:00');

/** A record of a small world (few ids, few setl_ids, few values), so re-sends and changes are common. */
const step = fc.record({
  type: fc.constantFrom('settlement', 'settlement', 'settlement_reversal', 'claim_audit', 'institution'),
  id: fc.integer({ min: 0, max: 7 }),
  setl: fc.integer({ min: 0, max: 4 }),
  amount: fc.constantFrom(1, 2, 2.5),
  cash: fc.option(fc.constantFrom(0, 1), { nil: undefined }),
  items: fc.option(
    fc.array(fc.record({ code: fc.constantFrom('A', 'B'), cnt: fc.constantFrom(1, 2), days: fc.boolean() }), {
      maxLength: 2,
    }),
    { nil: undefined },
  ),
  /** Event time moves on by 0–2 days, or back by one (out of order). */
  days: fc.constantFrom(0, 0, 0, 1, 2, -1),
  hour: fc.integer({ min: 0, max: 23 }),
  /** Off the schema's layout: an extra field, or keys in another order. */
  odd: fc.constantFrom(undefined, undefined, undefined, undefined, 'extra', 'reversed'),
});
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

function recordOf(s: Step, t: number): Rec {
  const at = new Date(t + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
  let r: Rec;
  switch (s.type) {
    case 'settlement':
      r = {
        type: 'settlement',
        event_id: `e${s.id}`,
        occurred_at: at,
        setl_id: `S${s.setl}`,
        psn_no: 'ps_x',
        fixmedins_code: 'H51010700001',
        medfee_sumamt: s.amount,
        fund_pay_sumamt: 1,
        ...(s.cash !== undefined && { psn_cash_pay: s.cash }),
        ...(s.items !== undefined && {
          items: s.items.map((i) => ({
            hilist_code: i.code,
            list_type: '101',
            cnt: i.cnt,
            pric: 1,
            det_item_fee_sumamt: i.cnt,
            ...(i.days && { days_supply: 7 }),
          })),
        }),
      };
      break;
    case 'settlement_reversal':
      r = { type: s.type, event_id: `e${s.id}`, occurred_at: at, setl_id: `S${s.setl}`, psn_no: 'ps_x' };
      break;
    case 'claim_audit':
      r = {
        type: s.type,
        event_id: `e${s.id}`,
        occurred_at: at,
        setl_id: `S${s.setl}`,
        reduced_amount: s.amount,
      };
      break;
    default:
      r = { type: s.type, event_id: `e${s.id}`, occurred_at: at, name: `n${s.setl}` };
  }
  if (s.odd === 'extra') r.extra = s.amount;
  if (s.odd === 'reversed') r = Object.fromEntries(Object.entries(r).reverse());
  return r;
}

function run(steps: readonly Step[], idHorizonDays: number, contentHorizonDays: number) {
  const dedup = new RecordDedup(idHorizonDays, contentHorizonDays);
  const reference = new Reference(idHorizonDays, contentHorizonDays);
  let day = 0;
  const verdicts: string[] = [];
  for (const s of steps) {
    day = Math.max(0, day + s.days);
    const t = T0 + day * DAY_MS + s.hour * 3_600_000;
    const r = recordOf(s, t);
    const got = dedup.check(r as unknown as MonitorEvent, t);
    expect(got, JSON.stringify(r)).toEqual(reference.check(r, t));
    verdicts.push(got.kind);
  }
  return verdicts;
}

describe('RecordDedup', () => {
  it('answers as the reference on random feeds: duplicates, conflicts and forgetting over days', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), (steps) => {
        for (const v of run(steps, 400, 3)) seen.add(v);
      }),
      { numRuns: 400 },
    );
    // The feeds reached every verdict: the comparison can fail on each.
    expect([...seen].sort()).toEqual(['conflict', 'duplicate', 'new']);
  });

  it('answers as the reference when ids are forgotten before contents (a record id reused with a new setl_id)', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), (steps) => {
        run(steps, 1, 3);
      }),
      { numRuns: 400 },
    );
  });

  it('forgets a business key whose record id was reused for another setl_id once that content goes', () => {
    const at = (day: number) => T0 + day * DAY_MS;
    const settle = (id: number, setl: number, day: number) =>
      recordOf(
        {
          type: 'settlement',
          id,
          setl,
          amount: 1,
          cash: undefined,
          items: undefined,
          days: 0,
          hour: 0,
          odd: undefined,
        },
        at(day),
      );
    const steps: [Rec, number][] = [
      [settle(1, 1, 0), 0],
      [
        recordOf(
          {
            type: 'claim_audit',
            id: 6,
            setl: 0,
            amount: 1,
            cash: undefined,
            items: undefined,
            days: 0,
            hour: 0,
            odd: undefined,
          },
          at(2),
        ),
        2,
      ],
      [settle(1, 2, 2), 2], // e1 forgotten by the id horizon (1 day), its content (3 days) not yet
      [settle(5, 1, 3), 3], // S1 still names e1, now holding the S2 record
      [settle(7, 3, 6), 6], // e1's content goes, and with it S1 and S2
      [settle(8, 1, 6), 6], // so S1 is new again
    ];
    const dedup = new RecordDedup(1, 3);
    const kinds = steps.map(([r, day]) => dedup.check(r as unknown as MonitorEvent, at(day)).kind);
    expect(kinds).toEqual(['new', 'new', 'new', 'conflict', 'new', 'new']);
    const reference = new Reference(1, 3);
    expect(steps.map(([r, day]) => reference.check(r, at(day)).kind)).toEqual(kinds);
  });

  it('restored from a snapshot, answers as the original does on what follows', () => {
    const codec = createStateCodec({ RecordDedup, EventIdDedup });
    fc.assert(
      fc.property(fc.array(step, { minLength: 2, maxLength: 80 }), fc.nat(), (steps, cut) => {
        const at = 1 + (cut % (steps.length - 1));
        const original = new RecordDedup(400, 3);
        let day = 0;
        const timed = steps.map((s) => {
          day = Math.max(0, day + s.days);
          const t = T0 + day * DAY_MS + s.hour * 3_600_000;
          return { r: recordOf(s, t) as unknown as MonitorEvent, t };
        });
        for (const { r, t } of timed.slice(0, at)) original.check(r, t);
        const restored = codec.decode<RecordDedup>(codec.encode(original));
        expect(restored).toBeInstanceOf(RecordDedup);
        for (const { r, t } of timed.slice(at)) expect(restored.check(r, t)).toEqual(original.check(r, t));
      }),
      { numRuns: 200 },
    );
  });

  it('names the differing fields of a conflict, sorted, including one the first record lacked', () => {
    const dedup = new RecordDedup(400);
    const t = T0;
    const first = recordOf(
      {
        type: 'settlement',
        id: 1,
        setl: 1,
        amount: 1,
        cash: undefined,
        items: [],
        days: 0,
        hour: 0,
        odd: undefined,
      },
      t,
    );
    expect(dedup.check(first as unknown as MonitorEvent, t)).toEqual({ kind: 'new' });
    const changed = { ...first, medfee_sumamt: 2, psn_cash_pay: 0, items: [{ hilist_code: 'A' }] };
    expect(dedup.check(changed as unknown as MonitorEvent, t)).toEqual({
      kind: 'conflict',
      key: 'event_id',
      value: 'e1',
      fields: ['items', 'medfee_sumamt', 'psn_cash_pay'],
    });
    const resent = { ...first, event_id: 'e2', occurred_at: '2026-03-02T00:00:01+08:00' };
    expect(dedup.check(resent as unknown as MonitorEvent, t)).toEqual({
      kind: 'conflict',
      key: 'setl_id',
      value: 'S1',
      fields: ['occurred_at'],
    });
    expect(dedup.check({ ...first, event_id: 'e3' } as unknown as MonitorEvent, t)).toEqual({
      kind: 'duplicate',
    });
  });
});
