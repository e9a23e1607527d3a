/**
 * Which pack judges a subject: from its 6-digit division code (POLICY.md table). A division no
 * pack covers is not an error: the subject gets indicators and early warnings, and `pack: null`.
 */
import type { SubjectKind } from '../../schemas/events.ts';
import type { PackId } from './types.ts';

/** Exact county codes first (巫山 500237 lies inside 重庆 50, which has no pack), then provinces. */
const BY_COUNTY: Readonly<Record<string, PackId>> = { '500237': 'chongqing-wushan' };
const BY_PROVINCE: Readonly<Record<string, PackId>> = {
  '51': 'sichuan',
  '44': 'guangdong',
  '32': 'jiangsu',
  '65': 'xinjiang',
};

function packOf(admdvs: string): PackId | null {
  if (!/^\d{6}$/.test(admdvs)) return null;
  return BY_COUNTY[admdvs] ?? BY_PROVINCE[admdvs.slice(0, 2)] ?? null;
}

/**
 * Answers by division, kept: every rule outcome asks (issue 14: the pattern test and the slice
 * per call were 1% of the engine). Divisions are a few thousand; the table is dropped whole if
 * it ever holds many more (only codes that are not divisions could make it).
 */
const known = new Map<string, PackId | null>();

export function packForDivision(admdvs: string | undefined): PackId | null {
  if (!admdvs) return null;
  let pack = known.get(admdvs);
  if (pack === undefined) {
    pack = packOf(admdvs);
    if (known.size >= 65_536) known.clear();
    known.set(admdvs, pack);
  }
  return pack;
}

/**
 * The division a subject belongs to when no registry record says it: codes carry it.
 * fixmedins_code chars 2–7 and practitioner_code's 6 digits after the prefix (EVENTS.md), USCC
 * chars 3–8 (登记管理机关行政区划码, GB 32100-2015), an insured person's `subject_admdvs`
 * (taken from the psn_no before pseudonymisation).
 */
export function divisionOfCode(kind: SubjectKind, code: string, subjectAdmdvs?: string): string | undefined {
  switch (kind) {
    case 'institution':
      return code.slice(1, 7);
    case 'practitioner':
      return code.replace(/^[A-Z]+/, '').slice(0, 6);
    case 'employer':
      return code.slice(2, 8);
    case 'insured':
      return subjectAdmdvs;
  }
}
