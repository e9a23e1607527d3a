/**
 * The simulated world, built once from the options: institutions, their staff, their daily
 * volumes scaled to `eventsPerDay`, and the people of each division. Everything that happens
 * day by day (traffic.ts, inject/) reads it and never changes it.
 */
import { DIVISIONS, type Division } from './geography.ts';
import type { ResolvedOptions } from './options.ts';
import { CHRONIC_SHARE, type Person, personAt, REFILL_CYCLE_DAYS } from './persons.ts';
import { buildInstitutions, type SimInstitution } from './population.ts';
import { buildStaff, type Staff } from './practitioners.ts';
import { cumulative } from './rng.ts';
import { chinaMidnight, DISCHARGE_WEEKDAY, MEDICAL_WEEKDAY, PHARMACY_WEEKDAY } from './time.ts';

export type Sites = { readonly institutions: readonly number[]; readonly cum: Float64Array };

export type DivisionPeople = {
  readonly division: Division;
  readonly index: number;
  /** Persons drawn by normal traffic: serials 0 … count − 1. */
  readonly count: number;
  /** Outpatient care sites (hospitals, clinics, village clinics) weighted by volume. */
  readonly medical: Sites;
  readonly pharmacies: Sites;
  readonly hospitals: readonly number[];
};

export type World = {
  readonly options: ResolvedOptions;
  readonly startMs: number;
  readonly startYear: number;
  readonly institutions: readonly SimInstitution[];
  readonly byCode: ReadonlyMap<string, SimInstitution>;
  readonly staff: Staff;
  /** Scaled acute visits (or sales) per weekday, by institution index. */
  readonly outRate: Float64Array;
  /** Scaled discharges per working day, by institution index. */
  readonly inRate: Float64Array;
  readonly people: readonly DivisionPeople[];
  /** Cumulative person counts by division, for visitors from elsewhere. */
  readonly peopleCum: Float64Array;
  readonly chains: ReadonlyMap<string, readonly SimInstitution[]>;
};

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

function sites(insts: readonly SimInstitution[], weight: (i: SimInstitution) => number): Sites {
  return { institutions: insts.map((i) => i.index), cum: cumulative(insts.map(weight)) };
}

export function buildWorld(options: ResolvedOptions): World {
  const institutions = buildInstitutions(options.seed, options.institutions, options.start);
  // Volume: acute visits and discharges are scaled so that, with the monthly chronic refills of
  // the persons, a day holds about eventsPerDay settlements on average over a week.
  const medical = mean(MEDICAL_WEEKDAY);
  const pharmacy = mean(PHARMACY_WEEKDAY);
  const discharge = mean(DISCHARGE_WEEKDAY);
  let nominal = 0;
  for (const i of institutions) {
    nominal +=
      i.outpatientWeight * (i.kind === 'pharmacy' ? pharmacy : medical) + i.inpatientWeight * discharge;
  }
  const chronicPerDay = (options.persons * CHRONIC_SHARE) / REFILL_CYCLE_DAYS;
  const scale = Math.max(0.1 * options.eventsPerDay, options.eventsPerDay - chronicPerDay) / nominal;
  const outRate = Float64Array.from(institutions, (i) => i.outpatientWeight * scale);
  const inRate = Float64Array.from(institutions, (i) => i.inpatientWeight * scale);

  const volumeByDivision = DIVISIONS.map(() => 0);
  for (const i of institutions) {
    volumeByDivision[i.divisionIndex]! += outRate[i.index]! + inRate[i.index]!;
  }
  const totalVolume = volumeByDivision.reduce((s, v) => s + v, 0);
  const people = DIVISIONS.map((division, index): DivisionPeople => {
    const mine = institutions.filter((i) => i.divisionIndex === index);
    return {
      division,
      index,
      count: Math.max(50, Math.round((options.persons * volumeByDivision[index]!) / totalVolume)),
      medical: sites(
        mine.filter((i) => i.kind !== 'pharmacy'),
        (i) => outRate[i.index]!,
      ),
      pharmacies: sites(
        mine.filter((i) => i.kind === 'pharmacy'),
        (i) => outRate[i.index]!,
      ),
      hospitals: mine.filter((i) => i.inpatient).map((i) => i.index),
    };
  });

  const chains = new Map<string, SimInstitution[]>();
  for (const i of institutions) {
    if (i.chainId !== undefined) chains.set(i.chainId, [...(chains.get(i.chainId) ?? []), i]);
  }
  const startMs = chinaMidnight(options.start);
  return {
    options,
    startMs,
    startYear: Number(options.start.slice(0, 4)),
    institutions,
    byCode: new Map(institutions.map((i) => [i.code, i])),
    staff: buildStaff(options.seed, institutions, { out: outRate, in: inRate }, options.start),
    outRate,
    inRate,
    people,
    peopleCum: cumulative(people.map((p) => p.count)),
    chains,
  };
}

export function personOf(world: World, divisionIndex: number, serial: number): Person {
  const admdvs = world.people[divisionIndex]!.division.admdvs;
  return personAt(world.options.seed, world.startYear, admdvs, divisionIndex, serial);
}
