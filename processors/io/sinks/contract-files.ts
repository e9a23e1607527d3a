/**
 * The contract files of EVENTS.md ("replay output") written from a stream of topology outputs:
 * `replay` writes them, and so does the live monitor with `run --out DIR`, so the two can be
 * compared file for file (the live path must give exactly what `replay` gives). Level changes,
 * alerts raised, inspection tasks and rejected records are written as they come; standings and
 * chains at the end. Fields in each line's fixed order (replay-lines.ts).
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChainStatus } from '../../../rules/chains.ts';
import type { Standing } from '../../../rules/engine/standing.ts';
import {
  alertLine,
  chainLine,
  gradeChangeLine,
  inspectionLine,
  rejectedLine,
  standingLine,
} from '../../cli/replay-lines.ts';
import type { TopologyOutput } from '../../outputs.ts';
import type { Sink } from './sink.ts';

export const REPLAY_FILES = [
  'standings.ndjson',
  'grade-changes.ndjson',
  'alerts.ndjson',
  'chains.ndjson',
  'inspections.ndjson',
  'rejected.ndjson',
] as const;

export type ReplayFile = (typeof REPLAY_FILES)[number];

class LineWriter {
  count = 0;
  private readonly stream: WriteStream;
  constructor(path: string) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
  }
  /** Resolves at once unless the stream asks to wait (backpressure). */
  write(obj: unknown): Promise<void> | undefined {
    this.count++;
    if (!this.stream.write(`${JSON.stringify(obj)}\n`)) return once(this.stream, 'drain').then(() => {});
    return undefined;
  }
  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

export type ContractFiles = {
  write(outs: readonly TopologyOutput[]): Promise<void>;
  /** Writes the standings and chains at the end, then closes every file. */
  close(end: { standings: readonly Standing[]; chains: readonly ChainStatus[] }): Promise<void>;
  counts(): Record<ReplayFile, number>;
};

export async function openContractFiles(dir: string): Promise<ContractFiles> {
  await mkdir(dir, { recursive: true });
  const w = Object.fromEntries(REPLAY_FILES.map((f) => [f, new LineWriter(join(dir, f))])) as Record<
    ReplayFile,
    LineWriter
  >;
  const lineOf = (o: TopologyOutput): [LineWriter, unknown] | undefined => {
    if (o.kind === 'level_change') return [w['grade-changes.ndjson'], gradeChangeLine(o)];
    // alerts.ndjson holds alerts raised (EVENTS.md); resolutions go to the live sinks only.
    if (o.kind === 'alert' && o.status === 'firing') return [w['alerts.ndjson'], alertLine(o)];
    if (o.kind === 'inspection') return [w['inspections.ndjson'], inspectionLine(o)];
    if (o.kind === 'rejected') return [w['rejected.ndjson'], rejectedLine(o)];
    return undefined;
  };
  return {
    async write(outs) {
      for (const o of outs) {
        const line = lineOf(o);
        if (!line) continue;
        const wait = line[0].write(line[1]);
        if (wait) await wait;
      }
    },
    async close(end) {
      for (const s of end.standings) await w['standings.ndjson'].write(standingLine(s));
      for (const c of end.chains) await w['chains.ndjson'].write(chainLine(c));
      await Promise.all(Object.values(w).map((x) => x.close()));
    },
    counts: () => Object.fromEntries(REPLAY_FILES.map((f) => [f, w[f].count])) as Record<ReplayFile, number>,
  };
}

/**
 * The contract files as a Sink (`run --out DIR`). Standings and chains are the state at the end:
 * each state snapshot replaces the one before, and the last is written at close. The files are
 * complete only then, and only to compare the live path with `replay` (no restart reads them), so
 * `flush` asks nothing of them.
 */
export async function openContractFilesSink(
  dir: string,
): Promise<Sink & { counts(): Record<ReplayFile, number> }> {
  const files = await openContractFiles(dir);
  let standings: Standing[] = [];
  let chains: ChainStatus[] = [];
  return {
    name: 'contract_files',
    write: (outputs) => files.write(outputs),
    async writeState(records) {
      standings = [];
      chains = [];
      for (const r of records) {
        if (r.kind === 'standing') standings.push(r.standing);
        else if (r.kind === 'chain_status') chains.push(r.status);
      }
    },
    flush: async () => {},
    close: () => files.close({ standings, chains }),
    counts: () => files.counts(),
  };
}
