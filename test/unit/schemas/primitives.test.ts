import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isDate,
  isTimestamp,
  isValidUscc,
  parseTimestamp,
  usccCheckChar,
} from '../../../schemas/primitives.ts';

describe('the USCC check character (GB 32100-2015)', () => {
  it.each([
    ['91350100M000100Y4', '3'],
    ['12510100MB0W00000', '1'],
  ])('the check character of %s is %s', (first17, check) => {
    expect(usccCheckChar(first17)).toBe(check);
  });

  it('a sum that is a multiple of 31 gives check character 0, not 31', () => {
    expect(usccCheckChar('00000000000000000')).toBe('0');
    expect(isValidUscc('000000000000000000')).toBe(true);
  });

  it.each(['91350100M000100Y43', '12510100MB0W000001'])('%s is a valid USCC', (code) => {
    expect(isValidUscc(code)).toBe(true);
  });

  it.each([
    ['91350100M000100Y44', 'a wrong check character'],
    ['91350100M000100Y4', '17 chars'],
    ['91350100M000100Y433', '19 chars'],
    ['91350100m000100Y43', 'a lower-case letter'],
    ['91350100MI00100Y43', 'the letter I, outside the alphabet'],
    ['91350100M000100Y4Z', 'the check character Z, outside the alphabet'],
    ['', 'nothing'],
  ])('%s is not a valid USCC (%s)', (code) => {
    expect(isValidUscc(code)).toBe(false);
  });

  it('every single-character change of a valid USCC is caught', () => {
    const valid = '91350100M000100Y43';
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    for (let i = 0; i < valid.length; i++) {
      for (const c of alphabet) {
        if (c === valid[i]) continue;
        const changed = `${valid.slice(0, i)}${c}${valid.slice(i + 1)}`;
        expect(isValidUscc(changed), changed).toBe(false);
      }
    }
  });
});

/** The regular expression and Date checks `parseTimestamp` replaced (issue 14), kept as the reference. */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;
function referenceCalendarDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  t.setUTCFullYear(y, m - 1, d);
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}
function referenceIsTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const [, y, mo, d, h, mi, sec, , , oh, om] = m;
  if (!referenceCalendarDate(Number(y), Number(mo), Number(d))) return false;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return false;
  return oh === undefined || (Number(oh) <= 23 && Number(om) <= 59);
}
function referenceIsDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m !== null && referenceCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Timestamps near and across every bound: month 0–13, day 0–32, hour 0–25, offsets to 25:61. */
const nearTimestamp = fc
  .record({
    y: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 4, 100, 400, 1900, 2000, 2024, 2100)),
    mo: fc.integer({ min: 0, max: 13 }),
    d: fc.integer({ min: 0, max: 32 }),
    h: fc.integer({ min: 0, max: 25 }),
    mi: fc.integer({ min: 0, max: 61 }),
    s: fc.integer({ min: 0, max: 61 }),
    fraction: fc.stringMatching(/^\d{0,11}$/),
    zone: fc.oneof(
      fc.constantFrom('Z', 'z', '', '+08:00', '-00:00', '+0800', '+08'),
      fc
        .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }))
        .map(([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`),
    ),
  })
  .map(
    (t) =>
      `${pad(t.y, 4)}-${pad(t.mo, 2)}-${pad(t.d, 2)}T${pad(t.h, 2)}:${pad(t.mi, 2)}:${pad(t.s, 2)}${t.fraction === '' ? '' : `.${t.fraction}`}${t.zone}`,
  );
/** One character of a timestamp replaced, dropped or doubled: separators, other digits, letters. */
const mutated = fc
  .tuple(
    nearTimestamp,
    fc.nat(),
    fc.constantFrom('replace', 'drop', 'double'),
    fc.constantFrom('0', '9', '-', ':', 'T', 't', 'Z', '+', '.', ' ', '\n', '٣', '/', 'x'),
  )
  .map(([s, at, how, c]) => {
    const i = at % s.length;
    if (how === 'drop') return s.slice(0, i) + s.slice(i + 1);
    if (how === 'double') return s.slice(0, i + 1) + s.slice(i);
    return s.slice(0, i) + c + s.slice(i + 1);
  });

describe('timestamps and dates read by hand', () => {
  it('a timestamp is accepted exactly when the regular expression and calendar check accept it', () => {
    fc.assert(
      fc.property(fc.oneof(nearTimestamp, mutated, fc.string()), (s) => {
        expect(isTimestamp(s), s).toBe(referenceIsTimestamp(s));
      }),
      { numRuns: 30_000 },
    );
  });

  it('an accepted timestamp reads as Date.parse reads it (fraction cut to milliseconds, years 0–99 kept)', () => {
    fc.assert(
      fc.property(nearTimestamp, (s) => {
        if (referenceIsTimestamp(s)) expect(parseTimestamp(s), s).toBe(Date.parse(s));
        else expect(parseTimestamp(s), s).toBeNaN();
      }),
      { numRuns: 30_000 },
    );
    expect(parseTimestamp('0050-03-01T00:00:00.1239+08:00')).toBe(
      Date.parse('0050-03-01T00:00:00.123+08:00'),
    );
    expect(parseTimestamp('2024-02-29T23:59:59-23:59')).toBe(Date.parse('2024-02-29T23:59:59-23:59'));
    expect(parseTimestamp('2023-02-29T00:00:00Z')).toBeNaN();
  });

  it('a date is accepted exactly when the regular expression and calendar check accept it', () => {
    const nearDate = nearTimestamp.map((s) => s.slice(0, 10));
    const mutatedDate = mutated.map((s) => s.slice(0, 10));
    fc.assert(
      fc.property(fc.oneof(nearDate, mutatedDate, fc.string()), (s) => {
        expect(isDate(s), s).toBe(referenceIsDate(s));
      }),
      { numRuns: 20_000 },
    );
    expect(isDate('0000-02-29')).toBe(true); // year 0 is a leap year in Date's calendar
    expect(isDate('1900-02-29')).toBe(false);
  });
});
