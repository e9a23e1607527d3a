/**
 * 重庆巫山 (`chongqing-wushan`): grades A–D from the annual assessment (inpatient care) or from
 * 100 points minus deductions (outpatient-only institutions and pharmacies). Seed 001.
 */
import { excluded, levelForScore, notCovered, sumYuan } from '../../engine/helpers.ts';
import {
  addDays,
  addMonths,
  chinaDate,
  chinaYear,
  dayStart,
  yearOfDate,
  yearStart,
} from '../../engine/time.ts';
import type { EvalInput, Evaluation, Fact, Pack, Reason } from '../../engine/types.ts';
import {
  BASE_SCORE,
  CONSEQUENCES,
  GRADE_CUTOFFS,
  PER_FACT_DEDUCTIONS,
  SEED,
  VIOLATION_MONEY_TIERS,
} from './data.ts';
import { EARLY_WARNING } from './early-warning.ts';

const ASSUMPTIONS = {
  suspension_once_per_period: {
    value: true,
    why: '附件 一(三) says 扣10分 without "每次" (unlike (二)(四)(五)): read as once per period.',
  },
  six_months_rule: {
    value: 'calendar',
    why: '第十九条(四) 营业时间不足6个月: counted as calendar months of the agreement inside the natural year (start + 6 months must not pass the end of the year or of the agreement).',
  },
  proximity_points: {
    value: 5,
    why: 'grade_boundary_proximity warns when one more 5-point deduction (one interview or one late payment, 附件 一(二)(四)) lowers the grade.',
  },
  unassessed_inpatient: {
    value: 'not_evaluated',
    why: "第十六条 grades inpatient institutions from the year's 考核等次; before that score arrives no grade is given.",
  },
} as const;

const END_REASON_ARTICLE = {
  voluntary: '第十九条(一)',
  violation: '第十九条(二)',
  not_renewed: '第十九条(三)',
} as const;

function grade(score: number, article: string): { level: string; reason: Reason } {
  const c = levelForScore(score, GRADE_CUTOFFS);
  return {
    level: c.level,
    reason: { rule: 'chongqing-wushan.grade', article, seed: SEED, detail: `score ${score} → ${c.level}` },
  };
}

function deductions(facts: readonly Fact[], onceSuspension: boolean): { points: number; reasons: Reason[] } {
  const reasons: Reason[] = [];
  let points = 0;
  const money = sumYuan(facts.filter((f) => f.action === 'recovery' || f.action === 'audit_violation'));
  if (money > 0) {
    const tier =
      VIOLATION_MONEY_TIERS.find((t) => money < t.below) ??
      VIOLATION_MONEY_TIERS[VIOLATION_MONEY_TIERS.length - 1]!;
    points += tier.points;
    reasons.push({
      rule: 'chongqing-wushan.deduct.violation_money',
      article: '附件 一(一)',
      seed: SEED,
      detail: `追回及审减违规费用 ${money} 元: ${tier.text}`,
    });
  }
  for (const [action, d] of Object.entries(PER_FACT_DEDUCTIONS)) {
    const n = facts.filter((f) => f.action === action).length;
    if (n === 0) continue;
    const times = action === 'agreement_suspension' && onceSuspension ? 1 : n;
    points += d.points * times;
    const reason: Reason = {
      rule: `chongqing-wushan.deduct.${action}`,
      article: d.article,
      seed: SEED,
      detail: `${n} × ${d.text} → −${d.points * times}`,
    };
    reasons.push(
      action === 'agreement_suspension' && onceSuspension
        ? { ...reason, assumption: ASSUMPTIONS.suspension_once_per_period.why }
        : reason,
    );
  }
  return { points, reasons };
}

