/**
 * `yibao-monitor replay --input FILE --out DIR [--as-of TIMESTAMP]`: the topology over an NDJSON
 * file in file order, writing the contract files of EVENTS.md. Streams the input (bounded memory)
 * and writes outputs as they come; the same input gives byte-identical files.
 */

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Thresholds } from '../../rules/early-warning/thresholds.ts';
import type { CompiledPack } from '../../rules/engine/engine.ts';
import { MonitorError } from '../../schemas/errors.ts';
import { timestamp } from '../../schemas/primitives.ts';
import { fileSize, readNdjson } from '../io/ndjson.ts';
import { openContractFiles } from '../io/sinks/contract-files.ts';
import type { EventTimeBounds } from '../stages/event-time-bounds.ts';
import { createTopology } from '../topology.ts';
import { createProgress } from './progress.ts';

export { REPLAY_FILES } from '../io/sinks/contract-files.ts';

export type ReplayOptions = {
  readonly input: string;
  readonly out: string;
  readonly asOf?: string;
  readonly pseudonymKey: string;
  readonly packs: readonly CompiledPack[];
  readonly thresholds?: Thresholds;
  readonly allowedLatenessMs?: number;
  /** Which event times are dead letters (default DEFAULT_EVENT_TIME_BOUNDS). */
  readonly eventTime?: EventTimeBounds;
  readonly progress?: boolean;
};

export type ReplaySummary = {
  readonly input_records: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly duplicates: number;
  readonly after_as_of: number;
  readonly late: number;
  readonly reversals_unmatched: number;
  readonly by_type: Record<string, number>;
  readonly standings: number;
  readonly grade_changes: number;
  readonly alerts: number;
  readonly chains: number;
  readonly inspections: number;
  readonly as_of: string | null;
};

export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  let asOf: number | undefined;
  if (options.asOf !== undefined) {
    if (!timestamp.safeParse(options.asOf).success) {
      throw new MonitorError(
        'CONFIG_INVALID',
        `--as-of ${JSON.stringify(options.asOf)} is invalid: expected an RFC 3339 timestamp with offset, e.g. 2026-12-31T23:59:59+08:00`,
      );
    }
    asOf = Date.parse(options.asOf);
  }
  const total = await fileSize(options.input);
  const files = await openContractFiles(options.out);
  const topology = createTopology({
    pseudonymKey: options.pseudonymKey,
    packs: options.packs,
    ...(options.thresholds !== undefined && { thresholds: options.thresholds }),
    ...(options.allowedLatenessMs !== undefined && { allowedLatenessMs: options.allowedLatenessMs }),
    ...(options.eventTime !== undefined && { eventTime: options.eventTime }),
    ...(asOf !== undefined && { asOf }),
  });
  const progress = createProgress(`replay ${options.input}`, total, options.progress);

  for await (const { line, text, bytesRead } of readNdjson(options.input)) {
    const outs = topology.process(text, { line });
    if (outs.length > 0) await files.write(outs);
    progress.update(
      bytesRead,
      `${topology.counters.records_read} records, ${topology.counters.rejected} rejected`,
    );
  }
  await files.write(topology.finish());
  await files.close({ standings: topology.standings(), chains: topology.chains() });
  progress.finish(`${topology.counters.records_read} records`);
  const n = files.counts();

  const c = topology.counters;
  const summary: ReplaySummary = {
    input_records: c.records_read,
    accepted: c.accepted,
    rejected: c.rejected,
    duplicates: c.duplicates,
    after_as_of: c.after_as_of,
    late: topology.state().late,
    reversals_unmatched: topology.state().reversals_unmatched,
    by_type: Object.fromEntries(Object.entries(c.by_type).sort()),
    standings: n['standings.ndjson'],
    grade_changes: n['grade-changes.ndjson'],
    alerts: n['alerts.ndjson'],
    chains: n['chains.ndjson'],
    inspections: n['inspections.ndjson'],
    as_of: options.asOf ?? null,
  };
  await writeFile(join(options.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
