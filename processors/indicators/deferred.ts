/**
 * Actions waiting for event time to pass an instant, taken in (instant, key, arrival) order, so
 * the order does not depend on arrival beyond ties of one key. The actions are data (the caller
 * dispatches them), so the queue can be snapshotted with the rest of the state. Pure.
 */
import { MinHeap } from '../../rules/engine/heap.ts';

type Entry<T> = { readonly at: number; readonly key: string; readonly seq: number; readonly item: T };

/** Module-level (not a closure), so snapshots name it instead of holding a function. */
export function deferredBefore<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.at < b.at || (a.at === b.at && (a.key < b.key || (a.key === b.key && a.seq < b.seq)));
}

export class DeferredQueue<T> {
  private readonly heap = new MinHeap<Entry<T>>(deferredBefore);
  private seq = 0;

  push(at: number, key: string, item: T): void {
    this.heap.push({ at, key, seq: this.seq++, item });
  }

  /** The earliest instant waiting, if any. */
  peek(): number | undefined {
    return this.heap.peek()?.at;
  }

  /** Removes the earliest action and returns it (call only after `peek` gave an instant). */
  take(): T {
    return this.heap.pop()!.item;
  }

  get size(): number {
    return this.heap.size;
  }
}
