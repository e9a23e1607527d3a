/**
 * 四川 (`sichuan`, draft): the official yearly result (`grade_published`, 第十五条) is the start, and
 * facts decided after the evaluated year deduct from it at once (第十八条). Institutions: 千分制,
 * grades A–E; practitioners and the insured: 100 points, five levels (第十七条). Exclusions 第十六条,
 * the staff three-year rule 第三十七条(六), chains 第三十四条(七)/第三十五条(七). Seed 000.
 */
import { earliest, excluded, levelForScore, notCovered, withSeed } from '../../engine/helpers.ts';
import { chinaDate, chinaYear, yearOfDate, yearStart } from '../../engine/time.ts';
import type { EvalInput, Evaluation, Fact, Pack, Reason } from '../../engine/types.ts';
import { ASSUMPTIONS, type ScaleSettings, type Settings, settings } from './assumptions.ts';
import {
  CHAIN_TRIGGERS,
  CONSEQUENCES,
  GRADES,
  LEVEL_NAMES,
  LEVELS,
  PERIOD_ARTICLE,
  PERSON_BASE_SCORE,
  SEED,
  SETTLEMENT_SUSPENSION_BEHAVIORS,
  THREE_YEAR_RULE,
  VERSION,
} from './data.ts';
import { EARLY_WARNING } from './early-warning.ts';
import { type ExclusionCheck, institutionExclusion, staffExclusion } from './exclusions.ts';
import { institutionDeductions, personDeductions } from './score.ts';

type Published = { readonly fact: Fact; readonly period: number; readonly level: string };

/** Facts decided by `today`, in decision order (arrival order within a day). */
function decidedBy(facts: readonly Fact[], today: string): Fact[] {
  return facts
    .filter((f) => f.decided_at <= today)
    .sort((x, y) => (x.decided_at < y.decided_at ? -1 : x.decided_at > y.decided_at ? 1 : 0));
}

/** 第十五条: the official result of each period (a later record for the same period corrects it). */
function publishedResults(facts: readonly Fact[], person: boolean, notes: Reason[]): Map<number, Published> {
  const byPeriod = new Map<number, Published>();
  for (const f of facts) {
    if (f.action !== 'grade_published' || f.grade === undefined || f.period === undefined) continue;
    const raw = f.grade.trim();
    const level = person
      ? (LEVEL_NAMES[raw] ?? ((LEVELS as readonly string[]).includes(raw) ? raw : undefined))
      : (GRADES as readonly string[]).includes(raw)
        ? raw
        : undefined;
    if (!level) {
      notes.push({
        rule: 'sichuan.grade_published.invalid',
        article: '第十七条',
        event_id: f.event_id,
        detail: `grade ${JSON.stringify(f.grade)} is not a level of this subject's scale (${(person ? LEVELS : GRADES).join(', ')}): ignored`,
      });
      continue;
    }
    byPeriod.set(f.period, { fact: f, period: f.period, level });
  }
  return byPeriod;
}

type Start = { readonly score: number; readonly fromYear: number; readonly reason: Reason };

/** Where the dynamic adjustment starts: the latest published result, or an assumed default. */
function startOf(
  latest: Published | undefined,
  person: boolean,
  sc: ScaleSettings,
  s: Settings,
  year: number,
): Start {
  if (latest) {
    const score = sc.start[latest.level]!;
    return {
      score,
      fromYear: latest.period + 1,
      reason: {
        rule: 'sichuan.start.published',
        article: `${PERIOD_ARTICLE}, 第十八条`,
        assumption: ASSUMPTIONS.start_in_band.why,
        event_id: latest.fact.event_id,
        detail: `${latest.period} 年度评价结果 ${latest.level} → start ${score}; facts decided from ${latest.period + 1} deduct`,
      },
    };
  }
  const fromYear = year - s.lookbackYears;
  const score = person ? PERSON_BASE_SCORE : sc.start[s.unpublishedGrade]!;
  return {
    score,
    fromYear,
    reason: {
      rule: 'sichuan.start.unpublished',
      article: person ? '第十七条第二款' : '第十七条',
      assumption: `${person ? '' : `${ASSUMPTIONS.unpublished_start_grade.why}; `}${ASSUMPTIONS.unpublished_lookback_years.why}`,
      detail: `no published result: start ${score}${person ? ' (基础分数为100分)' : ''}; facts decided from ${fromYear} deduct`,
    },
  };
}

