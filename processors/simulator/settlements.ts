/**
 * One settlement record, built from its fee lines: every amount is worked in fen (integers), the
 * lines sum to `medfee_sumamt`, the fund pays a share of it (50–90% by 险种 and kind of care), and
 * the person pays the rest from their account or in cash. Amount ranges by kind and level are
 * the constants below.
 */
import type { SettlementEvent, SettlementItem } from '../../schemas/events.ts';
import {
  ACUTE_DRUGS,
  type CatalogItem,
  type ChronicCondition,
  CONSUMABLES,
  DISCHARGE_DRUGS,
  type Diagnosis,
  HERBS,
  INPATIENT_DRUGS,
  type InpatientDiagnosis,
  SERVICES,
} from './catalog.ts';
import type { Person } from './persons.ts';
import type { SimInstitution } from './population.ts';
import type { Rng } from './rng.ts';
import { chinaTime, DAY, HOUR, MINUTE } from './time.ts';

/** A generated record with its event time and what the day's statistics need. */
export type Stamped<R> = { readonly t: number; readonly id: string; readonly record: R };
export type SimSettlement = Stamped<SettlementEvent> & { readonly fundFen: number; readonly inst: number };

/**
 * Ids of the records made on one day, unique across the run (`set-20260302-0000001`). Injected
 * records number from `base` 90 000 000 (8 digits) so normal traffic keeps the same ids whether
 * or not patterns are injected.
 */
export type IdSource = { readonly ymd: string; readonly base: number; seq: number };

export function nextSeq(ids: IdSource): string {
  ids.seq++;
  return String(ids.base + ids.seq).padStart(7, '0');
}

/** Amount ranges in fen, [low, high], by kind of care and level. */
export const OUTPATIENT_FEN = {
  village_clinic: [5_000, 15_000],
  clinic: [5_000, 40_000],
  hospital1: [5_000, 40_000],
  hospital2: [8_000, 50_000],
  hospital3: [10_000, 60_000],
} as const;
export const PHARMACY_FEN = [2_000, 30_000] as const;
export const INPATIENT_FEN = {
  1: [300_000, 600_000],
  2: [600_000, 1_400_000],
  3: [1_200_000, 6_000_000],
} as const;
/** Service prices scale with the level (一级 cheaper, 三级 dearer). */
const LEVEL_PRICE = { village_clinic: 0.5, clinic: 1, hospital1: 1, hospital2: 1.5, hospital3: 2.5 } as const;

type LevelKey = keyof typeof OUTPATIENT_FEN;
function levelKey(inst: SimInstitution): LevelKey {
  if (inst.kind === 'hospital') return `hospital${inst.level ?? 1}`;
  return inst.kind === 'pharmacy' ? 'clinic' : inst.kind;
}

/** The institution's price level moves a bill within its range, never out of it; injections scale it after. */
function within(fen: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, fen));
}

/** Skewed towards the low end, as bills are: lo × (hi/lo)^(u^1.4). */
function skewed(rng: Rng, lo: number, hi: number): number {
  return Math.round(lo * (hi / lo) ** (rng.float() ** 1.4));
}

class Lines {
  readonly items: SettlementItem[] = [];
  fen = 0;

  add(item: CatalogItem, cnt: number, pricFen: number, daysSupply?: number): void {
    const det = pricFen * cnt;
    this.fen += det;
    const line: SettlementItem = {
      hilist_code: item.code,
      list_type: item.list,
      cnt,
      pric: pricFen / 100,
      det_item_fee_sumamt: det / 100,
    };
    if (daysSupply !== undefined) line.days_supply = daysSupply;
    this.items.push(line);
  }

  /** A line worth about `shareFen`: a count near share / list price, the price making up the rest. */
  addWorth(item: CatalogItem, shareFen: number, maxCnt: number, daysSupply?: number): void {
    const cnt = Math.min(maxCnt, Math.max(1, Math.round(shareFen / item.fen)));
    this.add(item, cnt, Math.max(1, Math.round(shareFen / cnt)), daysSupply);
  }
}

/** Fund share by kind of care and 险种 (职工 310 pays more than 城乡居民 390). */
function fundShare(rng: Rng, medType: string, insutype: '310' | '390', level?: number): number {
  const employee = insutype === '310';
  switch (medType) {
    case '21':
      return employee ? rng.between(0.74, 0.85) : rng.between(0.6, 0.72) - (level === 3 ? 0.04 : 0);
    case '14':
      return employee ? rng.between(0.75, 0.9) : rng.between(0.6, 0.8);
    case '41':
      return employee ? rng.between(0.5, 0.7) : rng.between(0.5, 0.6);
    default:
      return employee ? rng.between(0.55, 0.8) : rng.between(0.5, 0.65);
  }
}

export type Visit = {
  readonly ids: IdSource;
  readonly rng: Rng;
  readonly inst: SimInstitution;
  readonly person: Person;
  readonly practitioner: string | undefined;
  readonly setlMs: number;
};

