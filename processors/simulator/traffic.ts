/**
 * Normal traffic of one day: acute visits and pharmacy sales per institution (weekday rhythm,
 * hour-of-day curve), discharges on an even schedule per hospital, monthly chronic refills per
 * person, and the reversals and online audits that follow some settlements. Normal traffic is
 * built to stay well below every early-warning threshold (see README.md).
 */
import type { ClaimAuditEvent, SettlementReversalEvent } from '../../schemas/events.ts';
import { INPATIENT_DIAGNOSES, OUTPATIENT_DIAGNOSES } from './catalog.ts';
import { countSettlement, type Day, STAY_EXCLUSION_MS, type State, schedule } from './day.ts';
import { isChronic, type Person, pickByUnit, REFILL_CYCLE_DAYS } from './persons.ts';
import { cumulative, label, Rng } from './rng.ts';
import {
  chronicRefill,
  type IdSource,
  inpatient,
  nextSeq,
  outpatient,
  pharmacyRefill,
  pharmacySale,
  type SimSettlement,
  type Stamped,
  stayEnding,
} from './settlements.ts';
import {
  chinaTime,
  DAY,
  DISCHARGE_WEEKDAY,
  HOUR,
  HOURS,
  MEDICAL_WEEKDAY,
  MINUTE,
  PHARMACY_WEEKDAY,
  timeOfDay,
} from './time.ts';
import { personOf, type World } from './world.ts';

/** How injections bend normal traffic (peer_outlier prices, claim_reduction_rate audits). */
export type Modifiers = {
  readonly priceFactor: ReadonlyMap<number, number>;
  readonly auditShare: ReadonlyMap<number, { readonly fromDay: number; readonly share: number }>;
};

export const NO_MODIFIERS: Modifiers = { priceFactor: new Map(), auditShare: new Map() };

/** Share of normal settlements reversed, and audited online (reduced 1–5% of their fund). */
export const REVERSAL_RATE = 0.0015;
export const AUDIT_RATE = 0.02;
const AUDIT_RULES = [
  'LIMIT-DAYS-001',
  'DRUG-INDICATION-002',
  'REPEAT-CHARGE-003',
  'OVER-STANDARD-004',
  'LIMIT-LEVEL-005',
];
/** Share of visitors from another division (异地就医). */
const VISITOR_SHARE = 0.03;

const OUTPATIENT_CUM = cumulative(OUTPATIENT_DIAGNOSES.map((d) => d.weight));
const INPATIENT_BY_LEVEL = [1, 2, 3].map((level) => {
  const list = INPATIENT_DIAGNOSES.filter((d) => d.minLevel <= level);
  return { list, cum: cumulative(list.map((d) => d.weight)) };
});

export function drawPerson(world: World, divisionIndex: number, rng: Rng): Person {
  const d = rng.chance(VISITOR_SHARE) ? rng.weighted(world.peopleCum) : divisionIndex;
  return personOf(world, d, Math.floor(rng.float() * world.people[d]!.count));
}

const personKey = (p: Person) => p.divisionIndex * 2 ** 32 + p.serial;

/**
 * Normal traffic gives a person at most this many settlements a day (a clinic, then a pharmacy):
 * independent draws would now and then give one person 4 or 5 in a day in a large run, which is
 * the multi_institution_day pattern itself.
 */
export const MAX_VISITS_PER_DAY = 2;

function visitor(world: World, day: Day, divisionIndex: number): Person | undefined {
  for (let attempt = 0; attempt < 6; attempt++) {
    const p = drawPerson(world, divisionIndex, day.rng);
    const key = personKey(p);
    const n = day.visits.get(key) ?? 0;
    if (n < MAX_VISITS_PER_DAY) {
      day.visits.set(key, n + 1);
      return p;
    }
  }
  return undefined;
}

/** A person with no inpatient stay in the 45 days before `admitMs` (no normal readmissions). */
function drawInpatient(
  world: World,
  state: State,
  day: Day,
  divisionIndex: number,
  admitMs: number,
): Person | undefined {
  for (let attempt = 0; attempt < 12; attempt++) {
    const p = drawPerson(world, divisionIndex, day.rng);
    const key = personKey(p);
    const last = state.recentStays.get(key);
    const visits = day.visits.get(key) ?? 0;
    if ((last === undefined || last + STAY_EXCLUSION_MS < admitMs) && visits < MAX_VISITS_PER_DAY) {
      day.visits.set(key, visits + 1);
      return p;
    }
  }
  return undefined;
}

