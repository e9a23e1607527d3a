/**
 * What flows between stages (ARCHITECTURE.md "Keys and stages"). Data messages go to the
 * instance owning their key; progress messages (`time`, `evaluated`, `released`) go to every
 * instance of the next stage, so each knows how far event time has come upstream. Watermarks are
 * kept per source partition end to end: every stage judges lateness exactly as one process would.
 */
import type { BranchUpdate } from '../../rules/chain-book.ts';
import type { Outcome } from '../../rules/early-warning/outcome.ts';
import type { MonitorEvent } from '../../schemas/events.ts';
import type { ReadmissionSignal, VisitRecord, VisitReversal } from '../indicators/visits.ts';

export type StageName = 'institution' | 'person' | 'chain';

export type StageMessage =
  /**
   * ingest → institution: a decoded, pseudonymised record from source partition `partition`, with
   * its `occurred_at` as epoch ms (`t`, read once at ingest; absent from older producers).
   */
  | { readonly kind: 'event'; readonly event: MonitorEvent; readonly partition: string; readonly t?: number }
  /**
   * A source partition reached event time `t` (without `partition`: a record that moves only the
   * newest event time, e.g. a supervision decision); to every instance of the next stage.
   */
  | { readonly kind: 'time'; readonly partition?: string; readonly t: number }
  /** ingest → every institution instance → every person instance: the source's assignment changed. */
  | { readonly kind: 'partition'; readonly partition: string; readonly state: 'expected' | 'idle' }
  /** institution → person (key: person). */
  | { readonly kind: 'visit'; readonly visit: VisitRecord; readonly partition: string }
  | { readonly kind: 'visit_reversal'; readonly reversal: VisitReversal; readonly partition: string }
  /** person → institution (key: institution): a readmission counted in or out. */
  | { readonly kind: 'readmission'; readonly signal: ReadmissionSignal }
  /** person → institution (key: institution): a person rule's finding about an institution. */
  | { readonly kind: 'outcome'; readonly outcome: Outcome }
  /** person → every institution instance: boundaries before `through` are evaluated. */
  | { readonly kind: 'evaluated'; readonly from: string; readonly through: number }
  /** institution → chain (key: chain). */
  | { readonly kind: 'branch'; readonly update: BranchUpdate }
  /** institution → every chain instance: credit records before `through` are applied. */
  | { readonly kind: 'released'; readonly from: string; readonly through: number }
  /**
   * End of input (a bounded run: tests, backfills): ingest → institution per source partition with
   * its newest event time; institution → person once its credit is final.
   */
  | { readonly kind: 'end'; readonly from: string; readonly t: number };

/** The exchange between stages: the in-memory queue here, Kafka topics in a deployment. */
export interface HandOver {
  /** To the instance of `stage` that owns `key`. */
  send(stage: StageName, key: string, message: StageMessage): void;
  /** To every instance of `stage`. */
  broadcast(stage: StageName, message: StageMessage): void;
}
