/**
 * Supervision and credit facts of normal life: a few mild findings per week (small recoveries,
 * interviews, one general penalty per subject at most, commitments, honours, verified reports),
 * the yearly 巫山 assessments of inpatient hospitals, and 四川's official grades published by
 * the end of Q1 (第十五条). Normal facts never push a subject to the bottom grade; the injected
 * downgrades (inject/credit.ts) do.
 */
import type { Behavior, SupervisionEvent } from '../../schemas/events.ts';
import type { Day } from './day.ts';
import type { Jurisdiction } from './geography.ts';
import { hashOf, label, unit } from './rng.ts';
import { type IdSource, nextSeq, type Stamped } from './settlements.ts';
import { addDays, chinaMidnight, chinaTime, chinaYear, DAY, HOUR, MINUTE } from './time.ts';
import { drawPerson } from './traffic.ts';
import type { World } from './world.ts';

export type FactFields = Partial<
  Pick<
    SupervisionEvent,
    | 'amount'
    | 'behavior'
    | 'serious_consequence'
    | 'document_no'
    | 'ref_event_id'
    | 'score'
    | 'grade'
    | 'period'
  >
>;

const DOC_MARK: Partial<Record<SupervisionEvent['action'], string>> = {
  recovery: '追',
  interview: '约',
  penalty: '罚',
  fraud: '罚',
  severe_list_added: '列',
  joint_punishment_listed: '惩',
  honor: '誉',
  verified_report: '核',
};

/** 文书号 such as 巫医保罚〔2026〕17号. */
export function documentNo(
  issuer: string,
  action: SupervisionEvent['action'],
  decidedAt: string,
  n: number,
): string {
  return `${issuer}${DOC_MARK[action] ?? '决'}〔${decidedAt.slice(0, 4)}〕${n}号`;
}

/** A supervision record; fields are written in EVENTS.md's order. */
export function fact(
  ids: IdSource,
  at: number,
  subjectKind: SupervisionEvent['subject_kind'],
  subjectCode: string,
  action: SupervisionEvent['action'],
  decidedAt: string,
  fields: FactFields = {},
): Stamped<SupervisionEvent> {
  const id = `sup-${ids.ymd}-${nextSeq(ids)}`;
  const record = {
    type: 'supervision',
    event_id: id,
    occurred_at: chinaTime(at),
    subject_kind: subjectKind,
    subject_code: subjectCode,
    action,
    decided_at: decidedAt,
  } as SupervisionEvent;
  for (const k of [
    'amount',
    'behavior',
    'serious_consequence',
    'document_no',
    'ref_event_id',
    'score',
    'grade',
    'period',
  ] as const) {
    if (fields[k] !== undefined) (record as Record<string, unknown>)[k] = fields[k];
  }
  return { t: at, id, record };
}

type Finding = {
  readonly action: SupervisionEvent['action'];
  readonly weight: number;
  /** Negative findings: at most one per subject in a run. */
  readonly negative: boolean;
  readonly behavior?: Behavior;
  /** Amount range in yuan. */
  readonly amount?: readonly [number, number];
  readonly subject?: 'insured' | 'practitioner';
};

const FINDINGS: Record<NonNullable<Jurisdiction> | 'none', readonly Finding[]> = {
  sichuan: [
    { action: 'recovery', weight: 3, negative: true, amount: [500, 9000] },
    { action: 'interview', weight: 1, negative: true },
    { action: 'commitment', weight: 2, negative: false },
    { action: 'penalty', weight: 1, negative: true, behavior: 'overcharge', amount: [2000, 30000] },
    { action: 'interview', weight: 1, negative: true, subject: 'practitioner' },
  ],
  'chongqing-wushan': [
    { action: 'recovery', weight: 3, negative: true, amount: [500, 8000] },
    { action: 'interview', weight: 1, negative: true },
    { action: 'commitment', weight: 1, negative: false },
  ],
  guangdong: [
    { action: 'recovery', weight: 2, negative: true, amount: [800, 9000] },
    { action: 'commitment', weight: 2, negative: false },
    { action: 'honor', weight: 1, negative: false },
    { action: 'penalty', weight: 1, negative: true, behavior: 'overcharge', amount: [3000, 20000] },
  ],
  jiangsu: [
    { action: 'recovery', weight: 2, negative: true, amount: [800, 9000] },
    { action: 'commitment', weight: 1, negative: false },
    { action: 'penalty', weight: 1, negative: true, behavior: 'substitution', amount: [1000, 9000] },
  ],
  xinjiang: [
    { action: 'honor', weight: 2, negative: false },
    { action: 'verified_report', weight: 2, negative: false, subject: 'insured' },
    { action: 'recovery', weight: 1, negative: true, amount: [500, 9000] },
    { action: 'penalty', weight: 1, negative: true, behavior: 'over_treatment', amount: [1000, 20000] },
  ],
  none: [
    { action: 'recovery', weight: 1, negative: true, amount: [500, 9000] },
    { action: 'interview', weight: 1, negative: true },
  ],
};

export type NormalFacts = {
  /** Subjects that get no normal facts (injected subjects, chain branches). */
  readonly excluded: ReadonlySet<string>;
  /** Subjects that already had their one negative finding. */
  readonly sanctioned: Set<string>;
};

