/** The simulator as a live source: its records, paced to a steady rate (and optionally salted with malformed ones). */

import type { SimulateOptions } from '../../simulator/options.ts';
import { simulate } from '../../simulator/simulate.ts';
import { withMalformed } from './malformed.ts';
import { paced } from './paced.ts';
import type { Source, SourceRecord } from './source.ts';

export function simulatorSource(
  options: SimulateOptions,
  perSecond: number,
  malformedShare = 0,
  signal?: AbortSignal,
): Source {
  async function* lines(): AsyncGenerator<SourceRecord> {
    let line = 0;
    for await (const raw of simulate(options)) yield { raw, line: ++line, origin: 'simulator' };
  }
  return {
    synthetic: true,
    name: `simulator(seed ${options.seed ?? 1}, ${perSecond}/s)`,
    records: paced(withMalformed(lines(), malformedShare), perSecond, signal),
  };
}
