/**
 * Patterns of one person's care path (ARCHITECTURE.md's person stage): readmissions after short
 * gaps, overlapping stays, many institutions in a day, repeated pharmacy purchases, cumulative
 * days of supply. Each uses persons reserved for it, whom normal traffic never draws.
 */
import { CHRONIC_CONDITIONS, INPATIENT_DIAGNOSES, OUTPATIENT_DIAGNOSES } from '../catalog.ts';
import { DIVISIONS } from '../geography.ts';
import type { Person } from '../persons.ts';
import type { SimInstitution } from '../population.ts';
import { chronicRefill, inpatient, outpatient, pharmacyRefill, pharmacySale } from '../settlements.ts';
import { DAY, HOUR, MINUTE } from '../time.ts';
import { type PlanBuilder, physicianOf, visit } from './builder.ts';
import { PSEUDONYM_NOTE } from './types.ts';

const divisionIndex = (admdvs: string) => DIVISIONS.findIndex((d) => d.admdvs === admdvs);
const dx = (icd: string) => INPATIENT_DIAGNOSES.find((d) => d.icd === icd)!;

function admit(
  b: PlanBuilder,
  name: string,
  hospital: SimInstitution,
  person: Person,
  icd: string,
  admitMs: number,
  dischargeMs: number,
): void {
  const day = Math.floor((dischargeMs - b.world.startMs) / DAY);
  b.at(day, name, (ctx) => {
    const v = visit(
      ctx,
      hospital,
      person,
      physicianOf(ctx.world, hospital, ctx.rng),
      dischargeMs + 40 * MINUTE,
    );
    ctx.day.events.push(inpatient(v, dx(icd), { admitMs, dischargeMs }));
  });
}

/** 分解住院: 4 persons, 3 stays each at one hospital, readmitted 3–5 days after discharge (8 readmissions). */
export function splitAdmission(b: PlanBuilder): void {
  if (b.days < 27) return;
  const name = 'split_admission';
  const hospital = b.take(
    name,
    (i) => i.kind === 'hospital' && i.level === 2 && i.division.jurisdiction !== 'chongqing-wushan',
  );
  const icds = ['J44.1', 'J18.9', 'I63.9', 'E11.9'];
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  icds.forEach((icd, j) => {
    const person = b.reserve.take(hospital.divisionIndex);
    let admitDay = 1 + j;
    for (let k = 0; k < 3; k++) {
      const dischargeDay = admitDay + 4;
      const admitMs = b.dayMs(admitDay) + 9 * HOUR + j * 20 * MINUTE;
      const dischargeMs = b.dayMs(dischargeDay) + 10 * HOUR + k * 15 * MINUTE;
      admit(b, name, hospital, person, icd, admitMs, dischargeMs);
      first = Math.min(first, admitMs);
      last = Math.max(last, dischargeMs + 40 * MINUTE);
      admitDay = dischargeDay + 3 + ((j + k) % 3);
    }
  });
  b.label({
    rule: name,
    subject_kind: 'institution',
    subject_code: hospital.code,
    from: first,
    to: last,
    detail: {
      readmissions: 8,
      persons: 4,
      icd3: icds.map((i) => i.slice(0, 3)),
      gap_days: '3–5 after the previous discharge',
      threshold: '≥ 5 readmissions (same person, institution, ICD-10 category, within 15 days) in 30 days',
    },
  });
}

/** 挂床/重复住院: one person in two hospitals of one city at once, overlapping about 4 days. */
export function overlappingStays(b: PlanBuilder): void {
  if (b.days < 12) return;
  const name = 'overlapping_stays';
  const first = b.take(
    name,
    (i) => i.kind === 'hospital' && i.level === 2 && i.division.jurisdiction === 'sichuan',
  );
  const second = b.take(
    name,
    (i) => i.kind === 'hospital' && i.division.admdvs.startsWith('5101') && i.code !== first.code,
  );
  const person = b.reserve.take(first.divisionIndex);
  const x = b.dayAt(0.25, 0, 9);
  const a = { admit: b.dayMs(x) + 10 * HOUR, discharge: b.dayMs(x + 9) + 10 * HOUR + 30 * MINUTE };
  const c = { admit: b.dayMs(x + 3) + 14 * HOUR, discharge: b.dayMs(x + 7) + 11 * HOUR };
  admit(b, name, first, person, 'I63.9', a.admit, a.discharge);
  admit(b, name, second, person, 'J18.9', c.admit, c.discharge);
  b.label({
    rule: name,
    subject_kind: 'insured',
    subject_code: person.psn,
    from: a.admit,
    to: a.discharge + 40 * MINUTE,
    detail: {
      institutions: [first.code, second.code],
      overlap_hours: Math.round((c.discharge - c.admit) / HOUR),
      threshold: 'two inpatient stays at different institutions overlapping by ≥ 1 day',
      pseudonymised: true,
      note: PSEUDONYM_NOTE,
    },
  });
}

