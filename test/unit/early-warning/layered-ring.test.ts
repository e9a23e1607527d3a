/**
 * The windows read at minute boundaries (LayeredRing) and the exact time counts (TimeIndex)
 * against a brute-force sum over the records themselves, for random records and instants.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LayeredRing, MINUTE_MS } from '../../../processors/indicators/layered-ring.ts';
import { CHINA_OFFSET_MS, DAY_MS, HOUR_MS } from '../../../processors/indicators/ring.ts';
import { TimeIndex } from '../../../processors/indicators/time-index.ts';

const T0 = Date.parse('2026-03-02T00:00:00+08:00');

/** The unit boundary at or after `at` (China midnight for days). */
function ceilTo(at: number, unit: 'day' | 'hour'): number {
  const width = unit === 'day' ? DAY_MS : HOUR_MS;
  const off = unit === 'day' ? CHINA_OFFSET_MS : 0;
  return Math.ceil((at + off) / width) * width - off;
}

describe('LayeredRing.read', () => {
  it('equals the sum of the records in [ceil(at) − n units, at), for days and hours, every series', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            // Offsets from the read: most near it (the edges of minutes, hours and the day in
            // progress), some anywhere in the 31 days before it.
            dt: fc.oneof(
              fc.integer({ min: -3 * HOUR_MS, max: 3 * HOUR_MS }),
              fc.integer({ min: -2 * MINUTE_MS, max: 2 * MINUTE_MS }),
              fc.integer({ min: -31 * DAY_MS, max: 0 }),
              fc.constantFrom(-1, 0, -7 * DAY_MS, -7 * DAY_MS - 1, -24 * HOUR_MS, -24 * HOUR_MS - 1),
            ),
            s: fc.integer({ min: 0, max: 2 }),
            v: fc.integer({ min: -5, max: 100 }),
          }),
          { maxLength: 300 },
        ),
        fc.oneof(
          fc.integer({ min: 31 * 24 * 60, max: 40 * 24 * 60 }), // the read, in minutes after T0
          fc.integer({ min: 31, max: 39 }).map((d) => d * 24 * 60 - 8 * 60), // a China midnight
          fc.integer({ min: 31 * 24, max: 39 * 24 }).map((h) => h * 60), // an hour
        ),
        fc.integer({ min: 0, max: 170 }), // records applied up to this many minutes ahead of it
        (records, atMinute, aheadMinutes) => {
          const at = T0 + atMinute * MINUTE_MS;
          const ring = new LayeredRing(3, 40);
          const applied = records
            .map((r) => ({ ...r, t: at + r.dt }))
            .filter((r) => r.t < at + aheadMinutes * MINUTE_MS);
          for (const r of applied) ring.add(r.t, r.s, r.v);
          for (const [unit, lengths] of [
            ['day', [7, 30]],
            ['hour', [24]],
          ] as const) {
            const out = ring.read(unit, lengths, at, new Float64Array(8));
            lengths.forEach((n, k) => {
              const from = ceilTo(at, unit) - n * (unit === 'day' ? DAY_MS : HOUR_MS);
              for (let s = 0; s < 3; s++) {
                const want = applied
                  .filter((r) => r.s === s && r.t >= from && r.t < at)
                  .reduce((sum, r) => sum + r.v, 0);
                expect(out[k * 3 + s], `${unit} ${n}, series ${s}`).toBe(want);
              }
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('at a China midnight reads exactly the whole days before it', () => {
    const ring = new LayeredRing(1, 40);
    const midnight = T0 + 10 * DAY_MS;
    ring.add(midnight - 1, 0, 1); // the last instant of the day before: in
    ring.add(midnight, 0, 10); // the midnight itself: after the read, out
    ring.add(midnight - 7 * DAY_MS, 0, 100); // the first instant of the 7-day window: in
    ring.add(midnight - 7 * DAY_MS - 1, 0, 1000); // just before it: out
    expect(ring.read('day', [7], midnight, new Float64Array(8))[0]).toBe(101);
  });
});

describe('TimeIndex', () => {
  it('counts [from, to) exactly whatever the insertion order, with removals', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 200 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 20 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        (times, removals, a, b) => {
          const index = new TimeIndex();
          const kept = [...times];
          for (const t of times) index.add(t);
          for (const t of removals) {
            const i = kept.indexOf(t);
            expect(index.remove(t)).toBe(i >= 0);
            if (i >= 0) kept.splice(i, 1);
          }
          const [from, to] = a <= b ? [a, b] : [b, a];
          expect(index.countIn(from, to)).toBe(kept.filter((t) => t >= from && t < to).length);
          index.expireBefore(from);
          expect(index.countIn(0, 2000)).toBe(kept.filter((t) => t >= from).length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
