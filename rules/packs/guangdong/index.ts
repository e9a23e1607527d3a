/**
 * 广东 (`guangdong`): points that rise and fall with the positive and negative facts in force
 * (第十九条), grades A–E (第二十条), E at once on the 严重失信主体名单, repair after five working days
 * of publicity (第三十七条, 第三十八条). Seed 002. Every number the seed does not give is read from
 * the `assumptions` argument (assumptions.ts).
 */
import { earliest, levelForScore, withSeed } from '../../engine/helpers.ts';
import { addWorkingDaysSkipping, addYears, chinaDate, dayStart } from '../../engine/time.ts';
import type { EvalInput, Evaluation, Fact, Pack, Reason } from '../../engine/types.ts';
import { ASSUMPTIONS, type AssumptionName, POINTS_OF, type Settings, settings } from './assumptions.ts';
import {
  CONSEQUENCES,
  DISHONESTY_ACTIONS,
  NEGATIVE_ACTIONS,
  REPAIR_PUBLICITY_WORKING_DAYS,
  SEED,
  SEVERE_LIST_GRADE,
  VERSION,
} from './data.ts';
import { EARLY_WARNING } from './early-warning.ts';

type Weight = {
  readonly points: number;
  readonly years: number;
  readonly why: string;
  readonly severe: boolean;
};

/** The points a fact carries while in force and how long it stays in force (assumptions). */
function weightOf(f: Fact, s: Settings): Weight | undefined {
  let name: AssumptionName | undefined = POINTS_OF[f.action];
  let severe =
    f.action === 'fraud' || f.action === 'agreement_termination' || f.action === 'joint_punishment_listed';
  if (f.action === 'penalty') {
    severe = f.serious_consequence === true || (f.behavior !== undefined && s.fraudBehaviors.has(f.behavior));
    name = severe ? 'points_penalty_severe' : 'points_penalty';
  }
  if (!name) return undefined;
  const validity = !NEGATIVE_ACTIONS.has(f.action)
    ? 'validity_years_positive'
    : severe
      ? 'validity_years_severe'
      : 'validity_years_negative';
  const points = s.points[name];
  const years = s.validityYears[validity];
  return { points, years, severe, why: `${ASSUMPTIONS[name].why}; ${ASSUMPTIONS[validity].why}` };
}

/** Facts decided by `today`, in decision order (arrival order within a day). */
function decidedBy(facts: readonly Fact[], today: string): Fact[] {
  return facts
    .filter((f) => f.decided_at <= today)
    .sort((x, y) => (x.decided_at < y.decided_at ? -1 : x.decided_at > y.decided_at ? 1 : 0));
}

type Repairs = {
  readonly done: Map<string, { repair: Fact; effective: string }>;
  readonly pendingUntil?: number;
};

/** 第三十七条: a granted repair takes effect when five working days of publicity have passed. */
function repairs(
  facts: readonly Fact[],
  today: string,
  s: Settings,
  reasons: Reason[],
  notes: Reason[],
): Repairs {
  const done = new Map<string, { repair: Fact; effective: string }>();
  let pendingUntil: number | undefined;
  for (const r of facts) {
    if (r.action !== 'repair' || !r.ref_event_id) continue;
    const target = facts.find((f) => f.event_id === r.ref_event_id);
    if (!target || !NEGATIVE_ACTIONS.has(target.action)) {
      notes.push({
        rule: 'guangdong.repair.nothing_to_repair',
        article: '第三十五条',
        event_id: r.event_id,
        detail: target
          ? `repair of ${r.ref_event_id} (${target.action}): not a negative fact, nothing to repair`
          : `repair of ${r.ref_event_id}: no such fact decided by ${today} in this subject's record`,
      });
      continue;
    }
    const effective = addWorkingDaysSkipping(r.decided_at, REPAIR_PUBLICITY_WORKING_DAYS, s.holidays);
    if (effective <= today) {
      done.set(target.event_id, { repair: r, effective });
      continue;
    }
    pendingUntil = earliest(pendingUntil, dayStart(effective));
    reasons.push({
      rule: 'guangdong.repair.pending',
      article: '第三十七条',
      event_id: r.event_id,
      detail: `repair of ${target.event_id} in publicity (五个工作日) from ${r.decided_at}: effective ${effective}`,
      ...(s.holidays.size === 0 && { assumption: ASSUMPTIONS.holidays.why }),
    });
  }
  return pendingUntil === undefined ? { done } : { done, pendingUntil };
}

