/**
 * The contract between the credit engine and the policy packs. The engine keeps ledgers and
 * registry profiles and asks a pack one question, `evaluate`, whose answer is a standing with its
 * reasons. Packs are pure: data in, data out, no clock, no I/O (ARCHITECTURE.md).
 */
import type { Behavior, SubjectKind, SupervisionAction } from '../../schemas/events.ts';

export type PackId = 'sichuan' | 'chongqing-wushan' | 'guangdong' | 'jiangsu' | 'xinjiang';
export type Scale = 'grade' | 'level' | 'dishonesty' | 'list';

/** Why a standing is what it is: a rule of the pack with its article and seed, or an assumption. */
export type Reason = {
  readonly rule: string;
  readonly article?: string;
  readonly seed?: string;
  readonly assumption?: string;
  readonly detail?: string;
  readonly event_id?: string;
};

export type InstitutionProfile = {
  readonly kind: 'hospital' | 'clinic' | 'pharmacy' | 'village_clinic';
  readonly inpatient: boolean;
  readonly level?: 1 | 2 | 3;
  readonly admdvs: string;
  readonly chain_id?: string;
  readonly parent_code?: string;
  readonly agreement_start: string;
  readonly agreement_end?: string;
  readonly agreement_end_reason?: 'voluntary' | 'violation' | 'not_renewed';
};

export type PractitionerProfile = {
  readonly role: 'physician' | 'nurse' | 'pharmacist' | 'technician';
  readonly fixmedins_code: string;
  readonly qualified_since: string;
};

/** A decided fact in a subject's ledger. `audit_violation` sums a day's violation audit reductions. */
export type FactAction = SupervisionAction | 'audit_violation';

export type Fact = {
  readonly event_id: string;
  readonly action: FactAction;
  readonly decided_at: string;
  readonly amount?: number;
  readonly behavior?: Behavior;
  readonly serious_consequence?: boolean;
  readonly document_no?: string;
  readonly ref_event_id?: string;
  readonly score?: number;
  readonly grade?: string;
  readonly period?: number;
  /** Set when the fact belongs to another subject evaluated under this one (巫山 village clinics). */
  readonly via_subject?: string;
};

export type SubjectRef = { readonly kind: SubjectKind; readonly code: string };

export type EvalInput = {
  readonly subject: SubjectRef;
  readonly institution?: InstitutionProfile;
  readonly practitioner?: PractitionerProfile;
  /** Facts in arrival order, duplicates removed. */
  readonly facts: readonly Fact[];
  /** The instant evaluated (epoch ms): event time, never the wall clock. */
  readonly at: number;
};

export type Evaluation = {
  readonly evaluated: boolean;
  readonly excluded_reason?: string;
  readonly scale: Scale | null;
  readonly level: string | null;
  readonly score?: number;
  readonly reasons: readonly Reason[];
  /** Earliest instant the standing could change with no new fact (a lapse, a new year, …). */
  readonly next_review_at?: number;
  /** Things an operator must hear about that do not change the level (a repair refused, …). */
  readonly notes?: readonly Reason[];
  /** Facts classified below the pack's dishonesty thresholds: early-warning material (江苏 第三条). */
  readonly warnings?: readonly Reason[];
  /**
   * Set when one more deduction or dishonesty of the usual size lowers the level (信用风险预警 in
   * the pack's own terms); `detail` says what and to which level.
   */
  readonly proximity?: Reason;
};

export type Measure =
  | { readonly type: 'budget_adjustment'; readonly min_pct: number; readonly max_pct: number }
  | { readonly type: 'prepayment_adjustment'; readonly min_pct: number; readonly max_pct: number }
  | { readonly type: 'sampling_change'; readonly pct_points: number }
  | { readonly type: 'sampling_cap'; readonly max_pct: number }
  | { readonly type: 'audits_per_year'; readonly min: number; readonly max?: number }
  | { readonly type: 'suspension'; readonly min_months: number; readonly max_months: number }
  | { readonly type: 'termination'; readonly when: string }
  | { readonly type: 'monitoring'; readonly severity: 'key' | 'general' }
  | { readonly type: 'interview' }
  | { readonly type: 'publication'; readonly years: number }
  | { readonly type: 'other'; readonly text: string };

export type Consequence = {
  readonly level: string;
  /** Which subjects: institution kinds, 'inpatient'/'outpatient_only', 'practitioner', … */
  readonly applies_to: readonly string[];
  readonly article: string;
  readonly measures: readonly Measure[];
};

export type Assumption = {
  readonly value: unknown;
  readonly why: string;
};

export type PackVersion = {
  readonly id: string;
  readonly in_force_from: string;
  /** Last day in force, inclusive. */
  readonly in_force_to?: string;
  readonly status: string;
  readonly article: string;
};

export type ChainTrigger = {
  readonly rule: string;
  readonly article: string;
  /** Reaching the share triggers (≥), counted over evaluated branches. */
  readonly min_share_pct: number;
  /** A further branch level that must be present (第三十五条(七): at least one E). */
  readonly requires_level?: string;
  readonly measures_of_level: string;
};

/** The questions the engine asks every pack (the parity test derives its list from this type). */
export const PACK_QUESTIONS = [
  'subjects',
  'period',
  'scoring',
  'cutoffs',
  'exclusions',
  'publication',
  'repair',
  'dynamic_adjustment',
  'consequences',
  'versions',
  'chains',
  'documents_required',
] as const;
export type PackQuestion = (typeof PACK_QUESTIONS)[number];
export type PackAnswer =
  | { readonly article: string; readonly answer: string }
  | { readonly not_covered: string };

/**
 * The article a pack's early warnings and the inspection tasks they open rest on (信用风险预警,
 * 预警, 动态监测), with the seed's words. Only 四川 states the duty (第十九条, 第二十条); where a
 * seed has none, `article` is the nearest text and `assumption` says that reading it so is ours.
 */
export type EarlyWarningBasis = {
  readonly article: string;
  /** Verbatim fragments of the seed (its line breaks aside), in order. */
  readonly quote: readonly string[];
  readonly assumption?: string;
};

export type Pack = {
  readonly id: PackId;
  readonly title: string;
  readonly seed: string;
  readonly early_warning: EarlyWarningBasis;
  readonly versions: readonly PackVersion[];
  /** Subject kinds the seed covers and the scale each is judged on. */
  readonly scales: Partial<Record<SubjectKind, Scale>>;
  /** Levels of each scale the pack uses, best first. */
  readonly levels: Partial<Record<Scale, readonly string[]>>;
  /** Levels counted as "D or below" for pharmacy chains. */
  readonly at_or_below_d: readonly string[];
  readonly chain_triggers: readonly ChainTrigger[];
  /** 巫山 第四条: a village clinic's facts count toward its managing institution. */
  readonly village_clinic_under_parent?: { readonly article: string };
  readonly consequences: readonly Consequence[];
  readonly assumptions: Readonly<Record<string, Assumption>>;
  readonly answers: Readonly<Record<PackQuestion, PackAnswer>>;
  evaluate(input: EvalInput, assumptions: Readonly<Record<string, unknown>>): Evaluation;
};