function finish(
  v: Visit,
  medType: string,
  begMs: number,
  endMs: number | undefined,
  lines: Lines,
  dx: string | undefined,
): SimSettlement {
  const seq = nextSeq(v.ids);
  const admdvs = v.inst.division.admdvs;
  const medfee = lines.fen;
  const fund = Math.round(medfee * fundShare(v.rng, medType, v.person.insutype, v.inst.level));
  const personal = medfee - fund;
  const acct =
    v.person.insutype === '310' && medType !== '21' ? Math.round(personal * v.rng.between(0, 0.8)) : 0;
  const setl = chinaTime(v.setlMs);
  const eventId = `set-${v.ids.ymd}-${seq}`;
  // Built field by field in the key order of EVENTS.md's examples; optional fields only when set.
  const rec = {
    type: 'settlement',
    event_id: eventId,
    occurred_at: setl,
    setl_id: `${admdvs}S${v.ids.ymd}${seq}`,
    mdtrt_id: `${admdvs}M${chinaTime(begMs).slice(0, 10).replaceAll('-', '')}${seq}`,
    psn_no: v.person.psn,
    fixmedins_code: v.inst.code,
  } as SettlementEvent;
  if (v.practitioner !== undefined) rec.practitioner_code = v.practitioner;
  rec.med_type = medType;
  rec.insutype = v.person.insutype;
  rec.begntime = chinaTime(begMs);
  if (endMs !== undefined) rec.endtime = chinaTime(endMs);
  rec.setl_time = setl;
  rec.medfee_sumamt = medfee / 100;
  rec.fund_pay_sumamt = fund / 100;
  rec.psn_cash_pay = (personal - acct) / 100;
  if (acct > 0) rec.acct_pay = acct / 100;
  if (dx !== undefined) rec.dise_codg = dx;
  rec.items = lines.items;
  return { t: v.setlMs, id: eventId, record: rec, fundFen: fund, inst: v.inst.index };
}

/** 普通门诊 (11): consultation, sometimes an examination, 1–3 drugs for 3–7 days. `factor` scales the bill. */
export function outpatient(v: Visit, dx: Diagnosis, factor = 1): SimSettlement {
  const { rng, inst } = v;
  const key = levelKey(inst);
  const [lo, hi] = OUTPATIENT_FEN[key];
  const target = Math.round(within(skewed(rng, lo, hi) * inst.priceFactor, lo, hi) * factor);
  const lines = new Lines();
  const consult = Math.round(SERVICES.consult.fen * LEVEL_PRICE[key]);
  lines.add(SERVICES.consult, 1, consult);
  let left = target - consult;
  for (const exam of dx.exams) {
    const price = Math.round(exam.fen * Math.min(1.5, LEVEL_PRICE[key]));
    if (rng.chance(0.35) && price <= left * 0.6) {
      lines.add(exam, 1, price);
      left -= price;
    }
  }
  const n = Math.min(dx.drugs.length, rng.int(1, 3));
  const drugs = rng.shuffled(dx.drugs).slice(0, n);
  left = Math.max(left, 500);
  drugs.forEach((d, i) => {
    const share = i === n - 1 ? left : Math.round(left * rng.between(0.3, 0.6));
    lines.addWorth(d, share, 10, rng.int(3, 7));
    left -= share;
  });
  const begMs = v.setlMs - rng.int(5, 55) * MINUTE;
  return finish(v, '11', begMs, undefined, lines, dx.icd);
}

/** 门诊慢特病 (14): the condition's drug for 30 days, a consultation, sometimes a check-up test. */
export function chronicRefill(v: Visit, condition: ChronicCondition, factor = 1): SimSettlement {
  const { rng, inst } = v;
  const key = levelKey(inst);
  const lines = new Lines();
  lines.add(SERVICES.consult, 1, Math.round(SERVICES.consult.fen * LEVEL_PRICE[key] * factor));
  if (rng.chance(0.3))
    lines.add(SERVICES.biochem, 1, Math.round(SERVICES.biochem.fen * inst.priceFactor * factor));
  const boxes = Math.ceil(30 / condition.daysPerBox);
  lines.add(condition.drug, boxes, Math.round(condition.drug.fen * rng.between(0.96, 1.04) * factor), 30);
  return finish(v, '14', v.setlMs - rng.int(5, 40) * MINUTE, undefined, lines, condition.icd);
}

const OTC: readonly CatalogItem[] = [
  ACUTE_DRUGS.lianhua,
  ACUTE_DRUGS.banlangen,
  ACUTE_DRUGS.paracetamol,
  ACUTE_DRUGS.ibuprofen,
  ACUTE_DRUGS.omeprazole,
  ACUTE_DRUGS.loratadine,
  ACUTE_DRUGS.smectite,
  ACUTE_DRUGS.mometasone,
  ACUTE_DRUGS.diclofenacGel,
  ACUTE_DRUGS.amoxicillin,
];

