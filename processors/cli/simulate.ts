/**
 * `yibao-monitor simulate --out FILE --labels FILE [...]`: writes a seeded synthetic feed as
 * NDJSON and the labels of its injected patterns, streaming (memory stays flat for any size),
 * with progress on stderr when it is a terminal.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { isMonitorError, MonitorError } from '../../schemas/errors.ts';
import { DEFAULTS, type SimulateOptions } from '../simulator/options.ts';
import { createSimulation, serialize } from '../simulator/simulate.ts';
import { createProgress } from './progress.ts';

export const SIMULATE_DEFAULTS = DEFAULTS;

export type SimulateCliOptions = {
  readonly out: string;
  readonly labels: string;
  readonly seed?: string;
  readonly days?: string;
  readonly start?: string;
  readonly institutions?: string;
  readonly persons?: string;
  readonly eventsPerDay?: string;
  /** commander's `--no-inject` sets this to false. */
  readonly inject?: boolean;
};

export type SimulateSummary = {
  readonly records: number;
  readonly byType: Readonly<Record<string, number>>;
  readonly labels: number;
  readonly bytes: number;
};

const FLAGS: Record<string, string> = {
  seed: '--seed',
  start: '--start',
  days: '--days',
  institutions: '--institutions',
  persons: '--persons',
  eventsPerDay: '--events-per-day',
  inject: '--no-inject',
};

function wholeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `${flag} ${JSON.stringify(value)} is invalid: expected a whole number`,
      {
        flag,
        value,
      },
    );
  }
  return Number(value);
}

export function toSimulateOptions(o: SimulateCliOptions): SimulateOptions {
  const options: Record<string, unknown> = { inject: o.inject !== false };
  const numbers = [
    ['seed', o.seed],
    ['days', o.days],
    ['institutions', o.institutions],
    ['persons', o.persons],
    ['eventsPerDay', o.eventsPerDay],
  ] as const;
  for (const [name, value] of numbers) {
    const n = wholeNumber(FLAGS[name]!, value);
    if (n !== undefined) options[name] = n;
  }
  if (o.start !== undefined) options.start = o.start;
  return options as SimulateOptions;
}

/** Options are checked before the output file is created; messages name the command-line flag. */
function simulationFor(o: SimulateCliOptions) {
  try {
    return createSimulation(toSimulateOptions(o));
  } catch (err) {
    if (isMonitorError(err, 'CONFIG_INVALID') && typeof err.context.option === 'string') {
      const flag = FLAGS[err.context.option] ?? err.context.option;
      throw new MonitorError(
        'CONFIG_INVALID',
        err.message.replace(`simulate.${err.context.option}:`, flag),
        err.context,
        err,
      );
    }
    throw err;
  }
}

const CHUNK = 1 << 20;

export async function simulateCommand(o: SimulateCliOptions): Promise<SimulateSummary> {
  const sim = simulationFor(o);
  const progress = createProgress('simulate', sim.options.days);
  const out = createWriteStream(o.out, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => {
    out.once('error', (err) =>
      reject(
        new MonitorError('SINK_UNAVAILABLE', `cannot write ${o.out}: ${err.message}`, { path: o.out }, err),
      ),
    );
  });
  failed.catch(() => {});
  const byType: Record<string, number> = {};
  let records = 0;
  let bytes = 0;
  let chunk = '';
  const flush = async () => {
    bytes += Buffer.byteLength(chunk);
    const ok = out.write(chunk);
    chunk = '';
    if (!ok) await Promise.race([once(out, 'drain'), failed]);
  };
  for (const record of sim.records()) {
    chunk += `${serialize(record)}\n`;
    records++;
    byType[record.type] = (byType[record.type] ?? 0) + 1;
    if (chunk.length >= CHUNK) {
      await flush();
      progress.update(sim.daysDone, `day ${sim.daysDone}/${sim.options.days}, ${records} records`);
    }
  }
  await flush();
  out.end();
  await Promise.race([finished(out), failed]);
  progress.finish(`${records} records`);
  try {
    await writeFile(o.labels, sim.labels.map((l) => `${JSON.stringify(l)}\n`).join(''));
  } catch (err) {
    throw new MonitorError(
      'SINK_UNAVAILABLE',
      `cannot write ${o.labels}: ${(err as Error).message}`,
      { path: o.labels },
      err,
    );
  }
  return { records, byType, labels: sim.labels.length, bytes };
}

export function describeSummary(s: SimulateSummary, o: SimulateCliOptions): string {
  const kinds = Object.entries(s.byType)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return `${s.records} records (${kinds}) in ${o.out}; ${s.labels} labels in ${o.labels}\n`;
}