function undocumented(f: Fact): Reason {
  return {
    rule: 'guangdong.document_required',
    article: '第二十六条',
    event_id: f.event_id,
    detail: `${f.action} of ${f.decided_at} has no document_no: counted toward indicators, not toward the grade`,
  };
}

type Tally = { score: number; next?: number; dishonest: boolean };

/** 第十九条: points of the facts in force (生效期内), less those repaired (第三十八条). */
function points(
  facts: readonly Fact[],
  today: string,
  s: Settings,
  rep: Repairs,
  out: Reason[],
  notes: Reason[],
): Tally {
  const t: Tally = { score: s.base, dishonest: false };
  for (const f of facts) {
    const w = weightOf(f, s);
    if (!w) continue;
    const until = addYears(f.decided_at, w.years);
    const negative = NEGATIVE_ACTIONS.has(f.action);
    if (today >= until) {
      if (today === until && (!negative || (f.document_no && !rep.done.has(f.event_id))))
        out.push({
          rule: 'guangdong.points.lapsed',
          article: '第十九条',
          assumption: w.why,
          event_id: f.event_id,
          detail: `${f.action} of ${f.decided_at} no longer in force from ${until}`,
        });
      continue;
    }
    if (negative && !f.document_no) {
      out.push(undocumented(f));
      notes.push(undocumented(f));
      continue;
    }
    const repaired = rep.done.get(f.event_id);
    if (repaired) {
      out.push({
        rule: 'guangdong.repair',
        article: '第三十八条',
        event_id: repaired.repair.event_id,
        detail: `${f.action} ${f.event_id} repaired from ${repaired.effective}: its ${Math.abs(w.points)} points restored`,
      });
      continue;
    }
    t.score += w.points;
    t.next = earliest(t.next, dayStart(until));
    if (DISHONESTY_ACTIONS.has(f.action)) t.dishonest = true;
    out.push({
      rule: `guangdong.points.${f.action}`,
      article: '第十九条',
      assumption: w.why,
      event_id: f.event_id,
      detail: `${w.points > 0 ? '+' : ''}${w.points} while in force, ${f.decided_at} to ${until} (exclusive)${w.severe ? ', severe' : ''}`,
    });
  }
  return t;
}

/** 第二十条第二款: the latest list entry (documented, not repaired) without a later removal. */
function severeListEntry(
  facts: readonly Fact[],
  today: string,
  rep: Repairs,
  out: Reason[],
  notes: Reason[],
): Fact | undefined {
  let entry: Fact | undefined;
  for (const f of facts) {
    if (f.action === 'severe_list_removed') {
      if (entry && f.decided_at === today)
        out.push({
          rule: 'guangdong.severe_list.removed',
          article: '第二十条',
          event_id: f.event_id,
          detail: `移出严重失信主体名单 on ${today}`,
        });
      entry = undefined;
    }
    if (f.action !== 'severe_list_added') continue;
    if (!f.document_no) {
      out.push(undocumented(f));
      notes.push(undocumented(f));
      continue;
    }
    const repaired = rep.done.get(f.event_id);
    if (repaired) {
      if (repaired.effective === today)
        out.push({
          rule: 'guangdong.repair',
          article: '第三十八条(一)',
          event_id: repaired.repair.event_id,
          detail: `移出严重失信主体名单 by repair from ${today}`,
        });
      continue;
    }
    entry = f;
  }
  return entry;
}