export function recordStay(state: State, p: Person, dischargeMs: number): void {
  state.recentStays.set(personKey(p), dischargeMs);
}

/** Stay length in days: 2–15, mostly short. */
export function stayDays(rng: Rng, level: number): number {
  const max = level === 1 ? 10 : 15;
  return 2 + Math.floor((max - 1) * rng.float() ** 1.6);
}

const AUDIT_BOOST = label('audit-boost');

function followUps(world: World, state: State, day: Day, s: SimSettlement, mods: Modifiers): void {
  const { rng } = day;
  const u = rng.float();
  if (u < REVERSAL_RATE) {
    const at = s.t + (rng.chance(0.7) ? rng.int(2, 120) * MINUTE : rng.int(2, 30) * HOUR);
    schedule(world, state, day, reversal(day.ids, s, at));
  } else if (u < REVERSAL_RATE + AUDIT_RATE) {
    const auditDay = Math.floor((s.t - day.ms) / DAY) + rng.int(1, 10);
    const at = day.ms + auditDay * DAY + 9 * HOUR + rng.int(0, 510) * MINUTE;
    const reduced = Math.round(s.fundFen * rng.between(0.01, 0.05));
    schedule(world, state, day, audit(day.ids, s, at, reduced, rng.chance(0.3), rng.pick(AUDIT_RULES)));
  }
  // claim_reduction_rate injection: its own randomness and ids, so normal traffic is unchanged.
  const boost = mods.auditShare.get(s.inst);
  if (boost !== undefined && day.index >= boost.fromDay) {
    const r = Rng.of(world.options.seed, AUDIT_BOOST, day.index, day.injectedIds.seq);
    const at = s.t + DAY + r.int(0, 24 * 60) * MINUTE;
    const reduced = Math.round(s.fundFen * boost.share);
    schedule(world, state, day, audit(day.injectedIds, s, at, reduced, r.chance(0.6), r.pick(AUDIT_RULES)));
  }
}

export function reversal(ids: IdSource, s: SimSettlement, at: number): Stamped<SettlementReversalEvent> {
  const id = `rev-${ids.ymd}-${nextSeq(ids)}`;
  const record: SettlementReversalEvent = {
    type: 'settlement_reversal',
    event_id: id,
    occurred_at: chinaTime(at),
    setl_id: s.record.setl_id,
    fixmedins_code: s.record.fixmedins_code,
    psn_no: s.record.psn_no,
  };
  return { t: at, id, record };
}

export function audit(
  ids: IdSource,
  s: SimSettlement,
  at: number,
  reducedFen: number,
  violation: boolean,
  ruleCode: string,
): Stamped<ClaimAuditEvent> {
  const id = `aud-${ids.ymd}-${nextSeq(ids)}`;
  const record = {
    type: 'claim_audit',
    event_id: id,
    occurred_at: chinaTime(at),
    fixmedins_code: s.record.fixmedins_code,
  } as ClaimAuditEvent;
  if (s.record.practitioner_code !== undefined) record.practitioner_code = s.record.practitioner_code;
  record.setl_id = s.record.setl_id;
  record.rule_code = ruleCode;
  record.reduced_amount = reducedFen / 100;
  record.violation = violation;
  return { t: at, id, record };
}

function add(world: World, state: State, day: Day, s: SimSettlement, mods: Modifiers): void {
  day.events.push(s);
  countSettlement(day, s);
  followUps(world, state, day, s, mods);
}

