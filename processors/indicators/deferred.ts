/**
 * Actions waiting for event time to pass an instant, taken in (instant, key, arrival) order: a
 * small binary heap, so the order does not depend on arrival beyond ties of one key. Pure.
 */
type Entry = { readonly at: number; readonly key: string; readonly seq: number; readonly run: () => void };

const before = (a: Entry, b: Entry) =>
  a.at < b.at || (a.at === b.at && (a.key < b.key || (a.key === b.key && a.seq < b.seq)));

export class DeferredQueue {
  private readonly heap: Entry[] = [];
  private seq = 0;

  push(at: number, key: string, run: () => void): void {
    const h = this.heap;
    h.push({ at, key, seq: this.seq++, run });
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  /** The earliest instant waiting, if any. */
  peek(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Removes the earliest action and returns it (call only after `peek` gave an instant). */
  take(): () => void {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top.run;
  }

  get size(): number {
    return this.heap.length;
  }
}
