/**
 * 江苏 (`jiangsu`): dishonesty levels of designated institutions and pharmacies — none, 一般失信,
 * 严重失信, 失信联合惩戒对象 — from each penalty's behaviour, fund loss and hospital grade, each
 * published for its period and liftable by a repair. Seed 003.
 */
import { excluded, notCovered } from '../../engine/helpers.ts';
import { addYears, chinaDate, dayStart } from '../../engine/time.ts';
import type { EvalInput, Evaluation, Fact, InstitutionProfile, Pack, Reason } from '../../engine/types.ts';
import { ASSUMPTIONS, READING, settings } from './assumptions.ts';
import { CONSEQUENCES, IN_FORCE_FROM, LEVELS, PUBLICATION, SEED } from './data.ts';
import { EARLY_WARNING } from './early-warning.ts';
import { applyRepairs, type Judged, judge, rule, until, upgradeRepeats } from './judge.ts';

type Values = Readonly<Record<string, unknown>>;

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
  readonly notes: Reason[];
  readonly warnings: Reason[];
  /** Penalties that are not dishonesty (unlisted behaviour, below the bands), with their decided_at. */
  readonly unclassified: { readonly decided_at: string; readonly reason: Reason }[];
};

/** Every fact decided by `today` judged (judge.ts), the third-general rule and repairs applied. */
function ledger(facts: readonly Fact[], inst: InstitutionProfile, a: Values): Ledger {
  const s = settings(a);
  const l: Ledger = { judged: [], notes: [], warnings: [], unclassified: [] };
  for (const f of facts) {
    const outcome = judge(f, inst, s);
    if (!outcome) continue;
    if (f.decided_at < IN_FORCE_FROM) {
      l.notes.push({
        rule: rule('not_in_force'),
        article: '第二十一条',
        event_id: f.event_id,
        detail: `decided ${f.decided_at}, before the regulation took effect on ${IN_FORCE_FROM}: not classified`,
      });
    } else if ('other' in outcome) {
      (outcome.other.rule === rule('below_threshold') ? l.warnings : l.notes).push(outcome.other);
      l.unclassified.push({ decided_at: f.decided_at, reason: outcome.other });
    } else {
      l.judged.push({ fact: f, level: outcome.level, reason: outcome.reason, refusals: [] });
    }
  }
  upgradeRepeats(l.judged);
  applyRepairs(facts, l.judged, l.notes);
  return l;
}

/**
 * Why the standing is what it is: the facts in force (worst first) with any refused repair, then
 * facts whose status changed within the last year — repaired, lapsed, not classified — so the
 * change a lapse or a repair causes carries its reason; older history is left out.
 */
function explain(l: Ledger, inForce: readonly Judged[], today: string): Reason[] {
  const recent = (date: string) => addYears(date, 1) > today;
  const published = (j: Judged) => `公示至 ${until(j)} (${PUBLICATION[j.level].article}, 第十九条)`;
  const reasons: Reason[] = inForce.flatMap((j) => [
    { ...j.reason, detail: `${j.reason.detail}; ${published(j)}` },
    ...j.refusals,
  ]);
  for (const j of l.judged) {
    if (j.repair && recent(j.repair.decided_at)) {
      reasons.push({
        rule: rule('repaired'),
        article: '第十五条',
        event_id: j.repair.event_id,
        assumption: READING.repair_day,
        detail: `${j.fact.event_id} (${j.level}) repaired on ${j.repair.decided_at}; it would have been ${published(j)}`,
      });
    } else if (!j.repair && until(j) <= today && recent(until(j))) {
      reasons.push({
        rule: rule('lapsed'),
        article: `第十九条, ${PUBLICATION[j.level].article}`,
        event_id: j.fact.event_id,
        detail: `${j.fact.event_id} (${j.level}) decided ${j.fact.decided_at}: publication ended ${until(j)}`,
      });
    }
  }
  for (const u of l.unclassified) if (recent(u.decided_at)) reasons.push(u.reason);
  return reasons;
}

