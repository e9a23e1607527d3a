/**
 * Insured persons are never stored: person `serial` of a division is derived from (seed,
 * division, serial) whenever a visit needs one, so a population of millions costs no memory.
 * Serials at and above a division's `count` are reserved for injected patterns and never drawn
 * by normal traffic.
 */
import { CHRONIC_CONDITIONS, type ChronicCondition } from './catalog.ts';
import { psnNo } from './codes.ts';
import { cumulative, hashOf, label, mix32, unit } from './rng.ts';

export type Person = {
  readonly psn: string;
  readonly divisionIndex: number;
  readonly serial: number;
  readonly age: number;
  /** 险种类型: 310 职工基本医疗保险, 390 城乡居民基本医疗保险. */
  readonly insutype: '310' | '390';
  readonly chronic: ChronicCondition | undefined;
  /** Stable per person: where the monthly refill happens (index into the division's sites). */
  readonly siteDraw: number;
  readonly refillAtPharmacy: boolean;
};

const PERSON = label('person');
const CHRONIC_CUM = cumulative(CHRONIC_CONDITIONS.map((c) => c.weight));

/** Chronic-condition prevalence by age band (under 40, 40–59, 60 and over). */
export const CHRONIC_PREVALENCE = [0.02, 0.12, 0.35] as const;
/** Age bands: share of the population under 18, 18–39, 40–59, 60–89. */
const AGE_BANDS = [
  [0.18, 0, 17],
  [0.48, 18, 39],
  [0.78, 40, 59],
  [1, 60, 89],
] as const;

/** Expected share of persons with a chronic condition (for volume planning). */
export const CHRONIC_SHARE =
  0.48 * CHRONIC_PREVALENCE[0] + 0.3 * CHRONIC_PREVALENCE[1] + 0.22 * CHRONIC_PREVALENCE[2];

/** Index into a cumulative weight table for a number in [0, 1). */
export function pickByUnit(cum: Float64Array, u: number): number {
  const x = u * (cum[cum.length - 1] ?? 0);
  for (let i = 0; i < cum.length; i++) if ((cum[i] ?? 0) > x) return i;
  return cum.length - 1;
}

/** `MMDD` of day-of-year 0–364 of a common year (no 29 February: valid in every year). */
const MONTH_DAYS = Array.from({ length: 365 }, (_, d) =>
  new Date(Date.UTC(2001, 0, 1 + d)).toISOString().slice(5, 10).replace('-', ''),
);

function ageOf(h: number): number {
  const u1 = unit(mix32(h ^ 0x1));
  const band = AGE_BANDS.find((b) => u1 < b[0]) ?? AGE_BANDS[3];
  return band[1] + (mix32(h ^ 0x2) % (band[2] - band[1] + 1));
}

function hasChronic(h: number, age: number): boolean {
  const prevalence =
    age < 40 ? CHRONIC_PREVALENCE[0] : age < 60 ? CHRONIC_PREVALENCE[1] : CHRONIC_PREVALENCE[2];
  return unit(mix32(h ^ 0x5)) < prevalence;
}

/** Whether a person has a chronic condition, without deriving the rest (the refill scan). */
export function isChronic(seed: number, divisionIndex: number, serial: number): boolean {
  const h = hashOf(seed, PERSON, divisionIndex, serial);
  return hasChronic(h, ageOf(h));
}

export function personAt(
  seed: number,
  startYear: number,
  admdvs: string,
  divisionIndex: number,
  serial: number,
): Person {
  const h = hashOf(seed, PERSON, divisionIndex, serial);
  const age = ageOf(h);
  const birth = `${startYear - age - 1}${MONTH_DAYS[mix32(h ^ 0x3) % 365]}`;
  const employed = age >= 18 && age < 60 ? 0.55 : age >= 60 ? 0.4 : 0;
  const chronic = hasChronic(h, age)
    ? CHRONIC_CONDITIONS[pickByUnit(CHRONIC_CUM, unit(mix32(h ^ 0x6)))]
    : undefined;
  return {
    psn: psnNo(admdvs, birth, serial + 1),
    divisionIndex,
    serial,
    age,
    insutype: unit(mix32(h ^ 0x4)) < employed ? '310' : '390',
    chronic,
    siteDraw: unit(mix32(h ^ 0x7)),
    refillAtPharmacy: unit(mix32(h ^ 0x8)) < 0.3,
  };
}

/** Refills are monthly: person `serial` refills on absolute China days ≡ serial (mod 30). */
export const REFILL_CYCLE_DAYS = 30;