function evaluate(input: EvalInput, a: Readonly<Record<string, unknown>>): Evaluation {
  const s = settings(a);
  const today = chinaDate(input.at);
  const facts = decidedBy(input.facts, today);
  const reasons: Reason[] = [];
  const notes: Reason[] = [];
  const rep = repairs(facts, today, s, reasons, notes);
  const tally = points(facts, today, s, rep, reasons, notes);
  const entry = severeListEntry(facts, today, rep, reasons, notes);
  const graded = levelForScore(tally.score, s.cutoffs);
  const cut = s.cutoffs.filter((c) => Number.isFinite(c.min)).map((c) => `${c.level} ≥ ${c.min}`);
  reasons.push({
    rule: 'guangdong.grade',
    article: '第十九条, 第二十条',
    assumption: `base ${s.base} and cut-offs ${cut.join(', ')}, E below, are assumptions (base_points, cutoff_a–cutoff_d): 第十九条 and 第二十条 give neither`,
    detail: `${tally.score} points → ${graded.level}`,
  });
  let level = graded.level;
  if (entry) {
    level = SEVERE_LIST_GRADE;
    reasons.push({
      rule: 'guangdong.severe_list',
      article: '第二十条第二款',
      event_id: entry.event_id,
      detail: `纳入严重失信主体名单 (${entry.document_no}): 信用等级直接判定为 E 级`,
    });
    if (input.subject.kind === 'institution' || input.subject.kind === 'employer')
      reasons.push({
        rule: 'guangdong.severe_list.extension',
        article: '第二十九条',
        event_id: entry.event_id,
        detail:
          '惩戒 extends to the legal representative, actual controller, principal and other persons directly responsible: not applied by the monitor, whose input has no registry of them',
      });
  }
  if (level === 'A' || level === 'B') {
    const dishonest = tally.dishonest || entry !== undefined;
    reasons.push(
      dishonest
        ? {
            rule: 'guangdong.incentive.withheld',
            article: '第二十五条',
            detail: `${level} with a dishonest fact in force: the 第二十五条 incentives do not apply`,
          }
        : {
            rule: 'guangdong.incentive',
            article: '第二十五条',
            detail: `${level} and no dishonest fact in force: the 第二十五条 incentives apply`,
          },
    );
  }
  const next = earliest(tally.next, rep.pendingUntil);
  return {
    evaluated: true,
    scale: 'grade',
    level,
    score: tally.score,
    reasons: withSeed(guangdong, reasons),
    ...(notes.length > 0 && { notes: withSeed(guangdong, notes) }),
    ...(next !== undefined && { next_review_at: next }),
  };
}

export const guangdong: Pack = {
  id: 'guangdong',
  title: '广东省医疗保障信用管理办法（试行）',
  seed: SEED,
  early_warning: EARLY_WARNING,
  versions: [VERSION],
  scales: { institution: 'grade', employer: 'grade', practitioner: 'grade', insured: 'grade' },
  levels: { grade: ['A', 'B', 'C', 'D', 'E'] },
  at_or_below_d: ['D', 'E'],
  chain_triggers: [],
  consequences: CONSEQUENCES,
  assumptions: ASSUMPTIONS,
  answers: {
    subjects: {
      article: '第四条',
      answer:
        '机构类: 定点医疗机构、定点零售药店、参保单位、其他企业 (institution, employer); 个人类: 医师药师等专业人员、参保人员 (practitioner, insured). 法定代表人等 (第四条(二)2) have no input record',
    },
    period: {
      article: '第十八条, 第十九条',
      answer:
        'no evaluation period: dynamic evaluation, each fact counts while in force (validity periods are assumptions)',
    },
    scoring: {
      article: '第十九条',
      answer:
        'base points plus or minus the points of the positive and negative facts in force; base and point table are assumptions',
    },
    cutoffs: {
      article: '第二十条',
      answer:
        'A–E; cut-offs are assumptions (default A ≥ 950, B ≥ 850, C ≥ 700, D ≥ 550, E below); 严重失信主体名单 → E at once',
    },
    exclusions: { not_covered: 'the seed names no subject left out of the evaluation' },
    publication: {
      article: '第三十八条(二)',
      answer:
        'a penalty is published from its decision date; the seed sets no period, so the validity periods of 第十九条 are assumptions (1 year, 3 years for severe facts, 1 year for positive ones)',
    },
    repair: {
      article: '第三十五条, 第三十七条, 第三十八条',
      answer:
        'a granted repair takes effect after five working days of publicity (addWorkingDays from decided_at; holidays configurable): points restored, removed from the severe list',
    },
    dynamic_adjustment: {
      article: '第十八条, 第十九条, 第二十二条',
      answer: 'each fact changes the points at once and every grade change carries its reasons and basis',
    },
    consequences: {
      article: '第二十三条, 第二十五条, 第二十八条',
      answer:
        'A and B without dishonesty: sampling at most 30% / 50%, publicity, priority services; D and E: graded supervision and the 失信惩戒措施清单',
    },
    versions: {
      article: '第四十三条',
      answer:
        'in force 2024-07-01 for two years, to 2026-06-30; after that the last version keeps applying and standings say policy_in_force: false',
    },
    chains: {
      not_covered:
        'no chain-pharmacy rule; 第二十九条 extends an organisation’s severe listing to its legal representative and controllers, but the input contract has no registry of them: only a reason says so',
    },
    documents_required: {
      article: '第二十六条',
      answer:
        'a negative fact without document_no counts toward indicators, not toward the grade (a reason and a note say so)',
    },
  },
  evaluate,
};
