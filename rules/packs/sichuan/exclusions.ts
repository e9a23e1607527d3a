/**
 * 第十六条: who does not take part in the year's evaluation, as of the evaluated instant. Each case
 * has its own excluded_reason and sub-item; `review` is the next instant a case can start or end
 * with no new fact (a six-month or one-year mark).
 */
import { earliest } from '../../engine/helpers.ts';
import { addDays, addMonths, addYears, dayStart } from '../../engine/time.ts';
import type { EvalInput, Fact, FactAction } from '../../engine/types.ts';
import { INSTITUTION_EXCLUSIONS, OVER_YEARS, STAFF_EXCLUSIONS, UNDER_MONTHS } from './data.ts';

export type Exclusion = { readonly reason: string; readonly article: string; readonly detail: string };
export type ExclusionCheck = { readonly exclusion?: Exclusion; readonly review?: number };

/** The fact that opened a still-open opened … closed pair (facts in decision order), if any. */
export function openedBy(facts: readonly Fact[], opened: FactAction, closed: FactAction): Fact | undefined {
  let open: Fact | undefined;
  for (const f of facts) {
    if (f.action === opened) open = open ?? f;
    else if (f.action === closed) open = undefined;
  }
  return open;
}

type Table = Readonly<Record<string, { readonly article: string; readonly text: string }>>;

class Checks {
  readonly found: Exclusion[] = [];
  review: number | undefined;
  constructor(private readonly table: Table) {}

  add(reason: string, detail: string): void {
    const row = this.table[reason];
    if (row) this.found.push({ reason, article: row.article, detail: `${row.text}: ${detail}` });
  }

  /** Excluded while `today` is before `until` (不满 N个月): reviewed on that day. */
  before(reason: string, today: string, until: string, detail: string): void {
    if (today < until) {
      this.add(reason, detail);
      this.review = earliest(this.review, dayStart(until));
    }
  }

  /** Excluded once `today` is past `limit` (超过一年): reviewed the day after it. */
  after(reason: string, today: string, limit: string, detail: string): void {
    if (today > limit) this.add(reason, detail);
    else this.review = earliest(this.review, dayStart(addDays(limit, 1)));
  }

  licence(facts: readonly Fact[], today: string): void {
    const s = openedBy(facts, 'license_suspended', 'license_restored');
    if (s)
      this.after(
        'license_suspended_over_1_year',
        today,
        addYears(s.decided_at, OVER_YEARS),
        `since ${s.decided_at}`,
      );
  }

  investigation(facts: readonly Fact[]): void {
    const f = openedBy(facts, 'investigation_opened', 'investigation_closed');
    if (f) this.add('fraud_investigation_open', `立案 ${f.decided_at}, not closed`);
  }

  result(): ExclusionCheck {
    const exclusion = this.found[0];
    return { ...(exclusion && { exclusion }), ...(this.review !== undefined && { review: this.review }) };
  }
}

/** 第十六条(一) for 定点医药机构, in the seed's order; the first case found is reported. */
export function institutionExclusion(
  input: EvalInput,
  facts: readonly Fact[],
  today: string,
): ExclusionCheck {
  const c = new Checks(INSTITUTION_EXCLUSIONS);
  const inst = input.institution;
  if (inst) {
    const six = addMonths(inst.agreement_start, UNDER_MONTHS);
    c.before(
      'agreement_under_6_months',
      today,
      six,
      `agreement from ${inst.agreement_start}, 6 months on ${six}`,
    );
    if (inst.agreement_end) {
      const limit = addYears(inst.agreement_end, OVER_YEARS);
      c.after('agreement_ended_over_1_year', today, limit, `agreement ended ${inst.agreement_end}`);
    }
  }
  c.licence(facts, today);
  c.investigation(facts);
  const appeal = openedBy(facts, 'appeal_opened', 'appeal_closed');
  if (appeal) c.add('appeal_open', `申请 ${appeal.decided_at}, not closed`);
  return c.result();
}

/** 第十六条(二) for 相关人员 (practitioners). */
export function staffExclusion(input: EvalInput, facts: readonly Fact[], today: string): ExclusionCheck {
  const c = new Checks(STAFF_EXCLUSIONS);
  const prac = input.practitioner;
  if (prac) {
    const six = addMonths(prac.qualified_since, UNDER_MONTHS);
    c.before('qualified_under_6_months', today, six, `qualified ${prac.qualified_since}, 6 months on ${six}`);
  }
  c.licence(facts, today);
  c.investigation(facts);
  return c.result();
}
