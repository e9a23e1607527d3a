/**
 * China-time calendar of the simulator: every timestamp it writes is RFC 3339 with +08:00, every
 * day is a China day (00:00–24:00 +08:00), and the rhythms (weekday vs weekend, hour of day) are
 * tables here.
 */
import { cumulative, type Rng } from './rng.ts';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
const CHINA = 8 * HOUR;

/** Epoch ms of 00:00 China time on a `YYYY-MM-DD` date. */
export function chinaMidnight(date: string): number {
  return Date.parse(`${date}T00:00:00+08:00`);
}

const two = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

let cachedDay = Number.NaN;
let cachedPrefix = '';

/** `2026-03-02T09:41:07+08:00`; the date part is cached, as most stamps of a run fall on one day. */
export function chinaTime(ms: number): string {
  const local = ms + CHINA;
  const day = Math.floor(local / DAY);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedPrefix = new Date(day * DAY).toISOString().slice(0, 10);
  }
  const secs = Math.floor((local - day * DAY) / 1000);
  return `${cachedPrefix}T${two[Math.floor(secs / 3600)]}:${two[Math.floor(secs / 60) % 60]}:${two[secs % 60]}+08:00`;
}

/** The China date `YYYY-MM-DD` of an instant. */
export function chinaDate(ms: number): string {
  return new Date(ms + CHINA).toISOString().slice(0, 10);
}

export function chinaYear(ms: number): number {
  return new Date(ms + CHINA).getUTCFullYear();
}

/** 0 = Sunday … 6 = Saturday, China time. */
export function chinaWeekday(ms: number): number {
  return new Date(ms + CHINA).getUTCDay();
}

/** `YYYY-MM-DD` shifted by whole days (calendar arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** Visit volume by weekday (Sunday first): clinics and hospitals are quieter at weekends. */
export const MEDICAL_WEEKDAY = [0.62, 1.08, 1, 1, 1, 1, 0.72] as const;
/** Pharmacies sell almost as much at weekends. */
export const PHARMACY_WEEKDAY = [0.93, 1, 1, 1, 1, 1, 0.98] as const;
/** Discharges per day by weekday (inpatient work units). */
export const DISCHARGE_WEEKDAY = [0.6, 1, 1, 1, 1, 1, 0.7] as const;

/**
 * Hour-of-day curves (weights for 00–23). Outpatient care peaks mid-morning and after lunch; a
 * few emergency visits fall at night (22:00–06:00 is about 3% of the weight).
 */
const OUTPATIENT_HOURS = [
  0.3, 0.2, 0.15, 0.12, 0.15, 0.3, 0.9, 2.6, 7, 10, 10, 8, 4.2, 5, 8, 8, 7, 5, 3.6, 3, 2.5, 1.8, 1, 0.6,
];
/** Pharmacies: morning and an evening peak after work; few sales at night. */
const PHARMACY_HOURS = [
  0.25, 0.15, 0.1, 0.1, 0.1, 0.2, 0.8, 2.5, 5, 6.5, 7, 6.5, 5, 4.5, 5, 5.5, 6, 6.5, 7.5, 8, 7, 5, 1.3, 0.6,
];
/** Chronic-disease refills are planned daytime visits. */
const DAYTIME_HOURS = [0, 0, 0, 0, 0, 0, 0, 0.5, 6, 9, 9, 7, 3, 4, 7, 7, 6, 3, 0.5, 0, 0, 0, 0, 0];

export type HourCurve = Float64Array;
export const HOURS = {
  outpatient: cumulative(OUTPATIENT_HOURS),
  pharmacy: cumulative(PHARMACY_HOURS),
  daytime: cumulative(DAYTIME_HOURS),
} as const;

/** A time of day in ms after midnight drawn from a curve, to the second. */
export function timeOfDay(rng: Rng, curve: HourCurve): number {
  const hour = rng.weighted(curve);
  return hour * HOUR + rng.int(0, 3599) * 1000;
}

/** Whether a China time of day (ms after midnight) is in the night window 22:00–06:00. */
export function isNight(msOfDay: number): boolean {
  return msOfDay < 6 * HOUR || msOfDay >= 22 * HOUR;
}
