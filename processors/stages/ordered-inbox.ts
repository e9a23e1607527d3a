/**
 * Records from several upstream instances, released in event-time order once every upstream has
 * promised nothing earlier will come (its watermark): the merge step of a keyed exchange (Flink's
 * watermark alignment across input channels). Ties break on a caller's key, then arrival, so the
 * release order does not depend on how the upstream work was spread over instances. Pure.
 */
import { MinHeap } from '../../rules/engine/heap.ts';

type Entry<T> = { readonly at: number; readonly tie: string; readonly seq: number; readonly item: T };

/** Module-level (not a closure), so snapshots name it instead of holding a function. */
export function inboxBefore<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.at < b.at || (a.at === b.at && (a.tie < b.tie || (a.tie === b.tie && a.seq < b.seq)));
}

export class OrderedInbox<T> {
  private readonly heap = new MinHeap<Entry<T>>(inboxBefore);
  private readonly upstreams = new Map<string, number>();
  private seq = 0;
  /** Everything before this instant has been released; later arrivals before it are late. */
  private releasedBefore = Number.NEGATIVE_INFINITY;

  /** Upstream instances this inbox waits for (each holds the release back until it reports). */
  constructor(upstreams: readonly string[]) {
    for (const u of upstreams) this.upstreams.set(u, Number.NEGATIVE_INFINITY);
  }

  /** False when the record is earlier than what was already released (the caller applies it late). */
  push(at: number, tie: string, item: T): boolean {
    if (at < this.releasedBefore) return false;
    this.heap.push({ at, tie, seq: this.seq++, item });
    return true;
  }

  /** An upstream's promise: it will send nothing earlier than `t`. Never moves back. */
  advance(upstream: string, t: number): void {
    if (t > (this.upstreams.get(upstream) ?? Number.NEGATIVE_INFINITY)) this.upstreams.set(upstream, t);
  }

  get watermark(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const t of this.upstreams.values()) if (t < min) min = t;
    return min;
  }

  /** The records every upstream has passed, oldest first. */
  release(limit = this.watermark): T[] {
    const out: T[] = [];
    for (let top = this.heap.peek(); top && top.at < limit; top = this.heap.peek())
      out.push(this.heap.pop()!.item);
    if (limit > this.releasedBefore) this.releasedBefore = limit;
    return out;
  }

  /** The earliest instant waiting, if any. */
  peek(): number | undefined {
    return this.heap.peek()?.at;
  }

  /** Takes the earliest record (after `peek` gave an instant); later pushes before it count as late. */
  take(): T {
    const e = this.heap.pop()!;
    if (e.at > this.releasedBefore) this.releasedBefore = e.at;
    return e.item;
  }

  get size(): number {
    return this.heap.size;
  }
}
