/**
 * Practitioners of each institution, sized by its daily volume so that no one settles more
 * than about 25 visits a day (a few an hour at the morning peak): far from the 30-an-hour
 * throughput warning unless injected.
 */
import { type PractitionerPrefix, practitionerCode } from './codes.ts';
import type { SimInstitution } from './population.ts';
import { label, Rng } from './rng.ts';
import { addDays } from './time.ts';

export type Role = 'physician' | 'nurse' | 'pharmacist' | 'technician';

export type SimPractitioner = {
  readonly code: string;
  readonly role: Role;
  readonly institution: SimInstitution;
  readonly qualifiedSince: string;
};

const PREFIX: Record<Role, PractitionerPrefix> = {
  physician: 'D',
  nurse: 'N',
  pharmacist: 'HY',
  technician: 'HJ',
};

/** Visits a practitioner settles on an ordinary day, at most. */
const VISITS_PER_PRACTITIONER = 22;

function staffing(inst: SimInstitution, outRate: number, inRate: number): [Role, number][] {
  const perDay = outRate * 1.1;
  switch (inst.kind) {
    case 'hospital': {
      const physicians = Math.max(2, Math.ceil(perDay / VISITS_PER_PRACTITIONER + inRate));
      return [
        ['physician', physicians],
        ['nurse', Math.ceil(physicians * 1.2)],
        ['technician', inst.level === 1 ? 1 : 2 + (inst.level ?? 0)],
      ];
    }
    case 'clinic':
      return [
        ['physician', Math.max(1, Math.ceil(perDay / VISITS_PER_PRACTITIONER))],
        ['nurse', 1],
      ];
    case 'village_clinic':
      return [['physician', Math.max(1, Math.ceil(perDay / VISITS_PER_PRACTITIONER))]];
    case 'pharmacy':
      return [['pharmacist', Math.max(1, Math.ceil(perDay / (VISITS_PER_PRACTITIONER * 1.5)))]];
  }
}

export type Staff = {
  readonly all: readonly SimPractitioner[];
  /** Per institution index: the codes that appear on its settlements (physicians or pharmacists). */
  readonly settling: readonly (readonly string[])[];
};

export function buildStaff(
  seed: number,
  institutions: readonly SimInstitution[],
  rates: { readonly out: Float64Array; readonly in: Float64Array },
  start: string,
): Staff {
  const rng = Rng.of(seed, label('practitioners'));
  const serials = new Map<string, number>();
  const all: SimPractitioner[] = [];
  const settling: string[][] = [];
  for (const inst of institutions) {
    const mine: string[] = [];
    for (const [role, count] of staffing(inst, rates.out[inst.index] ?? 0, rates.in[inst.index] ?? 0)) {
      for (let k = 0; k < count; k++) {
        const key = `${PREFIX[role]}${inst.division.admdvs}`;
        const serial = (serials.get(key) ?? 0) + 1;
        serials.set(key, serial);
        const p: SimPractitioner = {
          code: practitionerCode(PREFIX[role], inst.division.admdvs, serial),
          role,
          institution: inst,
          qualifiedSince: addDays(start, -rng.int(365, 25 * 365)),
        };
        all.push(p);
        if (role === 'physician' || role === 'pharmacist') mine.push(p.code);
      }
    }
    settling.push(mine);
  }
  return { all, settling };
}
