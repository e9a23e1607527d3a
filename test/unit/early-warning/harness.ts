/** Runs records through the real decoder and topology and collects the alerts. */

import type { Alert, TopologyOutput } from '../../../processors/outputs.ts';
import { createTopology } from '../../../processors/topology.ts';
import { compileThresholds } from '../../../rules/early-warning/thresholds.ts';
import { compilePacks } from '../../../rules/packs/index.ts';
import { createPseudonymiser } from '../../../schemas/pseudonymise.ts';

export const KEY = 'early-warning-test-key-0123';
export const token = createPseudonymiser(KEY);

export function run(
  records: readonly Record<string, unknown>[],
  options: { latenessMs?: number } = {},
): { outputs: TopologyOutput[]; alerts: Alert[] } {
  const topology = createTopology({
    pseudonymKey: KEY,
    packs: compilePacks(),
    thresholds: compileThresholds(),
    allowedLatenessMs: options.latenessMs ?? 60_000,
  });
  const outputs: TopologyOutput[] = [];
  for (const r of records) {
    const out = topology.process(JSON.stringify(r));
    const rejected = out.find((o) => o.kind === 'rejected');
    if (rejected) throw new Error(`test record rejected: ${rejected.error}`);
    outputs.push(...out);
  }
  outputs.push(...topology.finish());
  return { outputs, alerts: outputs.filter((o): o is Alert => o.kind === 'alert') };
}

export const firing = (alerts: readonly Alert[], rule: string) =>
  alerts.filter((a) => a.rule === rule && a.status === 'firing');

/** Sorts records by event time, as a feed would deliver them. */
export const byTime = (rs: Record<string, unknown>[]) =>
  [...rs].sort((a, b) => Date.parse(a.occurred_at as string) - Date.parse(b.occurred_at as string));
