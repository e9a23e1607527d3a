/**
 * `yibao-monitor replay --input FILE --out DIR [--as-of TIMESTAMP]`: the topology over an NDJSON
 * file in file order, writing the contract files of EVENTS.md. Streams the input (bounded memory)
 * and writes outputs as they come; the same input gives byte-identical files.
 */

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Thresholds } from '../../rules/early-warning/thresholds.ts';
import type { CompiledPack } from '../../rules/engine/engine.ts';
import { MonitorError } from '../../schemas/errors.ts';
import { timestamp } from '../../schemas/primitives.ts';
import { fileSize, readNdjson } from '../io/ndjson.ts';
import type { TopologyOutput } from '../outputs.ts';
import { createTopology } from '../topology.ts';
import { createProgress } from './progress.ts';
import {
  alertLine,
  chainLine,
  gradeChangeLine,
  inspectionLine,
  rejectedLine,
  standingLine,
} from './replay-lines.ts';

export const REPLAY_FILES = [
  'standings.ndjson',
  'grade-changes.ndjson',
  'alerts.ndjson',
  'chains.ndjson',
  'inspections.ndjson',
  'rejected.ndjson',
] as const;

export type ReplayOptions = {
  readonly input: string;
  readonly out: string;
  readonly asOf?: string;
  readonly pseudonymKey: string;
  readonly packs: readonly CompiledPack[];
  readonly thresholds?: Thresholds;
  readonly allowedLatenessMs?: number;
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

class LineWriter {
  count = 0;
  private readonly stream: WriteStream;
  constructor(path: string) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
  }
  async write(obj: unknown): Promise<void> {
    this.count++;
    if (!this.stream.write(`${JSON.stringify(obj)}\n`)) await once(this.stream, 'drain');
  }
  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

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
  await mkdir(options.out, { recursive: true });
  const w = Object.fromEntries(REPLAY_FILES.map((f) => [f, new LineWriter(join(options.out, f))])) as Record<
    (typeof REPLAY_FILES)[number],
    LineWriter
  >;
  const topology = createTopology({
    pseudonymKey: options.pseudonymKey,
    packs: options.packs,
    ...(asOf !== undefined && { asOf }),
  });
  const progress = createProgress(`replay ${options.input}`, total, options.progress);

  const emit = async (outs: readonly TopologyOutput[]) => {
    for (const o of outs) {
      if (o.kind === 'level_change') await w['grade-changes.ndjson'].write(gradeChangeLine(o));
      // alerts.ndjson holds alerts raised (EVENTS.md); resolutions go to the live sinks only.
      else if (o.kind === 'alert' && o.status === 'firing') await w['alerts.ndjson'].write(alertLine(o));
      else if (o.kind === 'inspection') await w['inspections.ndjson'].write(inspectionLine(o));
      else if (o.kind === 'rejected') await w['rejected.ndjson'].write(rejectedLine(o));
    }
  };

  for await (const { line, text, bytesRead } of readNdjson(options.input)) {
    await emit(topology.process(text, { line }));
    progress.update(
      bytesRead,
      `${topology.counters.records_read} records, ${topology.counters.rejected} rejected`,
    );
  }
  await emit(topology.finish());
  for (const s of topology.standings()) await w['standings.ndjson'].write(standingLine(s));
  for (const c of topology.chains()) await w['chains.ndjson'].write(chainLine(c));
  await Promise.all(Object.values(w).map((x) => x.close()));
  progress.finish(`${topology.counters.records_read} records`);

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
    standings: w['standings.ndjson'].count,
    grade_changes: w['grade-changes.ndjson'].count,
    alerts: w['alerts.ndjson'].count,
    chains: w['chains.ndjson'].count,
    inspections: w['inspections.ndjson'].count,
    as_of: options.asOf ?? null,
  };
  await writeFile(join(options.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
