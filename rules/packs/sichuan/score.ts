/**
 * Deductions of 第十七条 and 第十八条 from the start score: per fact from a deduction table, and for
 * institutions the year's violation money (基金损失: recoveries and violation audit reductions).
 * The tables are assumptions (assumptions.ts); the articles say what the seed does say.
 */
import { sumYuan } from '../../engine/helpers.ts';
import { yearOfDate } from '../../engine/time.ts';
import type { Fact, Reason } from '../../engine/types.ts';
import {
  ASSUMPTIONS,
  type DeductionTable,
  INSTITUTION_DEDUCTIONS,
  PERSON_DEDUCTIONS,
  type Settings,
} from './assumptions.ts';

export type Deductions = { readonly points: number; readonly reasons: readonly Reason[] };

/** 第十八条 names 骗取 and 基金损失; the other deductions rest on 第十七条's scoring alone. */
const ARTICLE: Partial<Record<Fact['action'], string>> = {
  fraud: '第十八条',
  penalty: '第十八条',
  recovery: '第十八条',
  agreement_suspension: '第十七条',
  agreement_termination: '第十七条',
  interview: '第十七条',
  late_payment: '第十七条',
};

function perFact(facts: readonly Fact[], table: DeductionTable, s: Settings): Deductions {
  const reasons: Reason[] = [];
  let points = 0;
  for (const f of facts) {
    const severe =
      f.action === 'penalty' &&
      (f.serious_consequence === true || (f.behavior !== undefined && s.fraudBehaviors.has(f.behavior)));
    const name = table[severe ? 'penalty_severe' : f.action];
    if (!name) continue;
    const p = s.points[name];
    points += p;
    reasons.push({
      rule: `sichuan.deduct.${f.action}`,
      article: ARTICLE[f.action] ?? '第十七条',
      assumption: ASSUMPTIONS[name].why,
      event_id: f.event_id,
      detail: `${f.action} of ${f.decided_at}${severe ? ' (severe)' : ''}: −${p}`,
    });
  }
  return { points, reasons };
}

/** Per natural year: every started unit of violation money deducts, up to the yearly cap. */
function violationMoney(facts: readonly Fact[], s: Settings): Deductions {
  const byYear = new Map<number, Fact[]>();
  for (const f of facts) {
    if (f.action !== 'recovery' && f.action !== 'audit_violation') continue;
    const y = yearOfDate(f.decided_at);
    byYear.set(y, [...(byYear.get(y) ?? []), f]);
  }
  const reasons: Reason[] = [];
  let points = 0;
  for (const [year, list] of [...byYear].sort((x, y) => x[0] - y[0])) {
    const money = sumYuan(list);
    if (money <= 0) continue;
    const p = Math.min(s.money.cap, Math.ceil(money / s.money.unit) * s.money.perUnit);
    points += p;
    reasons.push({
      rule: 'sichuan.deduct.violation_money',
      article: '第十八条',
      assumption: `${ASSUMPTIONS.institution_money_unit_yuan.why}; ${s.money.perUnit} points per ${s.money.unit} yuan started, at most ${s.money.cap} a year`,
      detail: `${year}: 违规金额 ${money} 元 → −${p}`,
    });
  }
  return { points, reasons };
}

export function institutionDeductions(facts: readonly Fact[], s: Settings): Deductions {
  const a = perFact(facts, INSTITUTION_DEDUCTIONS, s);
  const b = violationMoney(facts, s);
  return { points: a.points + b.points, reasons: [...a.reasons, ...b.reasons] };
}

export function personDeductions(facts: readonly Fact[], s: Settings): Deductions {
  return perFact(facts, PERSON_DEDUCTIONS, s);
}
