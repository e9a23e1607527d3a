/**
 * What the Guangdong seed (002) leaves open, as configurable assumptions: 第十九条 adopts 积分制 and
 * 第二十条 five grades, but the point table, how long a fact stays 生效期内 and the cut-offs are left
 * to the province's 信用评价规则 (第十七条), which the seed does not contain. Every value can be
 * overridden (README.md); `settings` checks an override once per compiled pack and says exactly
 * what is wrong.
 */
import { MonitorError } from '../../../schemas/errors.ts';
import { BEHAVIORS, type Behavior } from '../../../schemas/events.ts';
import type { Cutoff } from '../../engine/helpers.ts';
import type { Assumption, FactAction } from '../../engine/types.ts';

const TABLE =
  '第十九条 积分制 without a point table (the 评价规则 of 第十七条 is not in the seed); scaled to base 1000 and the cut-offs';

export const ASSUMPTIONS = {
  base_points: {
    value: 1000,
    why: '第十九条 sets 积分制 but no base; 1000 (千分制, as the neighbouring 四川 draft 第十七条) leaves room for the point table',
  },
  points_penalty: {
    value: -150,
    why: `${TABLE}: an administrative penalty for a dishonest behaviour (第二十六条(二)) costs one grade band from 1000 (A → B)`,
  },
  points_penalty_severe: {
    value: -300,
    why: `${TABLE}: a penalty with serious_consequence or for a fraud behaviour (fraud_behaviors) costs twice a penalty (A → C)`,
  },
  points_fraud: {
    value: -300,
    why: `${TABLE}: 骗取医保基金 (条例第四十条) weighs as a severe penalty`,
  },
  points_recovery: {
    value: -50,
    why: `${TABLE}: a recovery after inspection is a fund loss without a finding of dishonesty: a light deduction`,
  },
  points_interview: {
    value: -20,
    why: `${TABLE}: an interview (约谈) is a warning, the lightest negative fact`,
  },
  points_late_payment: {
    value: -30,
    why: `${TABLE}: 拒不履行生效决定所确定义务 (第八条(三)) weighs a little more than an interview`,
  },
  points_agreement_suspension: {
    value: -100,
    why: `${TABLE}: a suspended service agreement (第八条(七) 协议履行) is between a recovery and a penalty`,
  },
  points_agreement_termination: {
    value: -300,
    why: `${TABLE}: a terminated service agreement weighs as a severe penalty`,
  },
  points_joint_punishment_listed: {
    value: -300,
    why: `${TABLE}: 联合惩戒对象名单 (第八条(六)) weighs as a severe penalty; only the 严重失信主体名单 gives E at once (第二十条)`,
  },
  points_honor: {
    value: 30,
    why: `${TABLE}: 诚信荣誉 (第八条(十一)) is a positive fact`,
  },
  points_verified_report: {
    value: 20,
    why: `${TABLE}: a report verified as true helps fund safety (第五条 社会共治): a positive fact for the reporter`,
  },
  points_commitment: {
    value: 10,
    why: `${TABLE}: a public 信用承诺 (第七条, 第十三条–第十六条) is a small positive fact`,
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
    why: 'the seed lists no behaviours; these are the 骗取 behaviours of 条例第四十条 among the codes of EVENTS.md, used for points_penalty_severe and the 3-year validity',
  },
  validity_years_negative: {
    value: 1,
    why: '第十九条 counts facts 生效期内 but sets no period; one year as the usual publication period of a general 行政处罚 (第三十八条(二) counts it from the decision)',
  },
  validity_years_severe: {
    value: 3,
    why: '第十九条 sets no period; three years for severe facts (fraud, termination, joint list, penalties with serious_consequence or a fraud behaviour) as the usual period for severe dishonesty',
  },
  validity_years_positive: {
    value: 1,
    why: '第十九条 sets no period for positive facts either; one year, as for negative ones',
  },
  cutoff_a: {
    value: 950,
    why: '第二十条 names A–E without cut-offs: A ≥ 950 keeps A for a clean record and one light fact (a recovery), not for a penalty',
  },
  cutoff_b: {
    value: 850,
    why: '第二十条 gives no cut-offs: B ≥ 850 keeps one penalty (1000 − 150) in B',
  },
  cutoff_c: {
    value: 700,
    why: '第二十条 gives no cut-offs: C ≥ 700 keeps one severe fact (1000 − 300) in C',
  },
  cutoff_d: {
    value: 550,
    why: '第二十条 gives no cut-offs: D ≥ 550 (one severe fact and one penalty), E below',
  },
  holidays: {
    value: [] as string[],
    why: '第三十七条 counts 工作日 but the seed has no holiday calendar: by default only Saturdays and Sundays are non-working; list public holidays (YYYY-MM-DD) to skip them (调休 working weekends are not modelled)',
  },
} as const satisfies Record<string, Assumption>;