/** 第十八条 (interpretation): on the 严重失信主体名单 or the 联合惩戒 list, the lowest level. */
function listedBy(facts: readonly Fact[], repaired: ReadonlySet<string>): Fact | undefined {
  let entry: Fact | undefined;
  for (const f of facts) {
    if (repaired.has(f.event_id)) continue;
    if (f.action === 'severe_list_added' || f.action === 'joint_punishment_listed') entry = f;
    else if (f.action === 'severe_list_removed' && entry?.action === 'severe_list_added') entry = undefined;
  }
  return entry;
}

/** 第三十七条(六): three consecutive published years at 一般失信 or worse. */
function threeYearStreak(published: ReadonlyMap<number, Published>, latest: Published | undefined): boolean {
  if (!latest) return false;
  for (let i = 0; i < THREE_YEAR_RULE.years; i++) {
    const p = published.get(latest.period - i);
    if (!p || !THREE_YEAR_RULE.levels.includes(p.level)) return false;
  }
  return true;
}

function exclusionOf(input: EvalInput, facts: readonly Fact[], today: string): ExclusionCheck {
  if (input.subject.kind === 'institution') return institutionExclusion(input, facts, today);
  if (input.subject.kind === 'practitioner') return staffExclusion(input, facts, today);
  return {}; // 第十六条 names no case for the insured
}

function evaluate(input: EvalInput, a: Readonly<Record<string, unknown>>): Evaluation {
  const kind = input.subject.kind;
  if (kind === 'employer') return notCovered(sichuan, kind, '第四条');
  const s = settings(a);
  const today = chinaDate(input.at);
  const year = chinaYear(input.at);
  const person = kind !== 'institution';
  const scaleName = person ? 'level' : 'grade';
  const sc = person ? s.person : s.institution;
  const facts = decidedBy(input.facts, today);
  const check = exclusionOf(input, facts, today);
  const next = earliest(yearStart(year + 1), check.review);
  if (check.exclusion) {
    const { reason, article, detail } = check.exclusion;
    return {
      ...excluded(sichuan, reason, { rule: 'sichuan.exclusion', article, detail }, scaleName),
      next_review_at: next!,
    };
  }
  const reasons: Reason[] = [];
  const notes: Reason[] = [];
  if ((kind === 'institution' && !input.institution) || (kind === 'practitioner' && !input.practitioner))
    reasons.push({
      rule: 'sichuan.exclusion.unchecked',
      article: kind === 'institution' ? '第十六条(一)1–2' : '第十六条(二)1',
      assumption:
        'no registry record yet: the agreement or qualification dates of 第十六条 cannot be checked; evaluated from the facts',
    });
  const published = publishedResults(facts, person, notes);
  const latest = [...published.values()].sort((x, y) => x.period - y.period).at(-1);
  const start = startOf(latest, person, sc, s, year);
  reasons.push(start.reason);
  const repaired = new Set<string>();
  for (const r of facts) {
    if (r.action !== 'repair' || !r.ref_event_id) continue;
    if (facts.some((f) => f.event_id === r.ref_event_id)) repaired.add(r.ref_event_id);
    else
      notes.push({
        rule: 'sichuan.repair.unknown',
        article: '第四十七条',
        event_id: r.event_id,
        detail: `repair of ${r.ref_event_id}: no such fact decided by ${today} in this subject's record`,
      });
  }
  const counted: Fact[] = [];
  for (const f of facts) {
    if (yearOfDate(f.decided_at) < start.fromYear) continue;
    if (!repaired.has(f.event_id)) counted.push(f);
    else
      reasons.push({
        rule: 'sichuan.repair',
        article: '第四十七条',
        event_id: f.event_id,
        detail: `${f.action} of ${f.decided_at} repaired: no deduction`,
      });
  }
  const d = person ? personDeductions(counted, s) : institutionDeductions(counted, s);
  reasons.push(...d.reasons);
  const score = Math.max(0, Math.round((start.score - d.points) * 100) / 100);
  let level = levelForScore(score, sc.cutoffs).level;
  reasons.push({
    rule: 'sichuan.level',
    article: '第十七条',
    assumption: sc.why,
    detail: `${score} points → ${level}`,
  });
  const levels: readonly string[] = person ? LEVELS : GRADES;
  if (kind === 'practitioner' && threeYearStreak(published, latest)) {
    const lower = levels[Math.min(levels.indexOf(level) + 1, levels.length - 1)]!;
    reasons.push({
      rule: 'sichuan.three_year_rule',
      article: '第三十七条(六)',
      detail: `published ${latest!.period - 2}–${latest!.period} all 一般失信 or worse: ${level} lowered one level to ${lower}`,
    });
    level = lower;
  }
  const entry = listedBy(facts, repaired);
  if (entry) {
    level = levels[levels.length - 1]!;
    reasons.push({
      rule: 'sichuan.severe_list',
      article: '第十八条',
      event_id: entry.event_id,
      detail: `${entry.action} ${entry.decided_at}: 严重失信, grade lowered to ${level} (interpretation of 降低其信用等级)`,
    });
  }
  if (kind === 'institution' && latest?.level === 'E' && published.get(latest.period - 1)?.level === 'E') {
    const pharmacy = input.institution?.kind === 'pharmacy';
    notes.push({
      rule: 'sichuan.two_consecutive_e',
      article: pharmacy ? '第三十五条(六)' : '第二十九条(九)',
      event_id: latest.fact.event_id,
      detail: `E in ${latest.period - 1} and ${latest.period}: ${pharmacy ? '建议取消定点资格' : '解除服务协议，取消定点资格'}`,
    });
  }
  if (kind === 'insured') {
    for (const f of counted)
      if (f.action === 'penalty' && f.behavior && SETTLEMENT_SUSPENSION_BEHAVIORS.has(f.behavior))
        notes.push({
          rule: 'sichuan.insured.settlement_suspension',
          article: '第三十九条',
          event_id: f.event_id,
          detail: `${f.behavior}: 暂停其医疗费用联网结算 3个月至 12个月`,
        });
  }
  return {
    evaluated: true,
    scale: scaleName,
    level,
    score,
    reasons: withSeed(sichuan, reasons),
    ...(notes.length > 0 && { notes: withSeed(sichuan, notes) }),
    next_review_at: next!,
  };
}

