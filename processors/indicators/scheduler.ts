/**
 * Which keys to evaluate at which event-time boundary. A key touched by an event at t is
 * evaluated once at the next boundary of each granularity it has; a boundary is evaluated when
 * the watermark passes it, over events before it only, so the result does not depend on the
 * arrival order of events within the allowed lateness. The `instant` granularity (1 ms wide) puts
 * the boundary just after t itself: the crossing-event rules are read off as of the record that
 * moved them (issue 14 item 3), once the watermark has passed it.
 *
 * One heap of (boundary, granularity, key) in that order, so a boundary's keys come out sorted
 * (granularity name, then key) whatever order they were touched in; a map per granularity
 * remembers each key's newest scheduled boundary, so the many touches of a key within one hour
 * or day push one entry. An older boundary (a late record) may be pushed twice; `take` skips the
 * repeat, which the heap order puts right after the first.
 */
import { MinHeap } from '../../rules/engine/heap.ts';

export type Granularity = 'instant' | 'minute' | 'hour' | 'day';

type Entry = { readonly at: number; readonly g: Granularity; readonly key: string };

/** Module-level (not a closure), so snapshots name it instead of holding a function. */
export function boundaryBefore(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && (a.g < b.g || (a.g === b.g && a.key < b.key)));
}

export class BoundaryScheduler {
  private readonly heap = new MinHeap<Entry>(boundaryBefore);
  private readonly newest: Record<Granularity, Map<string, number>> = {
    instant: new Map(),
    minute: new Map(),
    hour: new Map(),
    day: new Map(),
  };

  constructor(private readonly widths: Readonly<Record<Granularity, { width: number; offset: number }>>) {}

  /** The first boundary strictly after t. */
  next(t: number, g: Granularity): number {
    const { width, offset } = this.widths[g];
    return (Math.floor((t + offset) / width) + 1) * width - offset;
  }

  touch(key: string, t: number, g: Granularity): void {
    const at = this.next(t, g);
    const newest = this.newest[g];
    const held = newest.get(key);
    if (held === at) return;
    if (held === undefined || at > held) newest.set(key, at);
    this.heap.push({ at, g, key });
  }

  /** The next boundary at or before `limit`, if any (not taken). */
  peek(limit: number): number | undefined {
    const at = this.heap.peek()?.at;
    return at !== undefined && at <= limit ? at : undefined;
  }

  /** Takes the boundary `at` (the one `peek` gave): its keys in (granularity, key) order. */
  take(at: number): readonly { readonly g: Granularity; readonly key: string }[] {
    // The heap's own entries are handed out (no copy per key: this runs for every boundary).
    const out: Entry[] = [];
    let last: Entry | undefined;
    for (let top = this.heap.peek(); top && top.at === at; top = this.heap.peek()) {
      this.heap.pop();
      if (last && last.g === top.g && last.key === top.key) continue;
      last = top;
      const newest = this.newest[top.g];
      if (newest.get(top.key) === at) newest.delete(top.key);
      out.push(top);
    }
    return out;
  }

  /** Evaluations waiting. */
  get pending(): number {
    return this.heap.size;
  }
}
