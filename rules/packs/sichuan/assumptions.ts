/**
 * What the Sichuan draft (seed 000) leaves open, as configurable assumptions: 第十七条 names a
 * 千分制 indicator model for institutions and deductions from 100 for persons, but neither the
 * indicators, the deductions nor the cut-offs; 第十五条 publishes a yearly result but not the score
 * the dynamic adjustment of 第十八条 should start from; 第五十四条 leaves the date blank. Every value
 * can be overridden (README.md); `settings` checks them once per compiled pack.
 */
import { MonitorError } from '../../../schemas/errors.ts';
import { BEHAVIORS, type Behavior } from '../../../schemas/events.ts';
import type { Cutoff } from '../../engine/helpers.ts';
import type { Assumption, FactAction } from '../../engine/types.ts';
import { GRADES, INSTITUTION_SCALE_MAX, LEVELS, PERSON_SCALE_MAX } from './data.ts';

const INST = '第十七条 千分制 without its indicator table (not in the draft)';
const PERS = '第十七条第二款 对失信行为进行扣分 without a deduction table';

export const ASSUMPTIONS = {
  in_force_from: {
    value: '2022-01-01',
    why: '第五十四条 leaves the date blank (XX年XX月XX日); the draft cites 川医保规〔2021〕19号, so it is later than 2021: the first natural year after, as evaluation periods are natural years (第十五条)',
  },
  institution_cutoff_a: {
    value: 900,
    why: '第十七条 names A–E on a 千分制 without cut-offs: equal 100-point bands from the top, A ≥ 900',
  },
  institution_cutoff_b: { value: 800, why: '第十七条 gives no cut-offs: B ≥ 800 (equal 100-point bands)' },
  institution_cutoff_c: { value: 700, why: '第十七条 gives no cut-offs: C ≥ 700 (equal 100-point bands)' },
  institution_cutoff_d: {
    value: 600,
    why: '第十七条 gives no cut-offs: D ≥ 600 (equal 100-point bands), E below',
  },
  person_cutoff_trustworthy: {
    value: 90,
    why: '第十七条第二款 names five levels on 100 points without cut-offs: equal 10-point bands, 守信 ≥ 90',
  },
  person_cutoff_minor: { value: 80, why: '第十七条第二款 gives no cut-offs: 轻微失信 ≥ 80' },
  person_cutoff_general: { value: 70, why: '第十七条第二款 gives no cut-offs: 一般失信 ≥ 70' },
  person_cutoff_serious: {
    value: 60,
    why: '第十七条第二款 gives no cut-offs: 较重失信 ≥ 60, 严重失信 below',
  },
  start_in_band: {
    value: 0.5,
    why: '第十五条 publishes a grade, not a score, and 第十八条 adjusts it dynamically: the subject starts at this fraction of its band (0.5 = the middle; the top band ends at the scale maximum, the bottom one at 0), so a published grade maps to itself and a single deduction does not move it across a cut-off unless heavy',
  },
  unpublished_start_grade: {
    value: 'B',
    why: 'with no published result the monitor cannot know the 千分制 score: an institution starts in the middle of B (信用良好), neither granting A incentives nor D/E measures without a finding; persons start at the seed’s 100 points (第十七条第二款)',
  },
  unpublished_lookback_years: {
    value: 1,
    why: 'with no published result, facts of the current and of this many previous natural years count: the previous year’s result is published only by the end of Q1 (第十五条) and will contain them; older years belong to results the monitor never received',
  },
  institution_deduct_fraud: {
    value: 200,
    why: `${INST}: 骗取医疗保障基金支出 is the 严重失信行为 of 第十八条: two grade bands`,
  },
  institution_deduct_penalty: {
    value: 100,
    why: `${INST}: a penalty for a dishonest behaviour costs one grade band`,
  },
  institution_deduct_penalty_severe: {
    value: 200,
    why: `${INST}: a penalty with serious_consequence or for a fraud behaviour (fraud_behaviors) weighs as a fraud (第十八条)`,
  },
  institution_deduct_agreement_suspension: {
    value: 100,
    why: `${INST}: a suspended service agreement costs one grade band`,
  },
  institution_deduct_agreement_termination: {
    value: 200,
    why: `${INST}: a terminated service agreement weighs as a fraud`,
  },
  institution_deduct_interview: { value: 20, why: `${INST}: an interview (约谈) is a light deduction` },
  institution_deduct_late_payment: {
    value: 20,
    why: `${INST}: 未按期退回基金、上缴违约金或罚款 is a light deduction`,
  },
  institution_money_unit_yuan: {
    value: 10000,
    why: `${INST}: 造成医疗保障基金损失 (第十八条) deducts by the year's violation money (recoveries and violation audit reductions), per started unit of this many yuan`,
  },
  institution_money_points_per_unit: {
    value: 10,
    why: `${INST}: points per started unit of a year's violation money`,
  },
  institution_money_points_cap: {
    value: 200,
    why: `${INST}: at most this many points per natural year for violation money, as much as a fraud`,
  },
  person_deduct_fraud: {
    value: 40,
    why: `${PERS}: 骗取医疗保障基金 (第十八条) takes a 守信 person (95) to 严重失信`,
  },
  person_deduct_penalty: { value: 20, why: `${PERS}: a penalty for a dishonest behaviour costs two levels` },
  person_deduct_penalty_severe: {
    value: 40,
    why: `${PERS}: a penalty with serious_consequence or for a fraud behaviour weighs as a fraud`,
  },
  person_deduct_agreement_suspension: {
    value: 10,
    why: `${PERS}: a suspended 医保服务协议 of a practitioner costs one level`,
  },
  person_deduct_agreement_termination: {
    value: 40,
    why: `${PERS}: a terminated 医保服务协议 weighs as a fraud`,
  },
  person_deduct_interview: { value: 5, why: `${PERS}: an interview (约谈) is half a level` },
  person_deduct_late_payment: { value: 5, why: `${PERS}: a late payment is half a level` },
  person_deduct_recovery: {
    value: 5,
    why: `${PERS}: each recovery (基金损失, 第十八条) is half a level; persons have no violation-money sum`,
  },
  fraud_behaviors: {
    value: [
      'fictitious_service',
      'forged_documents',
      'false_invoice',
      'identity_fraud',
      'card_cashing',
      'other_fraud',
    ],
    why: 'the draft lists no behaviours; these are the 骗取 behaviours of 条例第四十条 among the codes of EVENTS.md, used for the *_penalty_severe deductions',
  },
} as const satisfies Record<string, Assumption>;

