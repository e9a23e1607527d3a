/**
 * The institution stage (ARCHITECTURE.md "Keys and stages", key: prefecture, see keys.ts): dedup,
 * the institution and practitioner windows, the credit ledgers, early warnings. Hands visits to
 * the person stage and branch levels to the chain stage; takes readmissions and findings about
 * institutions back from the person stage.
 *
 * Credit records are applied in event-time order once the watermark passes them, so a level's
 * `at` is the record's own time whatever else the instance was given, and restarts and instance
 * counts cannot change it. Person findings are decided once every person instance has evaluated
 * past them, in (time, institution, person) order. Pure apart from the hand-over it is given.
 */
import type { Outcome } from '../../rules/early-warning/outcome.ts';
import type { Thresholds } from '../../rules/early-warning/thresholds.ts';
import { type CompiledPack, CreditEngine } from '../../rules/engine/engine.ts';
import type { CreditOutput } from '../../rules/engine/standing.ts';
import type { MonitorEvent } from '../../schemas/events.ts';
import { EventIdDedup } from '../dedup.ts';
import { EarlyWarningStage } from '../early-warning.ts';
import type { TopologyOutput } from '../outputs.ts';
import { stageOutputs } from './compose.ts';
import type { HandOver, StageMessage } from './messages.ts';
import { OrderedInbox } from './ordered-inbox.ts';

export type InstitutionStageOptions = {
  readonly id: string;
  readonly packs: readonly CompiledPack[];
  readonly thresholds: Thresholds;
  readonly allowedLatenessMs: number;
  readonly dedupHorizonDays: number;
  /** The person stage's instance ids: findings about institutions wait for all of them. */
  readonly personInstances: readonly string[];
  readonly handOver: HandOver;
};

export type InstitutionCounters = {
  accepted: number;
  duplicates: number;
  by_type: Record<string, number>;
  /** Credit records that arrived after their time was applied: applied at once, never dropped. */
  credit_late: number;
};

/** Records the credit engine reads (settlements and reversals only move its clock). */
function isCredit(e: MonitorEvent): boolean {
  return (
    e.type === 'institution' ||
    e.type === 'practitioner' ||
    e.type === 'supervision' ||
    (e.type === 'claim_audit' && e.violation && e.reduced_amount > 0)
  );
}

export class InstitutionStage {
  readonly warnings: EarlyWarningStage;
  readonly engine: CreditEngine;
  readonly counters: InstitutionCounters = { accepted: 0, duplicates: 0, by_type: {}, credit_late: 0 };
  /** The newest event time accepted here. */
  newest = Number.NEGATIVE_INFINITY;
  private readonly dedup: EventIdDedup;
  private readonly credit = new OrderedInbox<MonitorEvent>([]);
  private readonly findings: OrderedInbox<Outcome>;
  private creditReleased = Number.NEGATIVE_INFINITY;
  private readonly handOver: HandOver;
  /** The source partition of the record being applied (visits carry it to the person stage). */
  private partition = '';

  constructor(private readonly options: InstitutionStageOptions) {
    const handOver = (this.handOver = options.handOver);
    this.dedup = new EventIdDedup(options.dedupHorizonDays);
    this.engine = new CreditEngine(options.packs, { forwardBranches: true });
    this.warnings = new EarlyWarningStage({
      allowedLatenessMs: options.allowedLatenessMs,
      thresholds: options.thresholds,
      persons: {
        visit: (visit) =>
          handOver.send('person', visit.person, { kind: 'visit', visit, partition: this.partition }),
        reversal: (reversal) =>
          handOver.send('person', reversal.person, {
            kind: 'visit_reversal',
            reversal,
            partition: this.partition,
          }),
      },
    });
    this.findings = new OrderedInbox(options.personInstances);
  }