export const sichuan: Pack = {
  id: 'sichuan',
  title: '四川省医疗保障基金使用信用管理暂行办法（征求意见稿）',
  seed: SEED,
  early_warning: EARLY_WARNING,
  versions: [VERSION],
  scales: { institution: 'grade', practitioner: 'level', insured: 'level' },
  levels: { grade: GRADES, level: LEVELS },
  at_or_below_d: ['D', 'E'],
  chain_triggers: CHAIN_TRIGGERS,
  consequences: CONSEQUENCES,
  assumptions: ASSUMPTIONS,
  answers: {
    subjects: {
      article: '第四条',
      answer:
        '定点医疗机构、定点零售药店 (institution, grade A–E); their 医师、护士、药师、医技人员 (practitioner) and 参保人 (insured), level scale',
    },
    period: {
      article: '第十五条',
      answer:
        'natural year; the previous year’s result is published by the end of Q1 (grade_published) and the monitor adjusts it dynamically until the next one',
    },
    scoring: {
      article: '第十七条, 第十八条',
      answer:
        'institutions: 千分制, start from the published grade (an assumed point in its band) minus assumed deductions; persons: 100 minus assumed deductions',
    },
    cutoffs: {
      article: '第十七条',
      answer:
        'assumptions: A ≥ 900, B ≥ 800, C ≥ 700, D ≥ 600, E below; 守信 ≥ 90, 轻微 ≥ 80, 一般 ≥ 70, 较重 ≥ 60, 严重 below',
    },
    exclusions: {
      article: '第十六条',
      answer:
        'institutions: agreement under 6 months, ended over a year ago, licence suspended over a year, open fraud investigation, open appeal; staff: qualified under 6 months, licence suspended over a year, open fraud investigation',
    },
    publication: {
      article: '第二十三条, 第二十二条',
      answer:
        'results are published (第二十三条) by the end of Q1 (第十五条); personal privacy is never disclosed (第二十二条); no publication period for single facts',
    },
    repair: {
      article: '第四十七条–第五十一条',
      answer:
        'a granted repair (decided within 15 working days of acceptance, 第四十九条) removes the repaired fact’s deduction or list entry from its decision date',
    },
    dynamic_adjustment: {
      article: '第十八条',
      answer:
        'fraud and fund-loss facts are recorded at once and deduct points or lower the grade; severe list → lowest level',
    },
    consequences: {
      article: '第二十五条–第二十九条, 第三十一条–第三十五条, 第三十七条–第三十九条',
      answer:
        'hospitals: budget ±1–5%, prepayment, sampling +10%/+20%, two E years terminate; pharmacies: deposit, inspections, chains; staff: interview, suspension 1–2/3–12 months, termination; insured: strict audit, settlement suspension 3–12 months',
    },
    versions: {
      article: '第五十四条',
      answer: 'draft with a blank date: in force from the in_force_from assumption (default 2022-01-01)',
    },
    chains: {
      article: '第三十四条(七), 第三十五条(七)',
      answer:
        '20% or more of a chain’s evaluated branches at D or below: all branches rectified (D measures); 15% or more with at least one E: all rectified (E measures)',
    },
    documents_required: { not_covered: 'the draft does not require a document number for a fact to count' },
  },
  evaluate,
};
