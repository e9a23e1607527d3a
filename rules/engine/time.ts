/**
 * Calendar arithmetic in China time (+08:00, EVENTS.md: the monitor's calendar). Instants are
 * epoch milliseconds; calendar dates are `YYYY-MM-DD` strings. Pure, no clock reads.
 */
const CHINA_OFFSET_MS = 8 * 3600_000;
export const DAY_MS = 86_400_000;

/** The instant a China-time calendar day starts. */
export function dayStart(date: string): number {
  return Date.parse(`${date}T00:00:00+08:00`);
}

/** The China-time calendar date of an instant. */
export function chinaDate(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

export function chinaYear(ms: number): number {
  return new Date(ms + CHINA_OFFSET_MS).getUTCFullYear();
}

export function yearOfDate(date: string): number {
  return Number(date.slice(0, 4));
}

export function yearStart(year: number): number {
  return dayStart(`${year}-01-01`);
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/**
 * Same day `months` later; a day that does not exist in the target month moves to its last day
 * (2026-08-31 + 6 months = 2027-02-28), the usual reading of "N个月" in administrative law.
 */
export function addMonths(date: string, months: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + months;
  const d = Number(date.slice(8, 10));
  const ty = y + Math.floor(m / 12);
  const tm = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(ty, tm + 1, 0)).getUTCDate();
  return `${pad(ty, 4)}-${pad(tm + 1)}-${pad(Math.min(d, last))}`;
}

export function addYears(date: string, years: number): string {
  return addMonths(date, 12 * years);
}

export function addDays(date: string, days: number): string {
  return chinaDate(dayStart(date) + days * DAY_MS);
}

/** Working days Monday–Friday; public holidays are not modelled (an assumption of the packs that use it). */
export function addWorkingDays(date: string, days: number): string {
  let d = date;
  let left = days;
  while (left > 0) {
    d = addDays(d, 1);
    const wd = new Date(dayStart(d) + CHINA_OFFSET_MS).getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return d;
}

/** Two digits of 0–99 (the formatter's own, not `pad`: no String and padStart per field). */
const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const three = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the years toISOString writes with 4 digits. */
const FIRST_4_DIGIT_MS = -62_167_219_200_000;
const AFTER_4_DIGIT_MS = 253_402_300_800_000;

/**
 * An instant in China time, as `new Date(ms + 8 h).toISOString()` with `+08:00` for `Z`
 * (`2026-03-02T14:40:52.000+08:00`). Written by hand for integer instants of years 0–9999 (H.
 * Hinnant's civil_from_days): every indicator snapshot and alert stamps one, and the Date, its
 * ISO string and the replace were 3% of the engine's time (issue 14). Anything else (fractions,
 * other years, NaN) takes Date, which also throws as before. A test checks both agree.
 */
export function toIso(ms: number): string {
  const v = ms + CHINA_OFFSET_MS;
  if (!Number.isInteger(v) || v < FIRST_4_DIGIT_MS || v >= AFTER_4_DIGIT_MS)
    return new Date(v).toISOString().replace('Z', '+08:00');
  const days = Math.floor(v / DAY_MS);
  let rest = v - days * DAY_MS;
  const hh = Math.floor(rest / 3_600_000);
  rest -= hh * 3_600_000;
  const mi = Math.floor(rest / 60_000);
  rest -= mi * 60_000;
  const ss = Math.floor(rest / 1000);
  const mss = rest - ss * 1000;
  // civil_from_days: days since 1970-01-01 → year, month, day (proleptic Gregorian).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const yyyy = y < 10 ? `000${y}` : y < 100 ? `00${y}` : y < 1000 ? `0${y}` : `${y}`;
  return `${yyyy}-${two(m)}-${two(d)}T${two(hh)}:${two(mi)}:${two(ss)}.${three(mss)}+08:00`;
}

/**
 * Like addWorkingDays, and also skipping the given calendar dates (public holidays a pack is
 * configured with; 广东 第三十七条 counts 工作日). The holiday calendar is not in any seed.
 */
export function addWorkingDaysSkipping(date: string, days: number, holidays: ReadonlySet<string>): string {
  let d = date;
  let left = days;
  while (left > 0) {
    d = addDays(d, 1);
    const wd = new Date(dayStart(d) + CHINA_OFFSET_MS).getUTCDay();
    if (wd !== 0 && wd !== 6 && !holidays.has(d)) left--;
  }
  return d;
}