export type AssumptionName = keyof typeof ASSUMPTIONS;
type Values = Readonly<Record<string, unknown>>;

/** A deduction table: fact action → the assumption holding its points. */
export type DeductionTable = Partial<Record<FactAction | 'penalty_severe', AssumptionName>>;

export const INSTITUTION_DEDUCTIONS: DeductionTable = {
  fraud: 'institution_deduct_fraud',
  penalty: 'institution_deduct_penalty',
  penalty_severe: 'institution_deduct_penalty_severe',
  agreement_suspension: 'institution_deduct_agreement_suspension',
  agreement_termination: 'institution_deduct_agreement_termination',
  interview: 'institution_deduct_interview',
  late_payment: 'institution_deduct_late_payment',
};

export const PERSON_DEDUCTIONS: DeductionTable = {
  fraud: 'person_deduct_fraud',
  penalty: 'person_deduct_penalty',
  penalty_severe: 'person_deduct_penalty_severe',
  agreement_suspension: 'person_deduct_agreement_suspension',
  agreement_termination: 'person_deduct_agreement_termination',
  interview: 'person_deduct_interview',
  late_payment: 'person_deduct_late_payment',
  recovery: 'person_deduct_recovery',
};

/** One scale: its cut-offs (best first, last open) and the start score of each level. */
export type ScaleSettings = {
  readonly cutoffs: readonly Cutoff[];
  readonly start: Readonly<Record<string, number>>;
  readonly why: string;
};

export type Settings = {
  readonly points: Readonly<Record<AssumptionName, number>>;
  readonly institution: ScaleSettings;
  readonly person: ScaleSettings;
  readonly unpublishedGrade: string;
  readonly lookbackYears: number;
  readonly money: { readonly unit: number; readonly perUnit: number; readonly cap: number };
  readonly fraudBehaviors: ReadonlySet<Behavior>;
};

function invalid(name: string, value: unknown, expected: string): MonitorError {
  return new MonitorError(
    'PACK_INVALID',
    `assumption sichuan.${name}: ${JSON.stringify(value)} is invalid: expected ${expected}`,
    { pack: 'sichuan', name },
  );
}

