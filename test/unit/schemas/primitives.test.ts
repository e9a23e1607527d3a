import { describe, expect, it } from 'vitest';
import { isValidUscc, usccCheckChar } from '../../../schemas/primitives.ts';

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
