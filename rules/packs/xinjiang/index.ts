/**
 * 新疆 (`xinjiang`): red, grey and black lists of institutions, practitioners, employers and insured
 * persons — 一般失信 (灰名单) and 严重失信 (黑名单) from penalties, 守信 (红名单) from honours and
 * verified reports — each published for its period; general facts can be repaired once. Seed 004.
 */
import { addMonths, addYears, chinaDate, dayStart } from '../../engine/time.ts';
import type { EvalInput, Evaluation, Fact, Pack, Reason } from '../../engine/types.ts';
import { ASSUMPTIONS, type Settings, settings } from './assumptions.ts';
import { CONSEQUENCES, LEVELS, PUBLICATION, RED_FACTS, SEED } from './data.ts';
import { EARLY_WARNING } from './early-warning.ts';
import { applyRepairs, type Judged, judge, rule, until, upgradeSameYear } from './judge.ts';

type Values = Readonly<Record<string, unknown>>;
type RedFact = Fact & { readonly action: keyof typeof RED_FACTS };

const isRed = (f: Fact): f is RedFact => f.action === 'honor' || f.action === 'verified_report';

/** Facts decided by `today`, in decided order (arrival order within a day). */
function decidedBy(facts: readonly Fact[], today: string): Fact[] {
  return facts
    .filter((f) => f.decided_at <= today)
    .map((f, i) => ({ f, i }))
    .sort((x, y) =>
      x.f.decided_at === y.f.decided_at ? x.i - y.i : x.f.decided_at < y.f.decided_at ? -1 : 1,
    )
    .map((x) => x.f);
}

type Ledger = {
  readonly judged: Judged[];
  readonly reds: RedFact[];
  readonly notes: Reason[];
  /** Penalties that are not dishonesty (a behaviour not listed for the kind), with their decided_at. */
  readonly unclassified: { readonly decided_at: string; readonly reason: Reason }[];
};

/** Every fact decided by `today` judged (judge.ts), 第十二条(三) and repairs applied; appeals ignored (第二十三条). */
function ledger(facts: readonly Fact[], kind: EvalInput['subject']['kind'], s: Settings): Ledger {
  const l: Ledger = { judged: [], reds: [], notes: [], unclassified: [] };
  for (const f of facts) {
    if (f.action !== 'penalty' && !isRed(f)) continue;
    if (f.decided_at < s.inForceFrom) {
      l.notes.push({
        rule: rule('not_in_force'),
        article: '第三十八条',
        event_id: f.event_id,
        assumption: ASSUMPTIONS.in_force_from.why,
        detail: `decided ${f.decided_at}, before the regulation took effect on ${s.inForceFrom}: not classified`,
      });
      continue;
    }
    if (isRed(f)) {
      l.reds.push(f);
      continue;
    }
    const outcome = judge(f, kind, s);
    if ('other' in outcome) {
      l.notes.push(outcome.other);
      l.unclassified.push({ decided_at: f.decided_at, reason: outcome.other });
    } else {
      l.judged.push({ fact: f, level: outcome.level, reason: outcome.reason, refusals: [] });
    }
  }
  upgradeSameYear(l.judged);
  applyRepairs(facts, l.judged, l.notes);
  return l;
}

/**
 * Why the standing is what it is: the facts in force (worst first) with any refused repair, the
 * red facts in force (blocked while dishonesty is in force), then facts whose status changed
 * within the last year — repaired, lapsed, not classified — so the change a lapse or a repair
 * causes carries its reason; older history is left out.
 */
function explain(
  l: Ledger,
  listed: readonly Judged[],
  redUntil: (f: RedFact) => string,
  today: string,
): Reason[] {
  const recent = (date: string) => addYears(date, 1) > today;
  const published = (j: Judged) => `公示至 ${until(j)} (${PUBLICATION[j.level].article})`;
  const reasons: Reason[] = listed.flatMap((j) => [
    { ...j.reason, detail: `${j.reason.detail}; ${published(j)}` },
    ...j.refusals,
  ]);
  const redYears = ASSUMPTIONS.red_list_years.why;
  for (const f of l.reds) {
    const end = redUntil(f);
    const base = { article: RED_FACTS[f.action], event_id: f.event_id, assumption: redYears };
    const red = `${f.action} decided ${f.decided_at}, 红名单 until ${end}`;
    if (today < end && listed.length > 0) {
      reasons.push({ rule: rule('red_blocked'), ...base, detail: `${red}, but dishonesty is in force` });
    } else if (today < end) {
      reasons.push({ rule: rule('red'), ...base, detail: red });
    } else if (recent(end)) {
      reasons.push({ rule: rule('red_lapsed'), ...base, detail: `${red}: ended` });
    }
  }
  for (const j of l.judged) {
    if (j.repair && recent(j.repair.decided_at)) {
      reasons.push({
        rule: rule('repaired'),
        article: '第三十一条, 第三十三条',
        event_id: j.repair.event_id,
        detail: `${j.fact.event_id} (${j.level}) repaired on ${j.repair.decided_at}; it would have been ${published(j)}`,
      });
    } else if (!j.repair && until(j) <= today && recent(until(j))) {
      reasons.push({
        rule: rule('lapsed'),
        article: PUBLICATION[j.level].article,
        event_id: j.fact.event_id,
        detail: `${j.fact.event_id} (${j.level}) decided ${j.fact.decided_at}: publication ended ${until(j)}`,
      });
    }
  }
  for (const u of l.unclassified) if (recent(u.decided_at)) reasons.push(u.reason);
  return reasons;
}

