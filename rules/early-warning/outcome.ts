/** What one evaluation of one early-warning rule for one subject found. */
import type { RuleId } from './definitions.ts';

export type Outcome = {
  readonly rule: RuleId;
  readonly subject_kind: 'institution' | 'practitioner' | 'insured' | 'chain';
  readonly subject_code: string;
  readonly division: string | null;
  readonly pack: string | null;
  /** Event time of the evaluation (a window boundary, or the signal's own time). */
  readonly at: number;
  readonly breached: boolean;
  /** Below this the open alert resolves (hysteresis); point signals have none and never resolve by value. */
  readonly resolve_below?: number;
  readonly value: number;
  readonly threshold: number;
  readonly window: string;
  readonly indicator: string;
  readonly baseline?: number;
  readonly detail: string;
  readonly evidence: readonly string[];
  /** A distinct occurrence (e.g. a pair of overlapping stays): a new one may re-raise after the cool-down. */
  readonly occurrence?: string;
  /** Read between the hour and day boundaries: decides alerts, writes no indicator snapshot. */
  readonly quiet?: boolean;
};
