/**
 * Identifier formats of EVENTS.md "Codes", built the way the national platform builds them:
 * fixmedins_code (H/P + division + 5-digit serial), practitioner codes (D/N/HY/HJ + division +
 * serial, 14 chars), USCC (GB 32100-2015, with the GB 11714 organisation code inside and both
 * check characters), psn_no (division + birth date + serial).
 */
import { usccCheckChar } from '../../schemas/primitives.ts';
import type { Rng } from './rng.ts';

export function fixmedinsCode(kind: 'H' | 'P', admdvs: string, serial: number): string {
  return `${kind}${admdvs}${String(serial).padStart(5, '0')}`;
}

export type PractitionerPrefix = 'D' | 'N' | 'HY' | 'HJ';

/** 14 characters: the prefix, the 6-digit division, and the serial filling the rest. */
export function practitionerCode(prefix: PractitionerPrefix, admdvs: string, serial: number): string {
  const width = 14 - prefix.length - 6;
  const s = String(serial);
  if (s.length > width) throw new RangeError(`practitioner serial ${serial} does not fit ${width} digits`);
  return `${prefix}${admdvs}${s.padStart(width, '0')}`;
}

/** GB 11714 organisation code check character over 8 digits or capitals. */
function orgCodeCheck(body: string): string {
  const weights = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const ch = body.charCodeAt(i);
    const v = ch >= 65 ? ch - 55 : ch - 48;
    sum += v * (weights[i] ?? 0);
  }
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/**
 * 登记管理部门 + 机构类别: `12` 事业单位 (public hospitals), `52` 民办非企业单位 (private
 * non-profit clinics), `91` 企业 (pharmacies, private clinics).
 */
export type UsccRegistrar = '12' | '52' | '91';

export function uscc(registrar: UsccRegistrar, admdvs: string, rng: Rng): string {
  let body = '';
  for (let i = 0; i < 8; i++) body += String(rng.int(0, 9));
  const first17 = `${registrar}${admdvs}${body}${orgCodeCheck(body)}`;
  const check = usccCheckChar(first17);
  if (check === undefined) throw new Error(`cannot compute a USCC check character for ${first17}`);
  return `${first17}${check}`;
}

/** 人员编号: division + birth date (YYYYMMDD) + 6-digit serial: 20 characters. */
export function psnNo(admdvs: string, birth: string, serial: number): string {
  return `${admdvs}${birth}${String(serial).padStart(6, '0')}`;
}
