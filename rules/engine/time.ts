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

export function toIso(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().replace('Z', '+08:00');
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
