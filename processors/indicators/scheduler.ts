/**
 * Which keys to evaluate at which event-time boundary. A key touched by an event at t is
 * evaluated once at the next boundary of each granularity it has; a boundary is evaluated when
 * the watermark passes it, over events before it only, so the result does not depend on the
 * arrival order of events within the allowed lateness. The `instant` granularity (1 ms wide) puts
 * the boundary just after t itself: the crossing-event rules are read off as of the record that
 * moved them (issue 14 item 3), once the watermark has passed it.
 */
import { TimerQueue } from '../../rules/engine/timers.ts';

export type Granularity = 'instant' | 'hour' | 'day';

export class BoundaryScheduler {
  private readonly queue = new TimerQueue();
  private readonly byBoundary = new Map<number, Set<string>>();

  constructor(private readonly widths: Readonly<Record<Granularity, { width: number; offset: number }>>) {}

  /** The first boundary strictly after t. */
  next(t: number, g: Granularity): number {
    const { width, offset } = this.widths[g];
    return (Math.floor((t + offset) / width) + 1) * width - offset;
  }

  touch(key: string, t: number, g: Granularity): void {
    const b = this.next(t, g);
    const id = `${g}|${key}`;
    let set = this.byBoundary.get(b);
    if (!set) {
      set = new Set();
      this.byBoundary.set(b, set);
      this.queue.schedule(`b${b}`, b);
    }
    set.add(id);
  }

  /** The next boundary at or before `limit`, if any (not taken). */
  peek(limit: number): number | undefined {
    const at = this.queue.peek();
    return at !== undefined && at <= limit ? at : undefined;
  }

  /** Takes the boundary `at` (the one `peek` gave): its keys in sorted order. */
  take(at: number): { g: Granularity; key: string }[] {
    this.queue.popDue(at);
    const set = this.byBoundary.get(at);
    this.byBoundary.delete(at);
    if (!set) return [];
    return [...set].sort().map((id) => {
      const i = id.indexOf('|');
      return { g: id.slice(0, i) as Granularity, key: id.slice(i + 1) };
    });
  }

  get pending(): number {
    return this.byBoundary.size;
  }
}