/** 定点药店购药 (41): 1–3 drugs for 3–10 days, or 中药饮片 by the gram. */
export function pharmacySale(v: Visit, factor = 1): SimSettlement {
  const { rng, inst } = v;
  const [lo, hi] = PHARMACY_FEN;
  const target = Math.round(within(skewed(rng, lo, hi) * inst.priceFactor, lo, hi) * factor);
  const lines = new Lines();
  if (rng.chance(0.12)) {
    const herb = rng.pick(HERBS);
    lines.addWorth(herb, target, 2000, rng.int(3, 7));
  } else {
    const n = rng.int(1, 3);
    const drugs = rng.shuffled(OTC).slice(0, n);
    let left = target;
    drugs.forEach((d, i) => {
      const share = i === n - 1 ? left : Math.round(left * rng.between(0.3, 0.6));
      lines.addWorth(d, Math.max(share, 300), 6, rng.int(3, 10));
      left -= share;
    });
  }
  return finish(v, '41', v.setlMs - rng.int(1, 6) * MINUTE, undefined, lines, undefined);
}

/** A chronic drug bought at a pharmacy (双通道 or 门诊统筹): `days` of supply of one item. */
export function pharmacyRefill(v: Visit, condition: ChronicCondition, factor = 1): SimSettlement {
  const lines = new Lines();
  const boxes = Math.ceil(30 / condition.daysPerBox);
  lines.add(condition.drug, boxes, Math.round(condition.drug.fen * v.rng.between(0.96, 1.04) * factor), 30);
  return finish(v, '41', v.setlMs - v.rng.int(1, 6) * MINUTE, undefined, lines, undefined);
}

export type Stay = { readonly admitMs: number; readonly dischargeMs: number };

/** 普通住院 (21): bed, nursing and infusions per day, tests, surgery if surgical, daily drugs. */
export function inpatient(v: Visit, dx: InpatientDiagnosis, stay: Stay, factor = 1): SimSettlement {
  const { rng, inst } = v;
  const level = inst.level ?? 1;
  const days = Math.max(1, Math.round((stay.dischargeMs - stay.admitMs) / DAY));
  const mult = level === 1 ? 0.75 : level === 2 ? 1 : 1.5;
  const [lo, hi] = INPATIENT_FEN[level];
  // Longer stays cost more; the spread is kept moderate so a hospital's daily fund is steady.
  const position = 0.15 + 0.4 * ((days - 2) / 13) + 0.35 * rng.float();
  const raw = (lo + (hi - lo) * position ** 1.3) * inst.priceFactor * (dx.surgical ? 1.1 : 1);
  const target = Math.round(within(raw, lo, hi) * factor);
  const lines = new Lines();
  lines.add(SERVICES.bed, days, Math.round(SERVICES.bed.fen * mult));
  lines.add(SERVICES.nursing, days, Math.round(SERVICES.nursing.fen * mult));
  lines.add(SERVICES.infusion, days, Math.round(SERVICES.infusion.fen * mult));
  lines.add(SERVICES.bloodRoutine, Math.ceil(days / 3), SERVICES.bloodRoutine.fen);
  lines.add(SERVICES.biochem, rng.int(1, 2), SERVICES.biochem.fen);
  lines.add(
    rng.pick([SERVICES.ct, SERVICES.ultrasound, SERVICES.xray]),
    1,
    Math.round(SERVICES.ct.fen * mult * 0.5),
  );
  if (dx.surgical) {
    lines.add(SERVICES.surgery, 1, Math.round(SERVICES.surgery.fen * mult));
    lines.add(SERVICES.anaesthesia, 1, Math.round(SERVICES.anaesthesia.fen * mult));
    const c = rng.pick(CONSUMABLES);
    lines.add(c, rng.int(1, 2), c.fen);
  }
  const discharge = rng.pick(DISCHARGE_DRUGS);
  lines.add(discharge, 1, discharge.fen, 7);
  // Daily drugs make up the rest of the bill; their unit price follows from it.
  const rest = Math.max(target - lines.fen, Math.round(lines.fen * 0.25));
  const daily =
    dx.icd === 'C34.9'
      ? [INPATIENT_DRUGS.chemo, INPATIENT_DRUGS.saline]
      : dx.icd.startsWith('I')
        ? [INPATIENT_DRUGS.heparin, INPATIENT_DRUGS.saline, INPATIENT_DRUGS.ceftriaxone]
        : [INPATIENT_DRUGS.ceftriaxone, INPATIENT_DRUGS.saline];
  let left = rest;
  daily.forEach((d, i) => {
    const share = i === daily.length - 1 ? left : Math.round(left * rng.between(0.35, 0.6));
    const cnt = days * rng.int(1, 2);
    lines.add(d, cnt, Math.max(1, Math.round(share / cnt)));
    left -= share;
  });
  return finish(v, '21', stay.admitMs, stay.dischargeMs, lines, dx.icd);
}

/** An admission `days` before a discharge at `dischargeMs`, at a daytime hour. */
export function stayEnding(rng: Rng, dischargeMs: number, days: number, dayStartMs: number): Stay {
  const admitDay = dayStartMs - days * DAY;
  return { admitMs: admitDay + 8 * HOUR + rng.int(0, 12 * 60) * MINUTE, dischargeMs };
}