function evaluate(input: EvalInput, a: Readonly<Record<string, unknown>>): Evaluation {
  if (input.subject.kind !== 'institution') return notCovered(wushan, input.subject.kind, '第四条');
  const inst = input.institution;
  if (!inst) {
    return excluded(wushan, 'not_registered', {
      rule: 'chongqing-wushan.subjects',
      article: '第十六条',
      detail: 'no institution record: cannot tell inpatient from outpatient-only',
    });
  }
  if (inst.kind === 'village_clinic' && inst.parent_code) {
    return excluded(
      wushan,
      'evaluated_under_parent',
      { rule: 'chongqing-wushan.village_clinic', article: '第四条', detail: `纳入 ${inst.parent_code} 管理` },
      'grade',
    );
  }
  const year = chinaYear(input.at);
  const nextYear = yearStart(year + 1);
  const today = chinaDate(input.at);
  if (inst.agreement_end && inst.agreement_end_reason && today > inst.agreement_end) {
    return excluded(
      wushan,
      `agreement_ended_${inst.agreement_end_reason}`,
      {
        rule: 'chongqing-wushan.exclusion',
        article: END_REASON_ARTICLE[inst.agreement_end_reason],
        detail: `agreement ended ${inst.agreement_end}`,
      },
      'grade',
    );
  }
  const agreementEndReview =
    inst.agreement_end && inst.agreement_end >= today ? dayStart(addDays(inst.agreement_end, 1)) : undefined;
  const next =
    agreementEndReview !== undefined && agreementEndReview < nextYear ? agreementEndReview : nextYear;
  const from = inst.agreement_start > `${year}-01-01` ? inst.agreement_start : `${year}-01-01`;
  const yearEnd = `${year}-12-31`;
  const to = inst.agreement_end && inst.agreement_end < yearEnd ? inst.agreement_end : yearEnd;
  if (addMonths(from, 6) > addDays(to, 1)) {
    return {
      ...excluded(
        wushan,
        'in_business_under_6_months',
        {
          rule: 'chongqing-wushan.exclusion',
          article: '第十九条(四)',
          detail: `in the ${year} agreement runs ${from}…${to}`,
          assumption: ASSUMPTIONS.six_months_rule.why,
        },
        'grade',
      ),
      next_review_at: next,
    };
  }
  const yearFacts = input.facts.filter(
    (f) => yearOfDate(f.decided_at) === year && dayStart(f.decided_at) <= input.at,
  );
  if (inst.inpatient) {
    const assessment = yearFacts.filter((f) => f.action === 'assessment' && f.period === year).at(-1);
    if (!assessment || assessment.score === undefined) {
      return {
        ...excluded(
          wushan,
          'awaiting_assessment',
          {
            rule: 'chongqing-wushan.inpatient',
            article: '第十六条',
            detail: `no 考核 score for ${year} yet`,
            assumption: ASSUMPTIONS.unassessed_inpatient.why,
          },
          'grade',
        ),
        next_review_at: next,
      };
    }
    const g = grade(assessment.score, '第十八条(一)');
    return {
      evaluated: true,
      scale: 'grade',
      level: g.level,
      score: assessment.score,
      reasons: [
        {
          rule: 'chongqing-wushan.inpatient',
          article: '第十六条',
          seed: SEED,
          event_id: assessment.event_id,
          detail: `考核得分 ${assessment.score}`,
        },
        g.reason,
      ],
      next_review_at: next,
    };
  }
  const d = deductions(yearFacts, a.suspension_once_per_period !== false);
  const score = BASE_SCORE - d.points;
  const g = grade(score, '第十八条(二)');
  return {
    evaluated: true,
    scale: 'grade',
    level: g.level,
    score,
    reasons: [...d.reasons, g.reason],
    next_review_at: next,
    ...proximity(score, a),
  };
}

/** One more deduction of `proximity_points` (an interview or a late payment, 附件 一(二)(四)) lowers the grade. */
function proximity(score: number, a: Readonly<Record<string, unknown>>): Pick<Evaluation, 'proximity'> {
  const step = typeof a.proximity_points === 'number' ? a.proximity_points : 5;
  const now = levelForScore(score, GRADE_CUTOFFS);
  const after = levelForScore(score - step, GRADE_CUTOFFS);
  if (after.level === now.level) return {};
  return {
    proximity: {
      rule: 'chongqing-wushan.proximity',
      article: '第十八条(二)',
      seed: SEED,
      detail: `${score} 分，再扣 ${step} 分即由 ${now.level} 级降为 ${after.level} 级`,
      assumption: ASSUMPTIONS.proximity_points.why,
    },
  };
}

export const wushan: Pack = {
  id: 'chongqing-wushan',
  title: '巫山县医疗保障基金监管信用管理办法（试行）',
  seed: SEED,
  early_warning: EARLY_WARNING,
  versions: [
    { id: '巫山医保发〔2022〕82号', in_force_from: '2023-01-01', status: '试行', article: '第二十七条' },
  ],
  scales: { institution: 'grade' },
  levels: { grade: ['A', 'B', 'C', 'D'] },
  at_or_below_d: ['D'],
  chain_triggers: [],
  village_clinic_under_parent: { article: '第四条' },
  consequences: CONSEQUENCES,
  assumptions: ASSUMPTIONS,
  answers: {
    subjects: {
      article: '第四条',
      answer: '定点医疗机构、定点零售药店; village clinics under their township hospital or community centre',
    },
    period: { article: '第十五条', answer: 'natural year 1 Jan – 31 Dec; the score starts again each year' },
    scoring: {
      article: '第十六条, 附件',
      answer: "inpatient: the year's 考核 score; outpatient-only and pharmacies: 100 minus deductions",
    },
    cutoffs: { article: '第十八条, 第二十六条', answer: 'A ≥ 90, B ≥ 65, C ≥ 60, D < 60' },
    exclusions: {
      article: '第十九条',
      answer: 'agreement ended (voluntary, violation, not renewed); under 6 months in business in the year',
    },
    publication: {
      not_covered: 'the seed sets no publication period; results are told to the institution (第二十三条)',
    },
    repair: { not_covered: 'the seed has no credit repair' },
    dynamic_adjustment: {
      article: '第三条',
      answer: "动态管理: each deduction fact lowers the year's score at once",
    },
    consequences: {
      article: '第二十一条, 第二十二条',
      answer: 'sampling, budget, prepayment, audits per year, suspension, termination',
    },
    versions: { article: '第二十七条', answer: 'in force from 2023-01-01' },
    chains: { not_covered: 'the seed has no chain-pharmacy rule' },
    documents_required: { not_covered: 'the seed does not require a document number for a fact' },
  },
  evaluate,
};
