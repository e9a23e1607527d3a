/**
 * The hand-written settlement check (schemas/fast-settlement.ts) answers as zod does: on every
 * settlement of a simulated feed it returns zod's very object, and on records with one field
 * replaced by an arbitrary value it accepts only what zod accepts, with the same result.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSimulation } from '../../../processors/simulator/simulate.ts';
import { settlementSchema } from '../../../schemas/events.ts';
import { fastSettlement } from '../../../schemas/fast-settlement.ts';

const settlements = [...createSimulation({ seed: 3, days: 2, institutions: 150 }).lines()]
  .map((l) => JSON.parse(l) as Record<string, unknown>)
  .filter((r) => r.type === 'settlement');

const FIELDS = [...Object.keys(settlementSchema.shape), 'unknown_field'];

/** Values near the edges of what the schema allows, and arbitrary JSON. */
const value = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    '',
    'x'.repeat(30),
    'x'.repeat(31),
    '2026-02-30T10:00:00+08:00',
    '2026-11-20T10:00:00+08:00',
    '2026-11-20T10:00:00Z',
    'H51010700001',
    'P5101070000',
    'D51010700000011',
    'D5101070000001',
    '21',
    '1',
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
  ),
);

describe('the hand-written settlement check', () => {
  it(`gives zod's object for each of the simulator's ${settlements.length} settlements`, () => {
    expect(settlements.length).toBeGreaterThan(500);
    for (const r of settlements) {
      const fast = fastSettlement(r);
      expect(fast, JSON.stringify(r)).toBeDefined();
      expect(JSON.stringify(fast)).toBe(JSON.stringify(settlementSchema.parse(r)));
    }
  });

  it('accepts a record with one field changed only when zod accepts it, and gives the same', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: settlements.length - 1 }),
        fc.constantFrom(...FIELDS),
        fc.option(value, { nil: undefined }),
        (i, field, v) => {
          const r = { ...settlements[i]! };
          if (v === undefined) delete r[field];
          else r[field] = v;
          const fast = fastSettlement(r);
          const zod = settlementSchema.safeParse(r);
          if (fast !== undefined) {
            expect(zod.success, JSON.stringify(r)).toBe(true);
            expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.data));
          }
        },
      ),
      { numRuns: 5_000 },
    );
  });
});
