/** The one min-heap behind timers, deferred reversals and stage inboxes: pops in the caller's order. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../../rules/engine/heap.ts';

describe('MinHeap', () => {
  it('pops any pushed sequence in sorted order, ties in the order the comparison gives', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.string())), (pairs) => {
        const precedes = (a: [number, string], b: [number, string]) =>
          a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
        const heap = new MinHeap(precedes);
        for (const p of pairs) heap.push(p);
        expect(heap.size).toBe(pairs.length);
        const out: [number, string][] = [];
        for (let x = heap.pop(); x; x = heap.pop()) out.push(x);
        expect(out).toEqual([...pairs].sort((a, b) => (precedes(a, b) ? -1 : precedes(b, a) ? 1 : 0)));
        expect(heap.pop()).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});
