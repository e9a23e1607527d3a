/** Simulator options: defaults, and bad values named with what was expected. */
import { describe, expect, it } from 'vitest';
import { resolveOptions, type SimulateOptions } from '../../../processors/simulator/options.ts';
import { MIN_INSTITUTIONS } from '../../../processors/simulator/population.ts';
import { createSimulation } from '../../../processors/simulator/simulate.ts';
import { isMonitorError } from '../../../schemas/errors.ts';

function error(options: Record<string, unknown>): string {
  try {
    resolveOptions(options as SimulateOptions);
  } catch (err) {
    expect(isMonitorError(err, 'CONFIG_INVALID')).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected a CONFIG_INVALID error');
}

describe('simulator options', () => {
  it('defaults: seed 1, 35 days from Monday 2026-03-02, 400 institutions, 4800 a day, 96000 persons, injections on', () => {
    expect(resolveOptions()).toEqual({
      seed: 1,
      start: '2026-03-02',
      days: 35,
      institutions: 400,
      eventsPerDay: 4800,
      persons: 96_000,
      inject: true,
    });
  });

  it('eventsPerDay sets the volume: a day holds about that many settlements', () => {
    const sim = createSimulation({ days: 7, institutions: 200, eventsPerDay: 2000, inject: false });
    let settlements = 0;
    for (const r of sim.records()) if (r.type === 'settlement') settlements++;
    expect(settlements / 7).toBeGreaterThan(1700);
    expect(settlements / 7).toBeLessThan(2300);
  });

  it('names the option, the value and what was expected', () => {
    expect(error({ days: 0 })).toBe('simulate.days: 0 is invalid: expected a whole number from 1 to 3660');
    expect(error({ start: '2026-02-30' })).toBe(
      'simulate.start: "2026-02-30" is invalid: expected a calendar date YYYY-MM-DD',
    );
    expect(error({ seed: 1.5 })).toMatch(/^simulate\.seed: 1\.5 is invalid: expected a whole number/);
    expect(error({ institutions: 20 })).toBe(
      `simulate.institutions: 20 is invalid: expected a whole number from ${MIN_INSTITUTIONS} to 200000`,
    );
    expect(error({ inject: 'no' })).toBe('simulate.inject: "no" is invalid: expected true or false');
    expect(error({ days: 3, colour: 'red' })).toMatch(
      /^simulate\.colour: "red" is invalid: expected no such option/,
    );
  });

  it('needs at least 5 persons per daily settlement, so chance coincidences stay below the pattern thresholds', () => {
    expect(error({ eventsPerDay: 10_000, persons: 49_999 })).toMatch(
      /^simulate\.persons: 49999 is invalid: expected a whole number from 50000 \(5 × eventsPerDay 10000/,
    );
    expect(resolveOptions({ eventsPerDay: 10_000, persons: 50_000 }).persons).toBe(50_000);
  });

  it('needs at least 10 settlements a day per institution, so hospitals discharge steadily', () => {
    expect(error({ institutions: 200, eventsPerDay: 1999 })).toMatch(
      /^simulate\.eventsPerDay: 1999 is invalid: expected a whole number from 2000 \(10 × institutions 200: /,
    );
    expect(resolveOptions({ institutions: 200, eventsPerDay: 2000 }).eventsPerDay).toBe(2000);
  });

  it('a run shorter than a pattern needs leaves that pattern out of the labels, never a half-made one', () => {
    const labels = createSimulation({ days: 5, institutions: 150, eventsPerDay: 1500 }).labels;
    const rules = new Set(labels.map((l) => l.rule));
    expect(rules.has('split_admission')).toBe(false);
    expect(rules.has('drug_oversupply')).toBe(false);
    expect(rules.has('multi_institution_day')).toBe(true);
    const single = createSimulation({ days: 1, institutions: 150, eventsPerDay: 1500 });
    expect([...single.lines()].length).toBeGreaterThan(0);
  });
});
