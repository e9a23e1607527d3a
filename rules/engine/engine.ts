/**
 * The credit engine: per subject a ledger of decided facts and a registry profile; on every fact
 * the subject's pack re-evaluates it at once (dynamic downgrade and upgrade: 四川 第十八条, 广东
 * 第十九条, 新疆 第二十八条) and every change carries its reasons. Event time only; time-driven
 * changes (lapses, new years) fire from review timers as event time passes them. Pure: no I/O.
 */
import type {
  InstitutionEvent,
  MonitorEvent,
  PractitionerEvent,
  SubjectKind,
  SupervisionEvent,
} from '../../schemas/events.ts';
import { type BranchUpdate, ChainBook } from '../chain-book.ts';
import type { Branch, ChainStatus } from '../chains.ts';
import { divisionOfCode, packForDivision } from './jurisdiction.ts';
import type { CreditOutput, LevelChange, Standing } from './standing.ts';
import { chinaDate, chinaYear, DAY_MS, dayStart, toIso } from './time.ts';
import { TimerQueue } from './timers.ts';
import type { Evaluation, Fact, InstitutionProfile, Pack, PackId, PractitionerProfile } from './types.ts';

export type CompiledPack = { readonly pack: Pack; readonly assumptions: Readonly<Record<string, unknown>> };

type Subject = {
  readonly kind: SubjectKind;
  readonly code: string;
  division: string | null;
  packId: PackId | null;
  facts: Fact[];
  factIds: Set<string>;
  evaluation?: Evaluation;
  evaluatedAt: number;
  /** Notices already told, so a re-evaluation does not repeat them. */
  told: Set<string>;
};

const key = (kind: SubjectKind, code: string) => `${kind}:${code}`;

export class CreditEngine {
  private readonly packs: ReadonlyMap<PackId, CompiledPack>;
  private readonly subjects = new Map<string, Subject>();
  private readonly institutions = new Map<string, { profile: InstitutionProfile; occurredAt: number }>();
  private readonly practitioners = new Map<string, { profile: PractitionerProfile; occurredAt: number }>();
  private readonly children = new Map<string, Set<string>>();
  /** The last branch state told per institution, and the brand it was told for. */
  private readonly branchTold = new Map<string, { readonly ck: string; readonly branch: Branch }>();
  /** Embedded chain book, or null when branch updates go to a separate chain stage. */
  private readonly chainBook: ChainBook | null;
  private forwarded: BranchUpdate[] = [];
  private readonly timers = new TimerQueue();
  private readonly expiredTold = new Set<string>();
  private clock = Number.NEGATIVE_INFINITY;

  /**
   * `forwardBranches`: branch levels are handed out (`takeBranchUpdates`) for a chain stage keyed
   * by `chain_id` instead of being folded into chain statuses here (ARCHITECTURE.md, stages).
   */
  constructor(packs: readonly CompiledPack[], options: { readonly forwardBranches?: boolean } = {}) {
    this.packs = new Map(packs.map((p) => [p.pack.id, p]));
    this.chainBook = options.forwardBranches ? null : new ChainBook(this.packs);
  }

  /** Branch updates since the last call (only with `forwardBranches`), in the order they happened. */
  takeBranchUpdates(): BranchUpdate[] {
    const out = this.forwarded;
    this.forwarded = [];
    return out;
  }

  get now(): number {
    return this.clock;
  }

  /** Applies one validated, deduplicated record; returns the credit outputs it caused. */
  apply(event: MonitorEvent): CreditOutput[] {
    const t = Date.parse(event.occurred_at);
    const out = this.advanceTo(t);
    switch (event.type) {
      case 'institution':
        this.upsertInstitution(event, t, out);
        break;
      case 'practitioner':
        this.upsertPractitioner(event, t, out);
        break;
      case 'supervision':
        this.addSupervision(event, out);
        break;
      case 'claim_audit':
        if (event.violation && event.reduced_amount > 0) {
          this.addFact(
            'institution',
            event.fixmedins_code,
            undefined,
            this.auditFact(event.event_id, event.occurred_at, event.reduced_amount),
            event.event_id,
            out,
          );
        }
        break;
      default:
        break;
    }
    return out;
  }

