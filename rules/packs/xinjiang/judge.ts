/**
 * 新疆 seed 004, fact by fact: which penalties are 一般失信 (第十一条) or 严重失信 (第十二条), two
 * generals in a natural year (第十二条(三)), and repairs (第三十一条, 第三十三条).
 */
import type { SubjectKind } from '../../../schemas/events.ts';
import { addDays, addMonths, addYears } from '../../engine/time.ts';
import type { Fact, Reason } from '../../engine/types.ts';
import { ASSUMPTIONS, READING, type Settings } from './assumptions.ts';
import {
  FRAUD_BEHAVIORS,
  GENERAL_BEHAVIORS,
  GENERALS_IN_A_YEAR,
  type Listed,
  PUBLICATION,
  REPAIR_AFTER_MONTHS,
} from './data.ts';

/** A dishonesty fact: its list, why, any repair and the repairs refused. */
export type Judged = {
  readonly fact: Fact;
  level: Listed;
  reason: Reason;
  repair?: Fact;
  readonly refusals: Reason[];
};

/** A penalty's list, or the reason it has none (a behaviour not listed for the subject's kind). */
export type Outcome = { readonly level: Listed; readonly reason: Reason } | { readonly other: Reason };

export const rule = (name: string) => `xinjiang.${name}`;
const fen = (yuan: number) => Math.round(yuan * 100);

/** 第十九条: published from decided_at for the list's period; this is the first day it no longer is. */
export const until = (j: Judged) => addYears(j.fact.decided_at, PUBLICATION[j.level].years);

/** 第十一条, 第十二条(一)(二): one penalty's list, or why it has none. */
export function judge(f: Fact, kind: SubjectKind, s: Settings): Outcome {
  const behavior = f.behavior;
  const fraud = behavior && FRAUD_BEHAVIORS[kind][behavior];
  const base = { event_id: f.event_id };
  if (fraud) {
    const amount = f.amount ?? 0;
    const fraudText = `${behavior} 骗取基金 ${f.amount === undefined ? '(no amount)' : `${amount} 元`}`;
    const large = ASSUMPTIONS.large_amount_yuan.why;
    if (f.serious_consequence) {
      const detail = `${behavior}, 造成严重后果、重大影响 → 严重失信`;
      return { level: 'black', reason: { rule: rule('black'), article: fraud, detail, ...base } };
    }
    if (fen(amount) >= fen(s.largeAmount)) {
      const detail = `${fraudText} ≥ ${s.largeAmount} (数额较大) → 严重失信`;
      return {
        level: 'black',
        reason: { rule: rule('black'), article: fraud, assumption: large, detail, ...base },
      };
    }
    const detail = `${fraudText} < ${s.largeAmount}, no 严重后果 → 一般失信`;
    const assumption = `${READING.fraud_below_large} ${large}`;
    return {
      level: 'grey',
      reason: { rule: rule('grey'), article: `${fraud}, 第十一条`, assumption, detail, ...base },
    };
  }
  const general = behavior && GENERAL_BEHAVIORS[kind][behavior];
  if (general) {
    return {
      level: 'grey',
      reason: { rule: rule('grey'), article: general, detail: `${behavior} → 一般失信`, ...base },
    };
  }
  return {
    other: {
      rule: rule('unlisted_behavior'),
      article: '第十一条, 第十二条',
      detail: `penalty for ${behavior ?? 'no behaviour'}: not a behaviour those articles list for a subject of kind ${kind}`,
      ...base,
    },
  };
}

/** 第十二条(三): from the second general of a natural year on, each is 严重失信. */
export function upgradeSameYear(judged: readonly Judged[]): void {
  const generals = judged.filter((j) => j.level === 'grey');
  generals.forEach((j, i) => {
    const year = j.fact.decided_at.slice(0, 4);
    const before = generals.slice(0, i).filter((g) => g.fact.decided_at.slice(0, 4) === year);
    if (before.length < GENERALS_IN_A_YEAR.count - 1) return;
    j.level = 'black';
    j.reason = {
      ...j.reason,
      rule: rule('black'),
      article: `${j.reason.article}, ${GENERALS_IN_A_YEAR.article}`,
      detail: `${year}年内第${before.length + 1}次一般失信 (after ${before.map((g) => g.fact.event_id).join(', ')}) → 严重失信`,
    };
  });
}

/** Why 第三十一条 or 第三十三条 refuse repair `r` of `j`, if they do. */
function refusal(
  r: Fact,
  j: Judged,
  judged: readonly Judged[],
  granted: readonly Fact[],
): Reason | undefined {
  const refuse = (article: string, why: string, assumption?: string): Reason => ({
    rule: rule('repair_refused'),
    article,
    event_id: r.event_id,
    detail: `repair of ${j.fact.event_id} on ${r.decided_at} refused: ${why}`,
    ...(assumption && { assumption }),
  });
  if (j.level === 'black') return refuse('第三十一条', '严重失信 cannot be repaired, only 一般失信信息');
  const lapse = until(j);
  if (r.decided_at >= lapse) return refuse('第三十一条', `its publication already ended on ${lapse}`);
  const earliest = addDays(addMonths(j.fact.decided_at, REPAIR_AFTER_MONTHS), 1);
  if (r.decided_at < earliest) {
    return refuse('第三十一条(3)', `公示期超过${REPAIR_AFTER_MONTHS}个月 only, earliest ${earliest}`);
  }
  const similar = judged.find(
    (x) =>
      x !== j &&
      x.fact.behavior === j.fact.behavior &&
      x.fact.decided_at >= j.fact.decided_at &&
      x.fact.decided_at <= r.decided_at,
  );
  if (similar) {
    const why = `同类失信行为 ${similar.fact.event_id} (${similar.fact.behavior}) decided ${similar.fact.decided_at}`;
    return refuse('第三十一条(2)', why, READING.repair_similar);
  }
  const prior = granted.find((g) => g.decided_at < j.fact.decided_at);
  if (prior) {
    const why = `the subject was repaired on ${prior.decided_at} (${prior.event_id}); 取消再次修复资格`;
    return refuse('第三十三条', why);
  }
  return undefined;
}

/** 第三十一条, 第三十三条: repairs in decided order; a refused one is told and changes nothing. */
export function applyRepairs(facts: readonly Fact[], judged: readonly Judged[], notes: Reason[]): void {
  const granted: Fact[] = [];
  for (const r of facts) {
    if (r.action !== 'repair') continue;
    const j = judged.find((x) => x.fact.event_id === r.ref_event_id);
    if (!j) {
      notes.push({
        rule: rule('repair_unknown_ref'),
        article: '第三十一条',
        event_id: r.event_id,
        detail: `repair of ${r.ref_event_id}: no dishonesty fact of this subject has that event_id`,
      });
      continue;
    }
    if (j.repair) continue;
    const refused = refusal(r, j, judged, granted);
    if (refused) {
      notes.push(refused);
      j.refusals.push(refused);
      continue;
    }
    j.repair = r;
    granted.push(r);
  }
}
