/**
 * Event-time idleness of source partitions (Flink's `WatermarkStrategy.withIdleness`), decided at
 * the I/O edge from where each partition stands (`Source.partitionState`), never from silence
 * alone: a partition with records still waiting holds the watermark back however long it has
 * been silent, so a backlog read unevenly across partitions loses nothing (issue 14: with 32
 * partitions and silence alone, 101,488 of 123,960 records were counted late). A partition read
 * to its end and silent for `idleMs` is idle; in a bounded run, one read to its end holds nothing
 * back at once (a finished split). A partition that delivers again takes part again with its
 * record. Time spent waiting on sinks is no partition's silence (`pause`/`resume`).
 */
import type { TopologyOutput } from '../../outputs.ts';
import type { PartitionState, Source } from './source.ts';

/** What idleness needs of the topology. */
export type IdlenessTarget = {
  expectPartition(partition: string): void;
  partitionIdle(partition: string): TopologyOutput[];
};

export type PartitionIdleness = {
  /**
   * Partitions newly assigned hold the watermark from now on (call before applying a batch:
   * learnt after it, the batch's own partition alone would have moved the watermark, and the
   * others joining then would move it back behind what was released).
   */
  learn(): void;
  /** A record of `partition` was applied. */
  delivered(partition: string | undefined): void;
  /** Declares idle what is idle now; returns the outputs the moved watermark caused. */
  check(): TopologyOutput[];
  /** The loop waits on its sinks from now… */
  pause(): void;
  /** …until now, `waitedMs` later: that wait is nobody's silence. */
  resume(waitedMs: number): void;
  /** Partitions declared idle now. */
  idle(): readonly string[];
};

export function partitionIdleness(
  source: Pick<Source, 'partitions' | 'partitionState'>,
  target: IdlenessTarget,
  idleMs: number,
  now: () => number = () => performance.now(),
): PartitionIdleness {
  /** Per known partition, when it last delivered (or was first seen). */
  const lastSeen = new Map<string, number>();
  const declared = new Set<string>();
  let paused = false;

  /** New partitions of the assignment hold the watermark until they deliver or are idle. */
  function learn(): void {
    const t = now();
    for (const p of source.partitions?.() ?? []) {
      if (lastSeen.has(p)) continue;
      lastSeen.set(p, t);
      target.expectPartition(p);
    }
  }

  const stateOf = (p: string): PartitionState => source.partitionState?.(p) ?? 'caught_up';

  return {
    learn,
    delivered(partition) {
      if (partition === undefined) return;
      learn();
      lastSeen.set(partition, now());
      declared.delete(partition);
    },
    check() {
      learn();
      const out: TopologyOutput[] = [];
      const t = now();
      for (const [p, seen] of lastSeen) {
        if (declared.has(p)) continue;
        const state = stateOf(p);
        const idle = state === 'ended' || (state === 'caught_up' && !paused && t - seen > idleMs);
        if (state === 'reading') lastSeen.set(p, t);
        if (!idle) continue;
        declared.add(p);
        for (const o of target.partitionIdle(p)) out.push(o);
      }
      return out;
    },
    pause() {
      paused = true;
    },
    resume(waitedMs) {
      paused = false;
      for (const [p, seen] of lastSeen) lastSeen.set(p, seen + waitedMs);
    },
    idle: () => [...declared],
  };
}