  /** Moves event time forward, firing due reviews in (instant, subject) order. */
  advanceTo(t: number): CreditOutput[] {
    const out: CreditOutput[] = [];
    if (t <= this.clock) return out;
    for (let due = this.timers.popDue(t); due; due = this.timers.popDue(t)) {
      this.clock = Math.max(this.clock, due.at);
      const s = this.subjects.get(due.key);
      if (s) this.evaluate(s, due.at, undefined, out);
    }
    this.clock = t;
    return out;
  }

  /**
   * Every subject's standing at the clock. A read: it changes nothing. (It used to evaluate each
   * subject in place with its outputs thrown away, so the live monitor's periodic standings
   * snapshot swallowed what those evaluations would have told: the `policy_expired` alert,
   * notices, level changes due at the clock — issue 14, live ≠ replay.)
   */
  standings(): Standing[] {
    const list: Standing[] = [];
    for (const s of this.subjects.values()) {
      const current = s.evaluation && s.evaluatedAt === this.clock;
      list.push(this.standingOf(current ? s : { ...s, evaluation: this.assess(s, this.clock) }));
    }
    return list.sort((a, b) => (a.subject_kind + a.subject_code < b.subject_kind + b.subject_code ? -1 : 1));
  }

  chainStatuses(): ChainStatus[] {
    return this.chainBook?.statuses() ?? [];
  }

  subjectCount(): number {
    return this.subjects.size;
  }

  // ── registry ────────────────────────────────────────────────────────────────────────────

  private upsertInstitution(e: InstitutionEvent, t: number, out: CreditOutput[]): void {
    const prev = this.institutions.get(e.fixmedins_code);
    if (prev && prev.occurredAt > t) return; // the newest occurred_at wins (EVENTS.md)
    const profile: InstitutionProfile = {
      kind: e.kind,
      inpatient: e.inpatient,
      admdvs: e.admdvs,
      agreement_start: e.agreement_start,
      ...(e.level !== undefined && { level: e.level }),
      ...(e.chain_id !== undefined && { chain_id: e.chain_id }),
      ...(e.parent_code !== undefined && { parent_code: e.parent_code }),
      ...(e.agreement_end !== undefined && { agreement_end: e.agreement_end }),
      ...(e.agreement_end_reason !== undefined && { agreement_end_reason: e.agreement_end_reason }),
    };
    this.institutions.set(e.fixmedins_code, { profile, occurredAt: t });
    if (prev?.profile.parent_code) this.children.get(prev.profile.parent_code)?.delete(e.fixmedins_code);
    if (profile.kind === 'village_clinic' && profile.parent_code) {
      const set = this.children.get(profile.parent_code) ?? new Set<string>();
      this.children.set(profile.parent_code, set);
      set.add(e.fixmedins_code);
    }
    if (prev?.profile.chain_id && prev.profile.chain_id !== profile.chain_id) {
      const s = this.subjects.get(key('institution', e.fixmedins_code));
      if (s?.packId) this.tellBranch(s.packId, prev.profile.chain_id, e.fixmedins_code, null, t, out);
    }
    const s = this.subject('institution', e.fixmedins_code, e.admdvs);
    s.division = e.admdvs;
    s.packId = packForDivision(e.admdvs);
    this.evaluate(s, this.clock, e.event_id, out);
    if (profile.parent_code) this.reevaluate('institution', profile.parent_code, e.event_id, out);
  }

  private upsertPractitioner(e: PractitionerEvent, t: number, out: CreditOutput[]): void {
    const prev = this.practitioners.get(e.practitioner_code);
    if (prev && prev.occurredAt > t) return;
    this.practitioners.set(e.practitioner_code, {
      profile: { role: e.role, fixmedins_code: e.fixmedins_code, qualified_since: e.qualified_since },
      occurredAt: t,
    });
    const division =
      this.institutions.get(e.fixmedins_code)?.profile.admdvs ??
      divisionOfCode('practitioner', e.practitioner_code);
    const s = this.subject('practitioner', e.practitioner_code, division);
    this.evaluate(s, this.clock, e.event_id, out);
  }

