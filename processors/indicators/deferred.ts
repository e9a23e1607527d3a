/**
 * Actions waiting for event time to pass an instant, taken in (instant, key, arrival) order, so
 * the order does not depend on arrival beyond ties of one key. Pure.
 */
import { MinHeap } from '../../rules/engine/heap.ts';

type Entry = { readonly at: number; readonly key: string; readonly seq: number; readonly run: () => void };

export class DeferredQueue {
  private readonly heap = new MinHeap<Entry>(
    (a, b) => a.at < b.at || (a.at === b.at && (a.key < b.key || (a.key === b.key && a.seq < b.seq))),
  );
  private seq = 0;

  push(at: number, key: string, run: () => void): void {
    this.heap.push({ at, key, seq: this.seq++, run });
  }

  /** The earliest instant waiting, if any. */
  peek(): number | undefined {
    return this.heap.peek()?.at;
  }

  /** Removes the earliest action and returns it (call only after `peek` gave an instant). */
  take(): () => void {
    return this.heap.pop()!.run;
  }

  get size(): number {
    return this.heap.size;
  }
}
