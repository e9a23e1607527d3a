/**
 * Field types shared by the input records (EVENTS.md "Codes"). Each refinement carries the text
 * a rejection message shows after the bad value, so messages read
 * `settlement.fixmedins_code: "X1" is not a fixmedins_code: expected H or P + 6-digit division + 5-digit serial`.
 */
import { z } from 'zod';

/** Two ASCII digits at `i` as a number, or -1 (also past the end: charCodeAt gives NaN there). */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function fourDigits(s: string, i: number): number {
  const hi = twoDigits(s, i);
  const lo = twoDigits(s, i + 2);
  return hi < 0 || lo < 0 ? -1 : hi * 100 + lo;
}

/** Days of month `m` (1–12) in year `y` of the proleptic Gregorian calendar (Date's, year 0 a leap year). */
function daysInMonth(y: number, m: number): number {
  if (m === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const isCalendarDate = (y: number, m: number, d: number) =>
  m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);

/** Days from 1970-01-01 to y-m-d (H. Hinnant's days_from_civil; exact for every year 0–9999). */
function epochDay(y: number, m: number, d: number): number {
  const ya = m <= 2 ? y - 1 : y;
  const era = Math.floor(ya / 400);
  const yoe = ya - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/**
 * An RFC 3339 timestamp with an offset (`YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)`, a real calendar
 * date, hours ≤ 23, minutes and seconds ≤ 59) as epoch milliseconds, the fraction cut to
 * milliseconds as Date.parse does; NaN when `s` is not one. Read by hand, not by a regular
 * expression and Date objects: it runs for three or four fields of every settlement (issue 14).
 * Years 0–99 are years 0–99 (refused later by the event-time floor with a message saying so, not
 * as "not a timestamp"). A test checks it against the regular expression it replaced and Date.parse.
 */
export function parseTimestamp(s: string): number {
  const n = s.length;
  if (n < 20) return Number.NaN;
  const y = fourDigits(s, 0);
  const mo = twoDigits(s, 5);
  const d = twoDigits(s, 8);
  const h = twoDigits(s, 11);
  const mi = twoDigits(s, 14);
  const sec = twoDigits(s, 17);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return Number.NaN;
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return Number.NaN;
  if (!isCalendarDate(y, mo, d) || h > 23 || mi > 59 || sec > 59) return Number.NaN;
  let i = 19;
  let ms = 0;
  if (s[i] === '.') {
    // 1 to 9 digits; the first three are the milliseconds.
    for (i = 20; i < 30; i++) {
      const c = s.charCodeAt(i) - 48;
      if (!(c >= 0 && c <= 9)) break;
      if (i < 23) ms += c * (i === 20 ? 100 : i === 21 ? 10 : 1);
    }
    if (i === 20 || i === 30) return Number.NaN;
  }
  let offset = 0;
  const zone = s[i];
  if (zone === 'Z') {
    if (i + 1 !== n) return Number.NaN;
  } else if (zone === '+' || zone === '-') {
    const oh = twoDigits(s, i + 1);
    const om = twoDigits(s, i + 4);
    if (i + 6 !== n || s[i + 3] !== ':' || oh < 0 || om < 0 || oh > 23 || om > 59) return Number.NaN;
    offset = (zone === '+' ? 1 : -1) * (oh * 60 + om) * 60_000;
  } else return Number.NaN;
  return epochDay(y, mo, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms - offset;
}

export function isTimestamp(s: string): boolean {
  return !Number.isNaN(parseTimestamp(s));
}

/** A calendar date `YYYY-MM-DD`, read by hand like `parseTimestamp`. */
export function isDate(s: string): boolean {
  if (s.length !== 10 || s[4] !== '-' || s[7] !== '-') return false;
  const y = fourDigits(s, 0);
  const m = twoDigits(s, 5);
  const d = twoDigits(s, 8);
  return y >= 0 && m >= 0 && d >= 0 && isCalendarDate(y, m, d);
}

/** RFC 3339 timestamp with an offset (`Z` or `±hh:mm`). */
export const timestamp = z.string().refine(isTimestamp, {
  message: 'expected an RFC 3339 timestamp with offset, e.g. 2026-11-20T10:42:13+08:00',
});

/** Calendar date `YYYY-MM-DD`. */
export const date = z.string().refine(isDate, { message: 'expected a calendar date YYYY-MM-DD' });

/**
 * At most 2 decimals, allowing for binary floating point (286.4 * 100 is 28639.999999999996). The
 * tolerance is relative to the amount, a few hundred ulps: an absolute one (1e-6 分) let through
 * 0.000000001 and 12.340000001.
 */
export function hasAtMostTwoDecimals(v: number): boolean {
  const cents = v * 100;
  return Math.abs(cents - Math.round(cents)) <= Math.abs(cents) * 1e-13;
}

/** Money in yuan: a finite number ≥ 0 with at most 2 decimals (分). */
export const money = z
  .number()
  .refine((v) => Number.isFinite(v) && v >= 0, { message: 'expected money in yuan ≥ 0' })
  .refine(hasAtMostTwoDecimals, { message: 'expected money with at most 2 decimals' });

export const FIXMEDINS_CODE = /^[HP]\d{6}\d{5}$/;
export const fixmedinsCode = z.string().regex(FIXMEDINS_CODE, {
  message: 'expected a fixmedins_code: H or P + 6-digit division + 5-digit serial (12 chars)',
});

export const PRACTITIONER_CODE = /^(D|N|HY|HJ)\d{6}\d+$/;
export const practitionerCode = z.string().refine((s) => s.length === 14 && PRACTITIONER_CODE.test(s), {
  message: 'expected a practitioner_code: D, N, HY or HJ + 6-digit division + serial (14 chars)',
});

export const admdvs = z
  .string()
  .regex(/^\d{6}$/, { message: 'expected a 6-digit division code (GB/T 2260)' });

export const psnNo = z
  .string()
  .min(1, { message: 'expected a psn_no of 1–30 chars' })
  .max(30, { message: 'expected a psn_no of 1–30 chars' });

/** GB 32100-2015 统一社会信用代码: alphabet without I, O, Z, S, V; weights 3^i mod 31. */
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function usccCheckChar(first17: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(first17[i] ?? '?');
    if (v < 0) return undefined;
    sum += v * (USCC_WEIGHTS[i] ?? 0);
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

export function isValidUscc(s: string): boolean {
  return s.length === 18 && usccCheckChar(s.slice(0, 17)) === s[17];
}

export const uscc = z.string().refine(isValidUscc, {
  message: 'expected an 18-char USCC with a valid GB 32100-2015 check character',
});

export const eventId = z
  .string()
  .min(1, { message: 'expected an event_id of 1–64 chars' })
  .max(64, { message: 'expected an event_id of 1–64 chars' });

export const shortId = z.string().min(1).max(30, { message: 'expected at most 30 chars' });
