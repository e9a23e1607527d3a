/**
 * Event-time review timers: when a publication lapses or a new year starts, a standing changes
 * with no new fact. A min-heap ordered by (instant, key) keeps firing order deterministic.
 */
import { MinHeap } from './heap.ts';

type Entry = { readonly at: number; readonly key: string };

/** Module-level (not a closure), so snapshots name it instead of holding a function. */
export function timerBefore(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.key < b.key);
}

export class TimerQueue {
  private readonly heap = new MinHeap<Entry>(timerBefore);
  /** The one live review per key; heap entries that disagree with it are stale and skipped. */
  private readonly live = new Map<string, number>();

  schedule(key: string, at: number | undefined): void {
    if (at === undefined) {
      this.live.delete(key);
      return;
    }
    if (this.live.get(key) === at) return;
    this.live.set(key, at);
    this.heap.push({ at, key });
  }

  /** Pops the next live timer due at or before `now`. */
  popDue(now: number): Entry | undefined {
    const top = this.peekLive();
    if (!top || top.at > now) return undefined;
    this.heap.pop();
    this.live.delete(top.key);
    return top;
  }

  /** The next live timer's instant, without popping it. */
  peek(): number | undefined {
    return this.peekLive()?.at;
  }

  get size(): number {
    return this.live.size;
  }

  /** The top entry once stale ones above it are dropped. */
  private peekLive(): Entry | undefined {
    for (let top = this.heap.peek(); top; top = this.heap.peek()) {
      if (this.live.get(top.key) === top.at) return top;
      this.heap.pop();
    }
    return undefined;
  }
}
