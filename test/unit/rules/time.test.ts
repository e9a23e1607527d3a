/** toIso written by hand against what it replaced: Date's toISOString with +08:00 for Z. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toIso } from '../../../rules/engine/time.ts';

const viaDate = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
const outcome = (f: () => string) => {
  try {
    return f();
  } catch (err) {
    return `throws ${(err as Error).name}`;
  }
};

describe('toIso', () => {
  it('equals toISOString in China time for any instant, fractions, NaN and years beyond 9999', () => {
    const edges = [-62_167_248_000_000, 253_402_272_000_000, 0, 1_772_323_200_000, -2_208_988_800_000];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 }),
          fc.integer({ min: 946_656_000_000, max: 4_102_444_800_000 }),
          fc.constantFrom(...edges).chain((e) => fc.integer({ min: e - 2, max: e + 2 })),
          fc.double(),
        ),
        (ms) => {
          expect(outcome(() => toIso(ms))).toBe(outcome(() => viaDate(ms)));
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