function acuteVisits(world: World, state: State, day: Day, mods: Modifiers): void {
  const { rng } = day;
  for (const inst of world.institutions) {
    const isPharmacy = inst.kind === 'pharmacy';
    const factor = (isPharmacy ? PHARMACY_WEEKDAY : MEDICAL_WEEKDAY)[day.weekday]!;
    const n = Math.floor(world.outRate[inst.index]! * factor + rng.float());
    const staff = world.staff.settling[inst.index]!;
    const price = mods.priceFactor.get(inst.index) ?? 1;
    for (let k = 0; k < n; k++) {
      const setlMs = day.ms + timeOfDay(rng, isPharmacy ? HOURS.pharmacy : HOURS.outpatient);
      const person = visitor(world, day, inst.divisionIndex);
      if (person === undefined) continue;
      const v = { ids: day.ids, rng, inst, person, practitioner: rng.pick(staff), setlMs };
      const s = isPharmacy
        ? pharmacySale(v, price)
        : outpatient(v, OUTPATIENT_DIAGNOSES[rng.weighted(OUTPATIENT_CUM)]!, price);
      add(world, state, day, s, mods);
    }
  }
}

/**
 * Discharges on an even schedule per hospital: discharge k falls at work time (k + phase) / rate,
 * mapped into 08:30–16:30 of its day. Any 24 hours then hold about `rate` discharges, so a
 * hospital's daily fund is steady (no chance spikes against the amount_spike rule).
 */
function discharges(world: World, state: State, day: Day, mods: Modifiers): void {
  const { rng } = day;
  const units = DISCHARGE_WEEKDAY[day.weekday]!;
  const from = state.workUnits;
  for (const inst of world.institutions) {
    const rate = world.inRate[inst.index]!;
    if (rate <= 0) continue;
    const phase = inst.dischargePhase;
    const table = INPATIENT_BY_LEVEL[(inst.level ?? 1) - 1]!;
    const staff = world.staff.settling[inst.index]!;
    const price = mods.priceFactor.get(inst.index) ?? 1;
    for (let k = Math.ceil(from * rate - phase); (k + phase) / rate < from + units; k++) {
      const position = ((k + phase) / rate - from) / units;
      const dischargeMs =
        day.ms + 8.5 * HOUR + Math.floor(position * 8 * 60) * MINUTE + rng.int(0, 59) * 1000;
      const stay = stayEnding(rng, dischargeMs, stayDays(rng, inst.level ?? 1), day.ms);
      const person = drawInpatient(world, state, day, inst.divisionIndex, stay.admitMs);
      if (person === undefined) continue;
      recordStay(state, person, dischargeMs);
      const v = {
        ids: day.ids,
        rng,
        inst,
        person,
        practitioner: rng.pick(staff),
        setlMs: dischargeMs + rng.int(10, 60) * MINUTE,
      };
      add(world, state, day, inpatient(v, table.list[rng.weighted(table.cum)]!, stay, price), mods);
    }
  }
  state.workUnits = from + units;
}

/** Monthly refills: person `serial` of each division refills on absolute days ≡ serial (mod 30). */
function chronicRefills(world: World, state: State, day: Day, mods: Modifiers): void {
  const { rng } = day;
  const absoluteDay = Math.floor((day.ms + 8 * HOUR) / DAY);
  for (const people of world.people) {
    for (let serial = absoluteDay % REFILL_CYCLE_DAYS; serial < people.count; serial += REFILL_CYCLE_DAYS) {
      if (!isChronic(world.options.seed, people.index, serial)) continue;
      const person = personOf(world, people.index, serial);
      if (person.chronic === undefined) continue;
      day.visits.set(personKey(person), 1);
      const atPharmacy = person.refillAtPharmacy && people.pharmacies.institutions.length > 0;
      const sites = atPharmacy ? people.pharmacies : people.medical;
      const inst = world.institutions[sites.institutions[pickByUnit(sites.cum, person.siteDraw)]!]!;
      const v = {
        ids: day.ids,
        rng,
        inst,
        person,
        practitioner: rng.pick(world.staff.settling[inst.index]!),
        setlMs: day.ms + timeOfDay(rng, HOURS.daytime),
      };
      const price = mods.priceFactor.get(inst.index) ?? 1;
      const s = atPharmacy
        ? pharmacyRefill(v, person.chronic, price)
        : chronicRefill(v, person.chronic, price);
      add(world, state, day, s, mods);
    }
  }
}

/** Chronic refills first: they are fixed by the calendar, the other visits fill in around them. */
export function normalTraffic(world: World, state: State, day: Day, mods: Modifiers): void {
  chronicRefills(world, state, day, mods);
  acuteVisits(world, state, day, mods);
  discharges(world, state, day, mods);
}
