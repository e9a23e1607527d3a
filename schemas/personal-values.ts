/**
 * Personal data recognised by value, whatever field holds it (issue 16): a resident identity
 * number (GB 11643-1999: 17 digits and a check character, the ISO 7064 MOD 11-2 of the 17) and
 * a mainland mobile number (11 digits, 1 then 3–9). Used on dead letters, where a record may be
 * anything: the field names cannot be trusted, so values are looked at too.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** True for 18 characters whose last is the GB 11643 check character of the first 17 digits. */
export function isIdNumber(s: string): boolean {
  if (s.length !== 18) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    sum += d * WEIGHTS[i]!;
  }
  return CHECK[sum % 11] === s[17]!.toUpperCase();
}

/** A birth date YYYYMMDD from 1900 on that exists in the calendar. */
function isBirthDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  const t = new Date(Date.UTC(y, m - 1, d));
  return y >= 1900 && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/**
 * An identity number as people write it, right or with a slip in the check character: a valid
 * check character, or a division code (first digit 1–8) followed by a real birth date. The
 * 15-digit numbers issued before 1999 (division, YYMMDD, sequence) are read the same way.
 * Wider than the check digit alone on purpose: a mistyped ID number is still a person's.
 */
export function looksLikeIdNumber(s: string): boolean {
  if (s.length === 18) return isIdNumber(s) || (/^[1-8]/.test(s) && isBirthDate(s.slice(6, 14)));
  if (s.length === 15) return /^[1-8]\d{14}$/.test(s) && isBirthDate(`19${s.slice(6, 12)}`);
  return false;
}

/**
 * A pseudonym token (kept: it is no personal data, and its characters must not be read as
 * digits of one), an ID-number candidate, or a mobile number, each standing alone (no letter or
 * digit on either side).
 */
const CANDIDATE = /ps_[A-Za-z0-9_-]{22}|(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15}|1[3-9]\d{9})(?![0-9A-Za-z])/g;

/** `text` with every ID number (see looksLikeIdNumber) and mobile number replaced by `replace(value)`. */
export function replacePersonalValues(text: string, replace: (clear: string) => string): string {
  return text.replace(CANDIDATE, (m) => {
    if (m.startsWith('ps_')) return m;
    if (m.length === 11 || looksLikeIdNumber(m)) return replace(m);
    return m;
  });
}