/** 冒名就医/串换: one person settling at 7 distinct institutions of 成都 on one day. */
export function multiInstitutionDay(b: PlanBuilder): void {
  const name = 'multi_institution_day';
  const person = b.reserve.take(divisionIndex('510107'));
  const sites = b.rng
    .shuffled(b.world.institutions)
    .filter((i) => i.division.admdvs.startsWith('5101') && i.kind !== 'village_clinic' && !b.taken(i.code))
    .slice(0, 7);
  const day = b.dayAt(0.5);
  const times = sites.map((_, k) => b.dayMs(day) + 8 * HOUR + 40 * MINUTE + k * 75 * MINUTE);
  b.at(day, name, (ctx) => {
    sites.forEach((inst, k) => {
      const v = visit(ctx, inst, person, physicianOf(ctx.world, inst, ctx.rng), times[k]!);
      ctx.day.events.push(
        inst.kind === 'pharmacy' ? pharmacySale(v) : outpatient(v, ctx.rng.pick(OUTPATIENT_DIAGNOSES)),
      );
    });
  });
  b.label({
    rule: name,
    subject_kind: 'insured',
    subject_code: person.psn,
    from: times[0]!,
    to: times[times.length - 1]!,
    detail: {
      institutions: sites.map((i) => i.code),
      distinct_institutions: sites.length,
      threshold: '≥ 5 distinct institutions in one China day',
      pseudonymised: true,
      note: PSEUDONYM_NOTE,
    },
  });
}

/** 盗刷/套现: one person buying 6 times at one pharmacy in a day. */
export function pharmacyRepeatPurchase(b: PlanBuilder): void {
  const name = 'pharmacy_repeat_purchase';
  const pharmacy = b.take(
    name,
    (i) => i.kind === 'pharmacy' && i.chainId === undefined && i.division.jurisdiction === 'guangdong',
  );
  const person = b.reserve.take(pharmacy.divisionIndex);
  const day = b.dayAt(0.6);
  const times = Array.from({ length: 6 }, (_, k) => b.dayMs(day) + 9 * HOUR + 10 * MINUTE + k * 100 * MINUTE);
  b.at(day, name, (ctx) => {
    for (const t of times) {
      ctx.day.events.push(
        pharmacySale(visit(ctx, pharmacy, person, physicianOf(ctx.world, pharmacy, ctx.rng), t)),
      );
    }
  });
  b.label({
    rule: name,
    subject_kind: 'institution',
    subject_code: pharmacy.code,
    from: times[0]!,
    to: times[times.length - 1]!,
    detail: {
      purchases: times.length,
      buyer: person.psn,
      buyer_pseudonymised: true,
      threshold: '≥ 4 purchases by one person at one pharmacy in one day',
      note: 'buyer is a clear psn_no; the monitor sees only its pseudonym',
    },
  });
}

/** 超量开药: one person getting 5 × 30 days of the same drug within 21 days, at 3 places. */
export function drugOversupply(b: PlanBuilder): void {
  if (b.days < 21) return;
  const name = 'drug_oversupply';
  const division = divisionIndex('320102');
  const person = b.reserve.take(division);
  const condition = CHRONIC_CONDITIONS[0]!;
  const jiangsu = b.rng
    .shuffled(b.world.institutions)
    .filter((i) => i.division.jurisdiction === 'jiangsu' && !b.taken(i.code));
  const sites = [
    jiangsu.find((i) => i.kind === 'pharmacy')!,
    jiangsu.find((i) => i.kind === 'clinic')!,
    jiangsu.filter((i) => i.kind === 'pharmacy')[1]!,
  ];
  const start = b.dayAt(0.2, 0, 20);
  const times = [0, 5, 10, 15, 20].map((o, k) => b.dayMs(start + o) + 10 * HOUR + k * 30 * MINUTE);
  times.forEach((t, k) => {
    const site = sites[k % sites.length]!;
    b.at(start + k * 5, name, (ctx) => {
      const v = visit(ctx, site, person, physicianOf(ctx.world, site, ctx.rng), t);
      ctx.day.events.push(
        site.kind === 'pharmacy' ? pharmacyRefill(v, condition) : chronicRefill(v, condition),
      );
    });
  });
  b.label({
    rule: name,
    subject_kind: 'insured',
    subject_code: person.psn,
    from: times[0]!,
    to: times[times.length - 1]!,
    detail: {
      hilist_code: condition.drug.code,
      days_supply_total: 150,
      dispensings: times.length,
      institutions: [...new Set(sites.map((s) => s.code))],
      threshold: 'days_supply of one hilist_code ≥ 90 within 30 days',
      pseudonymised: true,
      note: PSEUDONYM_NOTE,
    },
  });
}
