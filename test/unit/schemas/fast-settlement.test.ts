/**
 * The hand-written checks (schemas/fast-settlement.ts) answer as zod does: on every record of the
 * types they cover in a simulated feed and in the shared examples they return zod's very object
 * (same keys, same order, same values), also when the keys come in another order, and on records
 * with one field replaced by an arbitrary value they accept only what zod accepts, with the same
 * result.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSimulation } from '../../../processors/simulator/simulate.ts';
import { RECORD_SCHEMAS, type RecordType } from '../../../schemas/events.ts';
import { fastRecord, fastSettlement } from '../../../schemas/fast-settlement.ts';
import { EXAMPLES } from './examples.ts';

type Rec = Record<string, unknown>;

const FAST: readonly RecordType[] = [
  'settlement',
  'settlement_reversal',
  'claim_audit',
  'practitioner',
  'institution',
];

const feed = [...createSimulation({ seed: 3, days: 5, institutions: 150 }).lines()].map(
  (l) => JSON.parse(l) as Rec,
);
const records = (type: RecordType) => [
  ...feed.filter((r) => r.type === type),
  ...EXAMPLES.filter((r) => r.type === type).map((r) => ({ ...r })),
];
const zod = (r: Rec, type = r.type as RecordType) => RECORD_SCHEMAS[type].safeParse(r);

/** The same record with its keys (and its fee lines' keys) in reverse order. */
function reversed(r: Rec): Rec {
  const out: Rec = {};
  for (const k of Object.keys(r).reverse()) {
    const v = r[k];
    out[k] =
      k === 'items' && Array.isArray(v)
        ? v.map((i: unknown) =>
            i !== null && typeof i === 'object' && !Array.isArray(i)
              ? Object.fromEntries(Object.entries(i).reverse())
              : i,
          )
        : v;
  }
  return out;
}

/** Values near the edges of what the schemas allow, and arbitrary JSON. */
const value = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    '',
    'x'.repeat(30),
    'x'.repeat(31),
    'x'.repeat(64),
    'x'.repeat(65),
    '2026-02-30T10:00:00+08:00',
    '2026-11-20T10:00:00+08:00',
    '2026-11-20T10:00:00Z',
    '2026-03-01T10:00:00.123456789+08:00',
    '2026-03-02',
    '2024-02-29',
    '2026-02-29',
    '2099-12-31',
    'H51010700001',
    'P5101070000',
    'D51010700000011',
    'D5101070000001',
    'HY510107000001',
    '510107',
    '51010',
    '91350100M000100Y43',
    '91350100M000100Y44',
    'nurse',
    'doctor',
    'pharmacy',
    'hospital',
    'voluntary',
    'violation',
    '21',
    '1',
    1,
    2,
    3,
    4,
    1.5,
    true,
    false,
    0,
    -0.01,
    1.005,
    12.34,
    Number.POSITIVE_INFINITY, // what JSON.parse makes of 1e400
    Number.MAX_SAFE_INTEGER + 2,
    null,
    [],
    [{ hilist_code: 'X', list_type: '101', cnt: 1, pric: 1, det_item_fee_sumamt: 1, days_supply: 0 }],
    [{ hilist_code: 'X', list_type: '101', cnt: 1, pric: 1, det_item_fee_sumamt: 1, days_supply: 2.5 }],
    [{ hilist_code: 'X', list_type: '101', cnt: 1, pric: 1, det_item_fee_sumamt: 1, extra: 1 }],
    [{ det_item_fee_sumamt: 1, pric: 1, cnt: 1, list_type: '101', hilist_code: 'X' }],
  ),
);

describe('the hand-written checks', () => {
  it.each(FAST)("give zod's object for every %s of a simulated feed and the examples", (type) => {
    const all = records(type);
    expect(all.length).toBeGreaterThan(0);
    for (const r of all) {
      const fast = fastRecord(r);
      expect(fast, JSON.stringify(r)).toBeDefined();
      expect(JSON.stringify(fast)).toBe(JSON.stringify(zod(r).data));
    }
  });

  it.each(FAST)(
    "give zod's object, keys in the schema's order, for each %s with its keys reversed",
    (type) => {
      for (const r of records(type)) {
        const back = reversed(r);
        const fast = fastRecord(back);
        expect(fast, JSON.stringify(back)).toBeDefined();
        expect(JSON.stringify(fast)).toBe(JSON.stringify(zod(back).data));
        expect(JSON.stringify(fast)).toBe(JSON.stringify(zod(r).data));
      }
    },
  );

  it('return a record whose keys are in the schema order itself, not a copy (nothing is allocated)', () => {
    const [r] = records('settlement');
    expect(fastSettlement(r!)).toBe(r);
    expect(fastSettlement(reversed(r!))).not.toBe(r);
  });

  it.each(FAST)('accept a %s with one field changed only when zod accepts it, and give the same', (type) => {
    const all = records(type);
    const fields = [...Object.keys(RECORD_SCHEMAS[type].shape), 'unknown_field'];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: all.length - 1 }),
        fc.constantFrom(...fields),
        fc.option(value, { nil: undefined }),
        fc.boolean(),
        (i, field, v, reverse) => {
          const r: Rec = { ...all[i]! };
          if (v === undefined) delete r[field];
          else r[field] = v;
          const input = reverse ? reversed(r) : r;
          const fast = fastRecord(input);
          const parsed = zod(input, type);
          if (fast !== undefined) {
            expect(parsed.success, JSON.stringify(input)).toBe(true);
            expect(JSON.stringify(fast)).toBe(JSON.stringify(parsed.data));
          }
        },
      ),
      { numRuns: type === 'settlement' ? 5_000 : 2_000 },
    );
  });

  it('leave supervision decisions to zod', () => {
    for (const r of records('supervision')) expect(fastRecord(r)).toBeUndefined();
  });
});
