/** The records the engine hands out: standings, level changes, and the other credit outputs. */
import type { SubjectKind } from '../../schemas/events.ts';
import type { ChainStatus } from '../chains.ts';
import type { Consequence, Reason, Scale } from './types.ts';

export type Standing = {
  readonly subject_kind: SubjectKind;
  readonly subject_code: string;
  readonly pack: string | null;
  readonly division: string | null;
  readonly period: number;
  readonly evaluated: boolean;
  readonly excluded_reason?: string;
  readonly scale: Scale | null;
  readonly level: string | null;
  readonly score?: number;
  readonly policy_in_force: boolean;
  readonly as_of: string;
  readonly reasons: readonly Reason[];
  readonly consequences: readonly Consequence[];
};

export type LevelChange = {
  readonly kind: 'level_change';
  readonly subject_kind: SubjectKind;
  readonly subject_code: string;
  readonly pack: string | null;
  readonly division: string | null;
  readonly at: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly scale: Scale | null;
  readonly score?: number;
  readonly reasons: readonly Reason[];
  /** The record that caused it; absent when time alone did (a lapse, a new year). */
  readonly event_id?: string;
  /** The pack's measures for the new level (inspection tasks are planned from them). */
  readonly consequences: readonly Consequence[];
};

export type ChainChange = {
  readonly kind: 'chain_change';
  readonly at: string;
  readonly status: ChainStatus;
  readonly previous: readonly string[];
};
export type PolicyExpired = {
  readonly kind: 'policy_expired';
  readonly pack: string;
  readonly at: string;
  readonly last_day: string;
  readonly article: string;
};
/** A note or early warning from a pack about one subject (a refused repair, a below-threshold case). */
export type CreditNotice = {
  readonly kind: 'credit_notice';
  readonly notice: 'note' | 'warning';
  readonly subject_kind: SubjectKind;
  readonly subject_code: string;
  readonly pack: string;
  readonly division: string | null;
  readonly at: string;
  readonly reason: Reason;
};

export type CreditOutput = LevelChange | ChainChange | PolicyExpired | CreditNotice;