  // ── facts ───────────────────────────────────────────────────────────────────────────────

  private addSupervision(e: SupervisionEvent, out: CreditOutput[]): void {
    const fact: Fact = {
      event_id: e.event_id,
      action: e.action,
      decided_at: e.decided_at,
      ...(e.amount !== undefined && { amount: e.amount }),
      ...(e.behavior !== undefined && { behavior: e.behavior }),
      ...(e.serious_consequence !== undefined && { serious_consequence: e.serious_consequence }),
      ...(e.document_no !== undefined && { document_no: e.document_no }),
      ...(e.ref_event_id !== undefined && { ref_event_id: e.ref_event_id }),
      ...(e.score !== undefined && { score: e.score }),
      ...(e.grade !== undefined && { grade: e.grade }),
      ...(e.period !== undefined && { period: e.period }),
    };
    this.addFact(e.subject_kind, e.subject_code, e.subject_admdvs, fact, e.event_id, out);
  }

  /** Violation audit reductions of one day are one fact (bounded ledgers; 巫山 sums them by period). */
  private auditFact(eventId: string, occurredAt: string, amount: number): Fact {
    return {
      event_id: eventId,
      action: 'audit_violation',
      decided_at: chinaDate(Date.parse(occurredAt)),
      amount,
    };
  }

  private addFact(
    kind: SubjectKind,
    code: string,
    admdvs: string | undefined,
    fact: Fact,
    eventId: string,
    out: CreditOutput[],
  ): void {
    const s = this.subject(kind, code, admdvs);
    if (s.factIds.has(fact.event_id)) return;
    if (!s.evaluation) this.evaluate(s, this.clock, undefined, []); // the baseline a first fact changes
    s.factIds.add(fact.event_id);
    const merged = fact.action === 'audit_violation' ? this.mergeAudit(s, fact) : false;
    if (!merged) s.facts.push(fact);
    this.evaluate(s, this.clock, eventId, out);
    const parent = kind === 'institution' ? this.institutions.get(code)?.profile.parent_code : undefined;
    if (parent) this.reevaluate('institution', parent, eventId, out);
  }

  private mergeAudit(s: Subject, fact: Fact): boolean {
    const last = s.facts.findLast((f) => f.action === 'audit_violation' && f.decided_at === fact.decided_at);
    if (!last) return false;
    const i = s.facts.lastIndexOf(last);
    s.facts[i] = { ...last, amount: Math.round(((last.amount ?? 0) + (fact.amount ?? 0)) * 100) / 100 };
    return true;
  }

  // ── evaluation ──────────────────────────────────────────────────────────────────────────

  private subject(kind: SubjectKind, code: string, admdvs?: string): Subject {
    const k = key(kind, code);
    let s = this.subjects.get(k);
    if (!s) {
      const division =
        (kind === 'institution' ? this.institutions.get(code)?.profile.admdvs : undefined) ??
        admdvs ??
        divisionOfCode(kind, code);
      s = {
        kind,
        code,
        division: division ?? null,
        packId: packForDivision(division),
        facts: [],
        factIds: new Set(),
        evaluatedAt: Number.NaN,
        told: new Set(),
      };
      this.subjects.set(k, s);
    }
    return s;
  }

  private reevaluate(
    kind: SubjectKind,
    code: string,
    eventId: string | undefined,
    out: CreditOutput[],
  ): void {
    const s = this.subjects.get(key(kind, code));
    if (s) this.evaluate(s, this.clock, eventId, out);
  }

  private factsFor(s: Subject, pack: Pack): readonly Fact[] {
    if (!pack.village_clinic_under_parent || s.kind !== 'institution') return s.facts;
    const kids = this.children.get(s.code);
    if (!kids || kids.size === 0) return s.facts;
    const all = [...s.facts];
    for (const child of [...kids].sort()) {
      for (const f of this.subjects.get(key('institution', child))?.facts ?? [])
        all.push({ ...f, via_subject: child });
    }
    return all;
  }