function evaluate(input: EvalInput, a: Values): Evaluation {
  if (input.subject.kind !== 'institution') return notCovered(jiangsu, input.subject.kind, '第二条');
  const inst = input.institution;
  if (!inst) {
    return excluded(
      jiangsu,
      'not_registered',
      {
        rule: rule('subjects'),
        article: '第七条',
        detail: 'no institution record: cannot tell a pharmacy from a medical institution or its grade',
      },
      'dishonesty',
    );
  }
  const today = chinaDate(input.at);
  const facts = decidedBy(input.facts, today);
  const l = ledger(facts, inst, a);
  const inForce = l.judged
    .filter((j) => !j.repair && today < until(j))
    .sort((x, y) => LEVELS.indexOf(y.level) - LEVELS.indexOf(x.level));
  const level = inForce[0]?.level ?? 'none';
  const none: Reason = {
    rule: rule('none'),
    article: '第六条',
    detail: 'no 一般失信, 严重失信 or 联合惩戒 in force',
  };
  const reasons = [...(level === 'none' ? [none] : []), ...explain(l, inForce, today)];
  const lapses = inForce.map((j) => dayStart(until(j)));
  const seeded = (rs: readonly Reason[]) => rs.map((r) => ({ seed: SEED, ...r }));
  return {
    evaluated: true,
    scale: 'dishonesty',
    level,
    reasons: seeded(reasons),
    ...(lapses.length > 0 && { next_review_at: Math.min(...lapses) }),
    ...(l.notes.length > 0 && { notes: seeded(l.notes) }),
    ...(l.warnings.length > 0 && { warnings: seeded(l.warnings) }),
  };
}

export const jiangsu: Pack = {
  id: 'jiangsu',
  title: '江苏省医疗保障定点医药机构失信行为惩戒暂行办法',
  seed: SEED,
  early_warning: EARLY_WARNING,
  versions: [
    {
      id: '江苏省医疗保障定点医药机构失信行为惩戒暂行办法',
      in_force_from: IN_FORCE_FROM,
      status: '暂行',
      article: '第二十一条',
    },
  ],
  scales: { institution: 'dishonesty' },
  levels: { dishonesty: LEVELS },
  at_or_below_d: [],
  chain_triggers: [],
  consequences: CONSEQUENCES,
  assumptions: ASSUMPTIONS,
  answers: {
    subjects: {
      article: '第二条, 第十八条',
      answer: '定点医药机构: medical institutions and retail pharmacies with a service agreement; no persons',
    },
    period: {
      not_covered: 'no evaluation period: each dishonesty fact stands for its publication period (第十九条)',
    },
    scoring: { not_covered: 'no points: the level follows from behaviour, fund loss and hospital grade' },
    cutoffs: {
      article: '第七条, 第八条',
      answer:
        'general: 一级 ≤ 10万, 二级 10万–50万, 三级 50万–100万, pharmacy ≤ 1万 (含); severe above; also 严重后果, 协议解除, 1年内3次一般失信',
    },
    exclusions: {
      not_covered:
        'no institution is excluded; a 二级/三级 loss under 第七条 is not classified (第三条, an interpretation)',
    },
    publication: {
      article: '第十二条(一), 第十三条(一), 第十四条(二), 第十九条',
      answer: 'general 1 year, severe and joint 3 years, from the day of 认定 (decided_at)',
    },
    repair: {
      article: '第十五条',
      answer:
        'after 3 months of publication (general) or 6 months (severe, joint); the repair ends the publication',
    },
    dynamic_adjustment: {
      article: '第八条(五), 第九条',
      answer: 'each decided fact is classified at once; the third general within 12 months is severe',
    },
    consequences: {
      article: '第十二条, 第十三条, 第十四条',
      answer:
        'publication, interview, general or key monitoring, settlement deduction, termination, 3-year ban',
    },
    versions: { article: '第二十一条', answer: '暂行, in force from 2020-03-01' },
    chains: { not_covered: 'the seed has no chain-pharmacy rule' },
    documents_required: {
      article: '第九条',
      answer:
        '认定 follows a 行政处罚决定书 or 协议处理决定书; a penalty fact is taken as that decision, its document_no is not checked',
    },
  },
  evaluate,
};
