/**
 * Settling a batch: marks, hand-over, sinks, then offsets — nothing is committed before what it
 * caused is durable. While a batch settles no batch is read, so that time is no partition's
 * silence (`onWaited` tells how long it took).
 */
import type { TopologyOutput } from '../../outputs.ts';

export type SettleSteps = {
  /** The stage's pending watermark marks, onto the hand-over. */
  readonly flushMarks: () => void;
  /** Writes the hand-over (acks from all in-sync replicas). */
  readonly flushHandOver: () => Promise<void>;
  /** Outputs to the sinks; resolves once accepted (backpressure). */
  readonly emit: (outs: readonly TopologyOutput[]) => Promise<void>;
  /** Makes everything emitted durable. */
  readonly flush: () => Promise<void>;
  readonly onWaited: (ms: number) => void;
};

export type Settler = {
  settle(outs: readonly TopologyOutput[], commit?: () => Promise<void>): Promise<void>;
  /** A batch is being settled now. */
  settling(): boolean;
};

export function batchSettler(steps: SettleSteps): Settler {
  let since: number | undefined;
  return {
    settling: () => since !== undefined,
    async settle(outs, commit) {
      const t0 = performance.now();
      since = t0;
      try {
        steps.flushMarks();
        await steps.flushHandOver();
        if (outs.length > 0) await steps.emit(outs);
        await steps.flush();
        // Committed through the batch's own call: a rebalance refusal then makes kafkajs rejoin (and
        // whoever gets the partition next rebuilds and redoes what followed the last commit) instead
        // of crashing the consumer as a refused `consumer.commitOffsets` does.
        if (commit) await commit();
      } finally {
        since = undefined;
        steps.onWaited(performance.now() - t0);
      }
    },
  };
}