export type AssumptionName = keyof typeof ASSUMPTIONS;

/** The point-carrying actions and the assumption each reads. */
export const POINTS_OF: Partial<Record<FactAction, AssumptionName>> = {
  fraud: 'points_fraud',
  recovery: 'points_recovery',
  interview: 'points_interview',
  late_payment: 'points_late_payment',
  agreement_suspension: 'points_agreement_suspension',
  agreement_termination: 'points_agreement_termination',
  joint_punishment_listed: 'points_joint_punishment_listed',
  honor: 'points_honor',
  verified_report: 'points_verified_report',
  commitment: 'points_commitment',
};

type ValidityName = 'validity_years_negative' | 'validity_years_severe' | 'validity_years_positive';

export type Settings = {
  readonly base: number;
  readonly points: Readonly<Record<AssumptionName, number>>;
  readonly fraudBehaviors: ReadonlySet<Behavior>;
  readonly validityYears: Readonly<Record<ValidityName, number>>;
  readonly cutoffs: readonly Cutoff[];
  readonly holidays: ReadonlySet<string>;
};

function invalid(name: string, value: unknown, expected: string): MonitorError {
  return new MonitorError(
    'PACK_INVALID',
    `assumption guangdong.${name}: ${JSON.stringify(value)} is invalid: expected ${expected}`,
    { pack: 'guangdong', name },
  );
}

type Values = Readonly<Record<string, unknown>>;

function num(a: Values, name: AssumptionName, check: (v: number) => boolean, expected: string): number {
  const v = a[name] ?? ASSUMPTIONS[name].value;
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) throw invalid(name, v, expected);
  return v;
}

function strings(a: Values, name: AssumptionName, check: (s: string) => boolean, expected: string): string[] {
  const v = a[name] ?? ASSUMPTIONS[name].value;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && check(s)))
    throw invalid(name, v, expected);
  return v as string[];
}

const anyNumber = () => true;
const cache = new WeakMap<Values, Settings>();

/** The checked settings of one compiled assumptions object (computed once per object). */
export function settings(a: Values): Settings {
  const hit = cache.get(a);
  if (hit) return hit;
  const points = {} as Record<AssumptionName, number>;
  for (const name of Object.keys(ASSUMPTIONS) as AssumptionName[]) {
    if (!name.startsWith('points_')) continue;
    const positive = ['points_honor', 'points_verified_report', 'points_commitment'].includes(name);
    points[name] = positive
      ? num(a, name, (v) => v >= 0, 'a number ≥ 0 (a positive fact)')
      : num(a, name, (v) => v <= 0, 'a number ≤ 0 (a negative fact)');
  }
  const years = (name: ValidityName) =>
    num(a, name, (v) => Number.isInteger(v) && v > 0, 'a whole number of years > 0');
  const cutoffNames = ['cutoff_a', 'cutoff_b', 'cutoff_c', 'cutoff_d'] as const;
  const mins = cutoffNames.map((n) => num(a, n, anyNumber, 'a number of points'));
  mins.forEach((m, i) => {
    const prev = mins[i - 1];
    if (prev !== undefined && m >= prev)
      throw invalid(
        cutoffNames[i]!,
        m,
        `a number below ${cutoffNames[i - 1]} (${prev}): cut-offs fall from A to D`,
      );
  });
  const s: Settings = {
    base: num(a, 'base_points', anyNumber, 'a number of points'),
    points,
    fraudBehaviors: new Set(
      strings(
        a,
        'fraud_behaviors',
        (b) => (BEHAVIORS as readonly string[]).includes(b),
        'behaviour codes of EVENTS.md',
      ) as Behavior[],
    ),
    validityYears: {
      validity_years_negative: years('validity_years_negative'),
      validity_years_severe: years('validity_years_severe'),
      validity_years_positive: years('validity_years_positive'),
    },
    cutoffs: [
      ...mins.map((min, i) => ({ min, level: 'ABCD'[i]! })),
      { min: Number.NEGATIVE_INFINITY, level: 'E' },
    ],
    holidays: new Set(strings(a, 'holidays', (d) => /^\d{4}-\d{2}-\d{2}$/.test(d), 'dates YYYY-MM-DD')),
  };
  cache.set(a, s);
  return s;
}