function evaluate(input: EvalInput, a: Values): Evaluation {
  const s = settings(a);
  const today = chinaDate(input.at);
  const l = ledger(decidedBy(input.facts, today), input.subject.kind, s);
  const redUntil = (f: RedFact) => addMonths(f.decided_at, s.redMonths);
  const listed = l.judged
    .filter((j) => !j.repair && today < until(j))
    .sort((x, y) => LEVELS.indexOf(y.level) - LEVELS.indexOf(x.level));
  const reds = l.reds.filter((f) => today < redUntil(f));
  const level = listed[0]?.level ?? (reds.length > 0 ? 'red' : 'none');
  const none: Reason = {
    rule: rule('none'),
    article: '第十六条',
    detail: 'on no list: no 守信 or 失信 fact in force',
  };
  const reasons = [...(level === 'none' ? [none] : []), ...explain(l, listed, redUntil, today)];
  const lapses = [...listed.map((j) => dayStart(until(j))), ...reds.map((f) => dayStart(redUntil(f)))];
  const seeded = (rs: readonly Reason[]) => rs.map((r) => ({ seed: SEED, ...r }));
  return {
    evaluated: true,
    scale: 'list',
    level,
    reasons: seeded(reasons),
    ...(lapses.length > 0 && { next_review_at: Math.min(...lapses) }),
    ...(l.notes.length > 0 && { notes: seeded(l.notes) }),
  };
}

export const xinjiang: Pack = {
  id: 'xinjiang',
  title: '自治区医疗保障基金监管信用管理办法（试行）（征求意见稿）',
  seed: SEED,
  early_warning: EARLY_WARNING,
  versions: [
    {
      id: '自治区医疗保障基金监管信用管理办法（试行）（征求意见稿）',
      in_force_from: ASSUMPTIONS.in_force_from.value,
      status: '征求意见稿',
      article: '第三十八条',
    },
  ],
  scales: { institution: 'list', practitioner: 'list', employer: 'list', insured: 'list' },
  levels: { list: LEVELS },
  at_or_below_d: [],
  chain_triggers: [],
  consequences: CONSEQUENCES,
  assumptions: ASSUMPTIONS,
  answers: {
    subjects: {
      article: '第五条',
      answer: '定点医药机构 and 医保医（药）师, 参保单位 (employers), 参保人员 (insured persons)',
    },
    period: {
      not_covered:
        'no fixed evaluation period: lists follow the facts in force (第二十八条 动态调整, 第十九条)',
    },
    scoring: {
      not_covered: 'no points: the list follows from the behaviour, the amount and the consequence',
    },
    cutoffs: {
      article: '第十一条, 第十二条',
      answer:
        'grey: a 第十一条 behaviour; black: a 第十二条 fraud with 数额较大 (assumption large_amount_yuan) or 严重后果, or 2 generals in one natural year',
    },
    exclusions: { not_covered: 'the seed excludes no subject' },
    publication: {
      article: '第十九条, 第二十三条',
      answer: 'general 1 year, severe 3 years, from the penalty decision; an appeal does not pause it',
    },
    repair: {
      article: '第三十一条, 第三十三条',
      answer:
        'general only, after more than 3 months, no similar dishonesty meanwhile; once repaired, never again',
    },
    dynamic_adjustment: {
      article: '第十五条, 第二十八条',
      answer: 'each penalty counts from its decision; lists are adjusted as facts arrive and lapse',
    },
    consequences: {
      article: '第二十四条, 第二十五条, 第二十六条, 第二十七条',
      answer:
        'red: priority service, fewer inspections; grey: interview, key inspection; black: budget, settlement, 不合格',
    },
    versions: {
      article: '第三十八条',
      answer: 'draft; in force from publication, a configured date (assumption in_force_from)',
    },
    chains: { not_covered: 'the seed has no chain-pharmacy rule' },
    documents_required: {
      article: '第十五条',
      answer:
        'dishonesty follows a 行政处罚 decision; a penalty fact is taken as that decision, its document_no is not checked',
    },
  },
  evaluate,
};
