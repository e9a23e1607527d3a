/**
 * Event-time review timers: when a publication lapses or a new year starts, a standing changes
 * with no new fact. A binary min-heap ordered by (instant, key) keeps firing order deterministic.
 */
type Entry = { readonly at: number; readonly key: string };

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.key < b.key);
}

export class TimerQueue {
  private readonly heap: Entry[] = [];
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
    this.up(this.heap.length - 1);
  }

  /** Pops the next live timer due at or before `now`. */
  popDue(now: number): Entry | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (top.at > now) return undefined;
      const last = this.heap.pop()!;
      if (this.heap.length > 0) {
        this.heap[0] = last;
        this.down(0);
      }
      if (this.live.get(top.key) === top.at) {
        this.live.delete(top.key);
        return top;
      }
    }
    return undefined;
  }

  /** The next live timer's instant, without popping it. */
  peek(): number | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (this.live.get(top.key) === top.at) return top.at;
      const last = this.heap.pop()!;
      if (this.heap.length > 0) {
        this.heap[0] = last;
        this.down(0);
      }
    }
    return undefined;
  }

  get size(): number {
    return this.live.size;
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