function num(a: Values, name: AssumptionName, check: (v: number) => boolean, expected: string): number {
  const v = a[name] ?? ASSUMPTIONS[name].value;
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) throw invalid(name, v, expected);
  return v;
}

/** Cut-offs falling from the best level, and each level's start: `fraction` of its band. */
function scale(
  a: Values,
  names: readonly AssumptionName[],
  levels: readonly string[],
  max: number,
  fraction: number,
): ScaleSettings {
  const mins = names.map((n) => num(a, n, (v) => v > 0 && v <= max, `a number of points in (0, ${max}]`));
  mins.forEach((m, i) => {
    const prev = mins[i - 1];
    if (prev !== undefined && m >= prev)
      throw invalid(
        names[i]!,
        m,
        `a number below ${names[i - 1]} (${prev}): cut-offs fall from the best level`,
      );
  });
  const start: Record<string, number> = {};
  levels.forEach((level, i) => {
    const lower = mins[i] ?? 0;
    const upper = i === 0 ? max : mins[i - 1]!;
    start[level] = Math.round((lower + fraction * (upper - lower)) * 100) / 100;
  });
  const cut = mins.map((m, i) => `${levels[i]} ≥ ${m}`).join(', ');
  return {
    cutoffs: [
      ...mins.map((min, i) => ({ min, level: levels[i]! })),
      { min: Number.NEGATIVE_INFINITY, level: levels[levels.length - 1]! },
    ],
    start,
    why: `cut-offs ${cut}, ${levels[levels.length - 1]} below, are assumptions (${names.join(', ')}): 第十七条 gives none`,
  };
}

const cache = new WeakMap<Values, Settings>();

/** The checked settings of one compiled assumptions object (computed once per object). */
export function settings(a: Values): Settings {
  const hit = cache.get(a);
  if (hit) return hit;
  const points = {} as Record<AssumptionName, number>;
  for (const name of [...Object.values(INSTITUTION_DEDUCTIONS), ...Object.values(PERSON_DEDUCTIONS)])
    if (name) points[name] = num(a, name, (v) => v >= 0, 'a number of points ≥ 0 to deduct');
  const from = a.in_force_from ?? ASSUMPTIONS.in_force_from.value;
  if (typeof from !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(from))
    throw invalid('in_force_from', from, 'a date YYYY-MM-DD');
  const fraction = num(a, 'start_in_band', (v) => v >= 0 && v < 1, 'a fraction ≥ 0 and < 1 of the band');
  const grade = a.unpublished_start_grade ?? ASSUMPTIONS.unpublished_start_grade.value;
  if (typeof grade !== 'string' || !(GRADES as readonly string[]).includes(grade))
    throw invalid('unpublished_start_grade', grade, `one of ${GRADES.join(', ')}`);
  const behaviors = a.fraud_behaviors ?? ASSUMPTIONS.fraud_behaviors.value;
  if (!Array.isArray(behaviors) || !behaviors.every((b) => (BEHAVIORS as readonly unknown[]).includes(b)))
    throw invalid('fraud_behaviors', behaviors, 'an array of behaviour codes of EVENTS.md');
  const s: Settings = {
    points,
    institution: scale(
      a,
      ['institution_cutoff_a', 'institution_cutoff_b', 'institution_cutoff_c', 'institution_cutoff_d'],
      GRADES,
      INSTITUTION_SCALE_MAX,
      fraction,
    ),
    person: scale(
      a,
      ['person_cutoff_trustworthy', 'person_cutoff_minor', 'person_cutoff_general', 'person_cutoff_serious'],
      LEVELS,
      PERSON_SCALE_MAX,
      fraction,
    ),
    unpublishedGrade: grade,
    lookbackYears: num(
      a,
      'unpublished_lookback_years',
      (v) => Number.isInteger(v) && v >= 0,
      'an integer ≥ 0',
    ),
    money: {
      unit: num(a, 'institution_money_unit_yuan', (v) => v > 0, 'a number of yuan > 0'),
      perUnit: num(a, 'institution_money_points_per_unit', (v) => v >= 0, 'a number of points ≥ 0'),
      cap: num(a, 'institution_money_points_cap', (v) => v >= 0, 'a number of points ≥ 0'),
    },
    fraudBehaviors: new Set(behaviors as Behavior[]),
  };
  cache.set(a, s);
  return s;
}
