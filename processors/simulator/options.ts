/**
 * Simulator options, checked once before anything is generated (STYLE.md §2): a bad value is a
 * CONFIG_INVALID error naming the option, the value and what was expected.
 */

import { MonitorError } from '../../schemas/errors.ts';
import { date } from '../../schemas/primitives.ts';
import { MIN_INSTITUTIONS } from './population.ts';

export type SimulateOptions = {
  /** Any safe integer; the same seed and options give byte-identical output. */
  readonly seed?: number;
  /** First China day simulated, `YYYY-MM-DD` (default 2026-03-02, a Monday). */
  readonly start?: string;
  /** Number of days (default 35). */
  readonly days?: number;
  /** Designated institutions and pharmacies (default 400). */
  readonly institutions?: number;
  /** Insured persons (default 20 × eventsPerDay). */
  readonly persons?: number;
  /** Average settlements per day over a week (default 12 × institutions). */
  readonly eventsPerDay?: number;
  /** Inject the labelled patterns (default true). */
  readonly inject?: boolean;
};

export type ResolvedOptions = Readonly<Required<SimulateOptions>>;

export const DEFAULTS = { seed: 1, start: '2026-03-02', days: 35, institutions: 400, inject: true } as const;

/**
 * People per settlement-per-day, at least: each person then has at most one visit in five days
 * on average, which keeps chance coincidences (six institutions in a day, four purchases at one
 * pharmacy) far below the pattern thresholds.
 */
export const MIN_PERSONS_PER_DAILY_EVENT = 5;

/**
 * Settlements per institution a day, at least: below it a hospital discharges a patient every
 * few days, and two discharges in one day look like the amount_spike pattern.
 */
export const MIN_EVENTS_PER_INSTITUTION = 10;

function invalid(name: string, value: unknown, expected: string): MonitorError {
  return new MonitorError(
    'CONFIG_INVALID',
    `simulate.${name}: ${JSON.stringify(value)} is invalid: expected ${expected}`,
    { option: name, value },
  );
}

function wholeNumber(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(name, value, `a whole number from ${min} to ${max}`);
  }
  return value;
}

export function resolveOptions(options: SimulateOptions = {}): ResolvedOptions {
  const known = new Set(['seed', 'start', 'days', 'institutions', 'persons', 'eventsPerDay', 'inject']);
  for (const key of Object.keys(options)) {
    if (!known.has(key))
      throw invalid(
        key,
        (options as Record<string, unknown>)[key],
        `no such option: one of ${[...known].join(', ')}`,
      );
  }
  const seed = wholeNumber('seed', options.seed ?? DEFAULTS.seed, 0, Number.MAX_SAFE_INTEGER);
  const start = options.start ?? DEFAULTS.start;
  if (typeof start !== 'string' || !date.safeParse(start).success) {
    throw invalid('start', start, 'a calendar date YYYY-MM-DD');
  }
  const days = wholeNumber('days', options.days ?? DEFAULTS.days, 1, 3660);
  const institutions = wholeNumber(
    'institutions',
    options.institutions ?? DEFAULTS.institutions,
    MIN_INSTITUTIONS,
    200_000,
  );
  const minEvents = MIN_EVENTS_PER_INSTITUTION * institutions;
  const eventsPerDay = options.eventsPerDay ?? 12 * institutions;
  if (
    typeof eventsPerDay !== 'number' ||
    !Number.isSafeInteger(eventsPerDay) ||
    eventsPerDay < minEvents ||
    eventsPerDay > 50_000_000
  ) {
    throw invalid(
      'eventsPerDay',
      eventsPerDay,
      `a whole number from ${minEvents} (${MIN_EVENTS_PER_INSTITUTION} × institutions ${institutions}: smaller hospitals discharge too few patients a day for a steady fund) to 50000000`,
    );
  }
  const minPersons = MIN_PERSONS_PER_DAILY_EVENT * eventsPerDay;
  const persons = options.persons ?? 20 * eventsPerDay;
  if (
    typeof persons !== 'number' ||
    !Number.isSafeInteger(persons) ||
    persons < minPersons ||
    persons > 1_000_000_000
  ) {
    throw invalid(
      'persons',
      persons,
      `a whole number from ${minPersons} (${MIN_PERSONS_PER_DAILY_EVENT} × eventsPerDay ${eventsPerDay}, so normal traffic stays below the pattern thresholds) to 1000000000`,
    );
  }
  const inject = options.inject ?? DEFAULTS.inject;
  if (typeof inject !== 'boolean') throw invalid('inject', inject, 'true or false');
  return Object.freeze({ seed, start, days, institutions, persons, eventsPerDay, inject });
}
