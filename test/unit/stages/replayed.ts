/** A feed through the topology as `replay` runs it in these tests: every output, and how many came late. */
import type { TopologyOutput } from '../../../processors/outputs.ts';
import { DEFAULT_EVENT_TIME_BOUNDS } from '../../../processors/stages/event-time-bounds.ts';
import { createTopology } from '../../../processors/topology.ts';
import { compilePacks } from '../../../rules/packs/index.ts';

const packs = compilePacks();

export function replayed(lines: readonly string[]): { out: TopologyOutput[]; late: number } {
  // replay's bounds, with the wall clock of 2026-12-07 (the simulated feeds are of March 2026).
  const topology = createTopology({
    pseudonymKey: 'replayed-feed-key-0123456789',
    packs,
    eventTime: { ...DEFAULT_EVENT_TIME_BOUNDS, now: () => Date.parse('2026-12-07T12:00:00+08:00') },
  });
  const out: TopologyOutput[] = [];
  for (const [i, l] of lines.entries()) for (const o of topology.process(l, { line: i + 1 })) out.push(o);
  for (const o of topology.finish()) out.push(o);
  return { out, late: topology.state().late };
}
