/**
 * The records the topology emits, shaped as the `replay` contract of EVENTS.md (more fields are
 * welcome there). The same records feed the ClickHouse and alert sinks.
 */

import type { CreditOutput } from '../rules/engine/standing.ts';
import type { Reason } from '../rules/engine/types.ts';
import type { SubjectKind } from '../schemas/events.ts';

export type Severity = 'key' | 'general' | 'info';

export type Alert = {
  readonly kind: 'alert';
  readonly alert_id: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly title: string;
  readonly subject_kind: SubjectKind | 'chain' | 'pack';
  readonly subject_code: string;
  readonly division: string | null;
  readonly pack: string | null;
  readonly raised_at: string;
  readonly status: 'firing' | 'resolved';
  readonly reasons: readonly Reason[];
  readonly explanation?: AlertExplanation;
  readonly evidence?: readonly string[];
};

export type AlertExplanation = {
  readonly indicator: string;
  readonly value: number;
  readonly threshold: number;
  readonly window: string;
  readonly baseline?: number;
};

export type InspectionTask = {
  readonly kind: 'inspection';
  readonly task_id: string;
  readonly subject_kind: SubjectKind;
  readonly subject_code: string;
  readonly reason_rule: string;
  readonly basis: string;
  readonly created_at: string;
  readonly division: string | null;
  readonly pack: string | null;
  readonly detail?: string;
};

export type Rejected = {
  readonly kind: 'rejected';
  readonly line?: number;
  /** The record as received, personal data redacted; only its head when it was too long. */
  readonly raw: string;
  /** Cut records: the length in bytes and SHA-256 (hex) of the whole record as received. */
  readonly raw_bytes?: number;
  readonly raw_sha256?: string;
  readonly error: string;
  readonly path: string;
  readonly origin?: string;
};

/** An indicator's value at a window boundary, for dashboards' time series (institutions, practitioners). */
export type IndicatorSnapshotOutput = {
  readonly kind: 'indicator_snapshot';
  readonly at: string;
  readonly subject_kind: string;
  readonly subject_code: string;
  readonly division: string | null;
  readonly institution_kind: string | null;
  readonly indicator: string;
  readonly window: string;
  readonly value: number;
};

export type TopologyOutput = CreditOutput | Alert | InspectionTask | Rejected | IndicatorSnapshotOutput;