  receive(m: StageMessage): TopologyOutput[] {
    switch (m.kind) {
      case 'event':
        return this.event(m.event, m.partition);
      case 'time':
        this.warnings.store.observe(m.partition, m.t);
        return this.progress();
      case 'partition':
        if (m.state === 'expected') this.warnings.store.expectPartition(m.partition);
        else this.warnings.store.partitionIdle(m.partition);
        return this.progress();
      case 'readmission':
        this.warnings.store.applyReadmission(m.signal);
        return [];
      case 'outcome':
        // A finding after its time was decided (only possible after a person instance restarted
        // behind): decided at once rather than lost.
        if (
          !this.findings.push(
            m.outcome.at,
            `${m.outcome.subject_code}|${m.outcome.occurrence ?? ''}`,
            m.outcome,
          )
        )
          return stageOutputs([], this.warnings.decide([m.outcome]));
        return [];
      case 'evaluated':
        // `through` is inclusive; the inbox releases strictly before its watermark.
        this.findings.advance(m.from, m.through + 1);
        return this.progress();
      default:
        throw new Error(`institution stage: message kind "${m.kind}" is not for this stage`);
    }
  }

  /** A decoded record: dedup, windows, credit (in event-time order), then whatever is now due. */
  private event(e: MonitorEvent, partition: string): TopologyOutput[] {
    const t = Date.parse(e.occurred_at);
    if (!this.dedup.firstSeen(e.event_id, t)) {
      this.counters.duplicates++;
      return [];
    }
    this.counters.accepted++;
    this.counters.by_type[e.type] = (this.counters.by_type[e.type] ?? 0) + 1;
    if (t > this.newest) this.newest = t;
    this.partition = partition;
    this.warnings.store.fromPartition(partition);
    this.warnings.apply(e);
    // Every instance and the person stage move event time on as if they had seen this record.
    const windowed = e.type === 'settlement' || e.type === 'settlement_reversal' || e.type === 'claim_audit';
    if (e.type !== 'institution') {
      const time: StageMessage = { kind: 'time', ...(windowed && { partition }), t } as StageMessage;
      this.handOver.broadcast('institution', time);
      this.handOver.broadcast('person', time);
    }
    if (isCredit(e) && !this.credit.push(t, '', e)) {
      this.counters.credit_late++;
      return [...this.applyCredit([e]), ...this.progress()];
    }
    return this.progress();
  }

  /** Applies released credit records and fires due reviews; indicator boundaries the watermarks passed. */
  private progress(): TopologyOutput[] {
    const wm = this.warnings.store.watermark;
    const creditOut = this.applyCredit(this.credit.release(wm));
    if (Number.isFinite(wm)) creditOut.push(...this.engine.advanceTo(wm - 1));
    this.forwardBranches(wm);
    const outcomes = this.warnings.outcomesDue(false, this.findings.watermark - 1);
    outcomes.push(...this.findings.release());
    return stageOutputs(creditOut, this.warnings.decide(outcomes));
  }

  private applyCredit(events: readonly MonitorEvent[]): CreditOutput[] {
    const out: CreditOutput[] = [];
    for (const e of events) out.push(...this.engine.apply(e));
    return out;
  }

  private forwardBranches(releasedBefore: number): void {
    for (const update of this.engine.takeBranchUpdates())
      this.handOver.send('chain', `${update.pack}|${update.chain_id}`, { kind: 'branch', update });
    if (releasedBefore > this.creditReleased) {
      this.creditReleased = releasedBefore;
      this.handOver.broadcast('chain', {
        kind: 'released',
        from: this.options.id,
        through: releasedBefore - 1,
      });
    }
  }

  /** End of input, step 1: every credit record, then event time moved to `until`. */
  finishCredit(until: number): TopologyOutput[] {
    const creditOut = this.applyCredit(this.credit.release(Number.POSITIVE_INFINITY));
    if (Number.isFinite(until)) creditOut.push(...this.engine.advanceTo(until));
    this.forwardBranches(Number.POSITIVE_INFINITY);
    return stageOutputs(creditOut, []);
  }

  /** End of input, step 2 (after the person stage finished): every pending boundary and finding. */
  finishIndicators(): TopologyOutput[] {
    const outcomes = this.warnings.outcomesDue(true);
    outcomes.push(...this.findings.release(Number.POSITIVE_INFINITY));
    return stageOutputs([], this.warnings.decide(outcomes));
  }
}
