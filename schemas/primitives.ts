/**
 * Field types shared by the input records (EVENTS.md "Codes"). Each refinement carries the text
 * a rejection message shows after the bad value, so messages read
 * `settlement.fixmedins_code: "X1" is not a fixmedins_code: expected H or P + 6-digit division + 5-digit serial`.
 */
import { z } from 'zod';

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  // Date.UTC reads years 0–99 as 1900–1999: set the year itself, so 0001-01-01 is a real date
  // (refused later by the event-time floor with a message saying so, not as "not a timestamp").
  t.setUTCFullYear(y, m - 1, d);
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

export function isTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const [, y, mo, d, h, mi, sec, , , oh, om] = m;
  if (!isCalendarDate(Number(y), Number(mo), Number(d))) return false;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return false;
  return oh === undefined || (Number(oh) <= 23 && Number(om) <= 59);
}

/** RFC 3339 timestamp with an offset (`Z` or `±hh:mm`). */
export const timestamp = z.string().refine(isTimestamp, {
  message: 'expected an RFC 3339 timestamp with offset, e.g. 2026-11-20T10:42:13+08:00',
});

/** Calendar date `YYYY-MM-DD`. */
export const date = z.string().refine(
  (s) => {
    const m = DATE.exec(s);
    return m !== null && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
  },
  { message: 'expected a calendar date YYYY-MM-DD' },
);

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
