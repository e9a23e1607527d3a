/**
 * 江苏 seed 003, fact by fact: which facts are dishonesty and at what level (第四条, 第五条, 第七条,
 * 第八条, 第十四条), the third general within a year (第八条(五)), and repairs (第十五条).
 */
import { addMonths, addYears } from '../../engine/time.ts';
import type { Fact, InstitutionProfile, Reason } from '../../engine/types.ts';
import { ASSUMPTIONS, READING, type Settings } from './assumptions.ts';
import {
  type Dishonesty,
  LOSS_BANDS,
  type LossBand,
  MEDICAL_BEHAVIORS,
  PHARMACY_BEHAVIORS,
  PUBLICATION,
  REPAIR_AFTER_MONTHS,
  REPEAT_GENERAL,
} from './data.ts';

/** A dishonesty fact: its level, why, any repair and the repairs refused. */
export type Judged = {
  readonly fact: Fact;
  level: Dishonesty;
  reason: Reason;
  repair?: Fact;
  readonly refusals: Reason[];
};

/** A fact's level, or the reason it has none (an unlisted behaviour, a loss below the bands). */
export type Outcome = { readonly level: Dishonesty; readonly reason: Reason } | { readonly other: Reason };

export const rule = (name: string) => `jiangsu.${name}`;
const fen = (yuan: number) => Math.round(yuan * 100);

/** 第十九条: published from decided_at for the level's period; this is the first day it no longer is. */
export const until = (j: Judged) => addYears(j.fact.decided_at, PUBLICATION[j.level].years);

function bandOf(inst: InstitutionProfile, s: Settings): [LossBand, string | undefined] {
  if (inst.kind === 'pharmacy') return [LOSS_BANDS.pharmacy, undefined];
  if (inst.level !== undefined) return [LOSS_BANDS[inst.level], undefined];
  return [LOSS_BANDS[s.unlevelledLevel], ASSUMPTIONS.unlevelled_institution_level.why];
}

/** 第四条 (medical institutions) or 第五条 (pharmacies): the item listing the behaviour, or why none does. */
function listedItem(inst: InstitutionProfile, f: Fact): string | Reason {
  const pharmacy = inst.kind === 'pharmacy';
  const list = pharmacy ? PHARMACY_BEHAVIORS : MEDICAL_BEHAVIORS;
  const item = f.behavior !== undefined ? list[f.behavior] : undefined;
  if (item) return item;
  const article = pharmacy ? '第五条' : '第四条';
  return {
    rule: rule('unlisted_behavior'),
    article,
    event_id: f.event_id,
    detail: `${f.action} for ${f.behavior ?? 'no behaviour'}: not a behaviour of ${article}, so not dishonesty under this regulation`,
  };
}

/** 第七条, 第八条(一)–(三): a penalty's level from its behaviour, loss and the hospital grade. */
function judgePenalty(f: Fact, inst: InstitutionProfile, s: Settings): Outcome {
  const item = listedItem(inst, f);
  if (typeof item !== 'string') return { other: item };
  const [band, gradeAssumed] = bandOf(inst, s);
  const loss = f.amount ?? s.missingLoss;
  const lossAssumed = f.amount === undefined ? ASSUMPTIONS.missing_loss_yuan.why : undefined;
  const assumption = [gradeAssumed, lossAssumed].filter((x) => x !== undefined).join(' ');
  const base = { event_id: f.event_id, ...(assumption && { assumption }) };
  const what = `${band.who} ${f.behavior} 基金损失 ${loss} 元`;
  const severe = (article: string, detail: string): Outcome => ({
    level: 'severe',
    reason: { rule: rule('severe'), article: `${item}, ${article}`, detail, ...base },
  });
  if (f.serious_consequence) return severe('第八条(三)', `${what}, 造成严重后果 → 严重失信`);
  if (fen(loss) > fen(band.max)) return severe(band.severe, `${what} > ${band.max} → 严重失信`);
  if (band.floor !== undefined && fen(loss) <= fen(band.floor)) {
    return {
      other: {
        rule: rule('below_threshold'),
        article: `第三条, ${band.general}`,
        event_id: f.event_id,
        assumption: [READING.below_threshold, assumption].filter((x) => x).join(' '),
        detail: `${what} ≤ ${band.floor}: below 一般失信, raised as an early warning`,
      },
    };
  }
  const detail = `${what} ≤ ${band.max} (含) → 一般失信`;
  return {
    level: 'general',
    reason: { rule: rule('general'), article: `${item}, ${band.general}`, detail, ...base },
  };
}

/** One fact's level (第七条, 第八条(一)–(四), 第十四条), why it has none, or undefined if it is no such fact. */
export function judge(f: Fact, inst: InstitutionProfile, s: Settings): Outcome | undefined {
  switch (f.action) {
    case 'penalty':
      return judgePenalty(f, inst, s);
    case 'joint_punishment_listed':
      return {
        level: 'joint',
        reason: {
          rule: rule('joint'),
          article: '第十四条',
          event_id: f.event_id,
          detail: '列入失信联合惩戒对象名单',
        },
      };
    case 'agreement_termination': {
      if (f.behavior === undefined) return undefined;
      const item = listedItem(inst, f);
      if (typeof item !== 'string') return { other: item };
      const detail = `服务协议因 ${f.behavior} 被解除 → 严重失信`;
      return {
        level: 'severe',
        reason: { rule: rule('severe'), article: `${item}, 第八条(四)`, event_id: f.event_id, detail },
      };
    }
    default:
      return undefined;
  }
}

/** 第八条(五): the third (or later) general within 12 months is severe. `judged` is in decided order. */
export function upgradeRepeats(judged: readonly Judged[]): void {
  const generals = judged.filter((j) => j.level === 'general');
  generals.forEach((j, i) => {
    const within = generals
      .slice(0, i)
      .filter((g) => addMonths(g.fact.decided_at, REPEAT_GENERAL.months) >= j.fact.decided_at);
    if (within.length < REPEAT_GENERAL.count - 1) return;
    j.level = 'severe';
    j.reason = {
      ...j.reason,
      rule: rule('severe'),
      article: `${j.reason.article}, ${REPEAT_GENERAL.article}`,
      assumption: READING.repeat_window,
      detail: `1年内第${within.length + 1}次一般失信 (after ${within.map((g) => g.fact.event_id).join(', ')}) → 严重失信`,
    };
  });
}

/** 第十五条: a repair lifts its fact once the wait has passed; before that it is refused. */
export function applyRepairs(facts: readonly Fact[], judged: readonly Judged[], notes: Reason[]): void {
  for (const r of facts) {
    if (r.action !== 'repair') continue;
    const j = judged.find((x) => x.fact.event_id === r.ref_event_id);
    if (!j) {
      notes.push({
        rule: rule('repair_unknown_ref'),
        article: '第十五条',
        event_id: r.event_id,
        detail: `repair of ${r.ref_event_id}: no dishonesty fact of this institution has that event_id`,
      });
      continue;
    }
    if (j.repair) continue;
    const months = REPAIR_AFTER_MONTHS[j.level];
    const earliest = addMonths(j.fact.decided_at, months);
    if (r.decided_at >= earliest) {
      j.repair = r;
      continue;
    }
    const refusal: Reason = {
      rule: rule('repair_refused'),
      article: '第十五条',
      event_id: r.event_id,
      assumption: READING.repair_day,
      detail: `repair of ${j.fact.event_id} (${j.level}) on ${r.decided_at} refused: 公示${months}个月以后 only, earliest ${earliest}`,
    };
    notes.push(refusal);
    j.refusals.push(refusal);
  }
}