  /** The subject's evaluation at `at` under its pack (pure: the pack's `evaluate`). */
  private assess(s: Subject, at: number): Evaluation {
    const compiled = s.packId ? this.packs.get(s.packId) : undefined;
    if (!compiled)
      return {
        evaluated: false,
        excluded_reason: s.packId ? 'pack_not_loaded' : 'no_pack_for_division',
        scale: null,
        level: null,
        reasons: [],
      };
    const { pack, assumptions } = compiled;
    const inst = s.kind === 'institution' ? this.institutions.get(s.code)?.profile : undefined;
    const prac = s.kind === 'practitioner' ? this.practitioners.get(s.code)?.profile : undefined;
    return pack.evaluate(
      {
        subject: { kind: s.kind, code: s.code },
        facts: this.factsFor(s, pack),
        at,
        ...(inst && { institution: inst }),
        ...(prac && { practitioner: prac }),
      },
      assumptions,
    );
  }

  private evaluate(s: Subject, at: number, eventId: string | undefined, out: CreditOutput[]): void {
    const before = s.evaluation;
    const compiled = s.packId ? this.packs.get(s.packId) : undefined;
    const evaluation = this.assess(s, at);
    if (compiled) {
      this.tellNotices(s, compiled.pack, evaluation, at, out);
      this.tellExpiry(compiled.pack, at, out);
    }
    s.evaluation = evaluation;
    s.evaluatedAt = at;
    const futureFact = s.facts
      .map((f) => dayStart(f.decided_at))
      .filter((d) => d > at)
      .sort((a, b) => a - b)[0];
    // The day after the pack's last day in force (广东 to 2026-06-30, 第四十三条) is a review too:
    // with no later fact nothing else would evaluate the subject then, and `policy_expired` would
    // never be told although standings say policy_in_force: false (issue 17).
    const lapse = compiled ? lapseOf(compiled.pack) : undefined;
    const next = [evaluation.next_review_at, futureFact, lapse]
      .filter((x): x is number => x !== undefined && x > at)
      .sort((a, b) => a - b)[0];
    this.timers.schedule(key(s.kind, s.code), next);
    if (before && before.level !== evaluation.level)
      out.push(this.change(s, before, evaluation, at, eventId));
    if (s.kind === 'institution' && compiled) this.updateChain(s, compiled.pack, at, out);
  }

  private change(
    s: Subject,
    before: Evaluation,
    after: Evaluation,
    at: number,
    eventId: string | undefined,
  ): LevelChange {
    return {
      kind: 'level_change',
      subject_kind: s.kind,
      subject_code: s.code,
      pack: s.packId,
      division: s.division,
      at: toIso(at),
      from: before.level,
      to: after.level,
      scale: after.scale ?? before.scale,
      ...(after.score !== undefined && { score: after.score }),
      reasons:
        after.reasons.length > 0
          ? after.reasons
          : [{ rule: 'engine.not_evaluated', detail: after.excluded_reason ?? 'not evaluated' }],
      ...(eventId !== undefined && { event_id: eventId }),
      consequences: this.consequencesOf(s, after.level),
    };
  }

  private consequencesOf(s: Subject, level: string | null) {
    const compiled = s.packId ? this.packs.get(s.packId) : undefined;
    if (!compiled || level === null) return [];
    const inst = s.kind === 'institution' ? this.institutions.get(s.code)?.profile : undefined;
    return consequencesFor(compiled.pack, level, s.kind, inst);
  }

  private tellNotices(s: Subject, pack: Pack, e: Evaluation, at: number, out: CreditOutput[]): void {
    const tell = (notice: 'note' | 'warning', reason: Evaluation['reasons'][number]) => {
      const id = `${notice}|${reason.rule}|${reason.event_id ?? ''}`;
      if (s.told.has(id)) return;
      s.told.add(id);
      out.push({
        kind: 'credit_notice',
        notice,
        subject_kind: s.kind,
        subject_code: s.code,
        pack: pack.id,
        division: s.division,
        at: toIso(at),
        reason,
      });
    };
    for (const r of e.notes ?? []) tell('note', r);
    for (const r of e.warnings ?? []) tell('warning', r);
    // Told again whenever what it says changes (a new level, a new margin), once per wording.
    if (e.proximity)
      tell('warning', {
        ...e.proximity,
        rule: 'grade_boundary_proximity',
        event_id: `${e.level}|${e.proximity.detail ?? ''}`,
      });
  }

