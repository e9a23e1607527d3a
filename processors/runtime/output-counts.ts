/**
 * What the monitor and the stage processes count of their outputs, on the status line and in
 * /metrics: level changes, alerts raised (firing), inspection tasks, dead letters. One place, so
 * the two report the same things the same way.
 */
import type { Metrics } from '../metrics.ts';
import type { TopologyOutput } from '../outputs.ts';

export type OutputCounts = { level_changes: number; alerts_raised: number; inspections: number };

export const noOutputs = (): OutputCounts => ({ level_changes: 0, alerts_raised: 0, inspections: 0 });

/** Adds `outs` to `counts` and to the metrics; calls `onAlert` for each alert (the console's key alerts). */
export function countOutputs(
  outs: readonly TopologyOutput[],
  counts: OutputCounts,
  metrics: Metrics,
  onAlert?: (alert: Extract<TopologyOutput, { kind: 'alert' }>) => void,
): void {
  for (const o of outs) {
    if (o.kind === 'level_change') {
      counts.level_changes++;
      metrics.levelChanges.inc({ pack: o.pack ?? 'none' });
    } else if (o.kind === 'alert') {
      if (o.status === 'firing') counts.alerts_raised++;
      metrics.alerts.inc({ rule: o.rule, severity: o.severity, status: o.status });
      onAlert?.(o);
    } else if (o.kind === 'inspection') counts.inspections++;
    else if (o.kind === 'rejected') metrics.deadLetters.inc();
  }
}