/** Weekday findings: about one per 200 institutions a day. */
export function normalFacts(world: World, day: Day, facts: NormalFacts): Stamped<SupervisionEvent>[] {
  if (day.weekday === 0 || day.weekday === 6) return [];
  const { rng } = day;
  const out: Stamped<SupervisionEvent>[] = [];
  const n = Math.floor(world.institutions.length / 200 + rng.float());
  for (let k = 0; k < n; k++) {
    const inst = rng.pick(world.institutions);
    if (facts.excluded.has(inst.code)) continue;
    const menu = FINDINGS[inst.division.jurisdiction ?? 'none'];
    const f = menu[rng.weighted(cumulativeOf(menu))]!;
    const at = day.ms + 9 * HOUR + rng.int(0, 8 * 60) * MINUTE;
    const decided = addDays(day.date, -rng.int(0, 3));
    const doc = documentNo(inst.division.doc, f.action, decided, rng.int(1, 400));
    if (f.subject === 'insured') {
      const p = drawPerson(world, inst.divisionIndex, rng);
      out.push(fact(day.ids, at, 'insured', p.psn, f.action, decided, { document_no: doc }));
      continue;
    }
    const subjectKind = f.subject ?? 'institution';
    const code = f.subject === 'practitioner' ? rng.pick(world.staff.settling[inst.index]!) : inst.code;
    if (f.negative) {
      if (facts.sanctioned.has(code)) continue;
      facts.sanctioned.add(code);
    }
    const fields: FactFields = { document_no: doc };
    if (f.amount) fields.amount = rng.int(f.amount[0] * 100, f.amount[1] * 100) / 100;
    if (f.behavior) fields.behavior = f.behavior;
    out.push(fact(day.ids, at, subjectKind, code, f.action, decided, fields));
  }
  return out;
}

const cumCache = new WeakMap<readonly Finding[], number[]>();
function cumulativeOf(menu: readonly Finding[]): number[] {
  let c = cumCache.get(menu);
  if (!c) {
    let s = 0;
    c = menu.map((f) => (s += f.weight));
    cumCache.set(menu, c);
  }
  return c;
}

const GRADE = label('grade');

/** 四川 official grade of an institution for a period: mostly A–C, a few D (not chain branches). */
export function officialGrade(
  world: World,
  code: string,
  period: number,
  forced: ReadonlyMap<string, string>,
): string {
  const f = forced.get(code);
  if (f !== undefined) return f;
  const u = unit(hashOf(world.options.seed, GRADE, period, ...Array.from(code, (c) => c.charCodeAt(0))));
  const inChain = world.byCode.get(code)?.chainId !== undefined;
  if (u < 0.3) return 'A';
  if (u < 0.8) return 'B';
  if (u < 0.95 || inChain) return 'C';
  return 'D';
}

/** Days of the run (index) on which 四川 publishes grades, with the date and the period. */
export function gradePublications(world: World): { day: number; decided: string; period: number }[] {
  const out: { day: number; decided: string; period: number }[] = [];
  const { days } = world.options;
  const lastMs = world.startMs + (days - 1) * DAY;
  // The latest publication before the run arrives at its start (the monitor starts from it).
  let year = chinaYear(world.startMs);
  if (chinaMidnight(`${year}-03-25`) >= world.startMs) year--;
  out.push({ day: 0, decided: `${year}-03-25`, period: year - 1 });
  for (let y = year + 1; chinaMidnight(`${y}-03-25`) <= lastMs; y++) {
    out.push({
      day: Math.round((chinaMidnight(`${y}-03-25`) - world.startMs) / DAY),
      decided: `${y}-03-25`,
      period: y - 1,
    });
  }
  return out;
}

/** Periodic facts of the day: 四川 grade publications, 巫山 assessments, 新疆 honours. */
export function periodicFacts(
  world: World,
  day: Day,
  forcedGrades: ReadonlyMap<string, string>,
  excluded: ReadonlySet<string>,
): Stamped<SupervisionEvent>[] {
  const out: Stamped<SupervisionEvent>[] = [];
  const { rng } = day;
  for (const pub of gradePublications(world)) {
    if (pub.day !== day.index) continue;
    let k = 0;
    for (const inst of world.institutions) {
      if (inst.division.jurisdiction !== 'sichuan') continue;
      const at = day.ms + 10 * HOUR + k++ * 1000;
      const grade = officialGrade(world, inst.code, pub.period, forcedGrades);
      out.push(
        fact(day.ids, at, 'institution', inst.code, 'grade_published', pub.decided, {
          grade,
          period: pub.period,
        }),
      );
    }
  }
  // 巫山 第十六条: inpatient institutions are graded from the year's assessment score; the
  // previous year's scores arrive early in the run, and each 20 December of it brings the year's.
  const year = chinaYear(day.ms);
  const assessmentPeriod =
    day.index === Math.min(2, world.options.days - 1)
      ? year - 1
      : day.date.endsWith('-12-20')
        ? year
        : undefined;
  if (assessmentPeriod !== undefined) {
    for (const inst of world.institutions) {
      if (inst.division.jurisdiction !== 'chongqing-wushan' || !inst.inpatient) continue;
      const at = day.ms + 15 * HOUR + rng.int(0, 3600) * 1000;
      const score = Math.round(rng.between(70, 97) * 10) / 10;
      out.push(
        fact(day.ids, at, 'institution', inst.code, 'assessment', day.date, {
          score,
          period: assessmentPeriod,
        }),
      );
    }
  }
  // 新疆 第十四条: the yearly 诚信荣誉 list (red list) arrives early in the run: about one
  // institution in eight, never one whose downgrade is injected.
  if (day.index === Math.min(4, world.options.days - 1)) {
    for (const inst of world.institutions) {
      if (inst.division.jurisdiction !== 'xinjiang' || excluded.has(inst.code) || !rng.chance(0.125))
        continue;
      const at = day.ms + 11 * HOUR + rng.int(0, 3600) * 1000;
      const doc = documentNo(inst.division.doc, 'honor', day.date, rng.int(1, 400));
      out.push(fact(day.ids, at, 'institution', inst.code, 'honor', day.date, { document_no: doc }));
    }
  }
  return out;
}