  private tellExpiry(pack: Pack, at: number, out: CreditOutput[]): void {
    if (this.expiredTold.has(pack.id) || policyInForce(pack, at)) return;
    const last = pack.versions.at(-1);
    const lapse = lapseOf(pack);
    if (!last?.in_force_to || lapse === undefined || at < lapse) return;
    this.expiredTold.add(pack.id);
    out.push({
      kind: 'policy_expired',
      pack: pack.id,
      // The instant it lapsed (the day after its last day), not when this instance noticed: the
      // same whichever subject or instance evaluates first.
      at: toIso(lapse),
      last_day: last.in_force_to,
      article: last.article,
    });
  }

  // ── chains ──────────────────────────────────────────────────────────────────────────────

  private updateChain(s: Subject, pack: Pack, at: number, out: CreditOutput[]): void {
    const chainId = this.institutions.get(s.code)?.profile.chain_id;
    if (!chainId || !s.evaluation) return;
    const now: Branch = { code: s.code, evaluated: s.evaluation.evaluated, level: s.evaluation.level };
    const told = this.branchTold.get(s.code);
    if (
      told?.ck === `${pack.id}|${chainId}` &&
      told.branch.evaluated === now.evaluated &&
      told.branch.level === now.level
    )
      return;
    this.tellBranch(pack.id, chainId, s.code, now, at, out);
  }

  private tellBranch(
    pack: PackId,
    chainId: string,
    code: string,
    branch: Branch | null,
    at: number,
    out: CreditOutput[],
  ): void {
    if (branch) this.branchTold.set(code, { ck: `${pack}|${chainId}`, branch });
    else this.branchTold.delete(code);
    const update: BranchUpdate = { pack, chain_id: chainId, code, at, branch };
    if (!this.chainBook) {
      this.forwarded.push(update);
      return;
    }
    const change = this.chainBook.apply(update);
    if (change) out.push(change);
  }

  private standingOf(s: Subject): Standing {
    const e = s.evaluation!;
    const compiled = s.packId ? this.packs.get(s.packId) : undefined;
    return {
      subject_kind: s.kind,
      subject_code: s.code,
      pack: s.packId,
      division: s.division,
      period: chinaYear(this.clock),
      evaluated: e.evaluated,
      ...(e.excluded_reason !== undefined && { excluded_reason: e.excluded_reason }),
      scale: e.scale,
      level: e.level,
      ...(e.score !== undefined && { score: e.score }),
      policy_in_force: compiled ? policyInForce(compiled.pack, this.clock) : false,
      as_of: toIso(this.clock),
      reasons: e.reasons,
      consequences: this.consequencesOf(s, e.level),
    };
  }
}

/** The instant the pack's last version lapses (China midnight after its last day), if it has an end. */
function lapseOf(pack: Pack): number | undefined {
  const to = pack.versions.at(-1)?.in_force_to;
  return to === undefined ? undefined : dayStart(to) + DAY_MS;
}

export function policyInForce(pack: Pack, at: number): boolean {
  const d = chinaDate(at);
  return pack.versions.some(
    (v) => v.in_force_from <= d && (v.in_force_to === undefined || d <= v.in_force_to),
  );
}

function subjectTags(kind: SubjectKind, inst: InstitutionProfile | undefined): string[] {
  if (kind !== 'institution' || !inst) return [kind];
  const care = inst.kind === 'pharmacy' ? 'pharmacy' : inst.inpatient ? 'inpatient' : 'outpatient_only';
  return ['institution', inst.kind, care];
}

export function consequencesFor(
  pack: Pack,
  level: string,
  kind: SubjectKind,
  inst: InstitutionProfile | undefined,
) {
  const tags = subjectTags(kind, inst);
  return pack.consequences.filter((c) => c.level === level && c.applies_to.some((a) => tags.includes(a)));
}
