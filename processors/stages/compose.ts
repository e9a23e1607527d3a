/**
 * What a stage hands its sinks for what it decided: credit outputs, the alerts they and the
 * indicator decisions raise, inspection tasks planned from both, and indicator snapshots.
 */
import type { CreditOutput } from '../../rules/engine/standing.ts';
import { creditAlerts } from '../credit-alerts.ts';
import { inspectionsFrom } from '../inspections.ts';
import type { Alert, IndicatorSnapshotOutput, TopologyOutput } from '../outputs.ts';

const NOTHING: TopologyOutput[] = [];

export function stageOutputs(
  credit: readonly CreditOutput[],
  decided: readonly (Alert | IndicatorSnapshotOutput)[],
  moreAlerts: readonly Alert[] = [],
): TopologyOutput[] {
  if (credit.length === 0 && decided.length === 0 && moreAlerts.length === 0) return NOTHING; // the common case
  const alerts = [
    ...creditAlerts(credit),
    ...moreAlerts,
    ...decided.filter((o): o is Alert => o.kind === 'alert'),
  ];
  const snapshots = decided.filter((o): o is IndicatorSnapshotOutput => o.kind === 'indicator_snapshot');
  return [...credit, ...alerts, ...inspectionsFrom(credit, alerts), ...snapshots];
}
