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
import { pushAll } from '../arrays.ts';
import { RecordDedup } from '../dedup.ts';
import { EarlyWarningStage } from '../early-warning.ts';
import type { TopologyOutput } from '../outputs.ts';
import { stageOutputs } from './compose.ts';
import { VisitsToPersons } from './forwarders.ts';
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
  /**
   * Records further than this ahead of the watermark wait (in event-time order) until it catches
   * up: a source partition running ahead must not wrap the windows' rings (hourly: 26 buckets)
   * before the boundaries of the lagging ones are evaluated. Default `DEFAULT_ALIGN_MS`.
   */
  readonly alignMs?: number;
  /** The ids this instance speaks for in progress marks (its partitions; default `[id]`). */
  readonly ids?: readonly string[];
  /**
   * Embedded mode (the in-memory exchange): marks go out after every message, and each record's
   * arrival is told to the other institution instances (in a deployment the ingest stage does
   * that). Otherwise marks go out when the runner calls `flushMarks`.
   */
  readonly embedded?: boolean;
  /**
   * Embedded mode with other institution instances to tell of each arrival (default true). With
   * one instance the telling reached only itself: a second `progress` per record, changing nothing.
   */
  readonly embeddedPeers?: boolean;
  /** A bounded distributed run ends once `end` came from every one of these. */
  readonly sourceEnds?: readonly string[];
};

export type InstitutionCounters = {
  accepted: number;
  duplicates: number;
  by_type: Record<string, number>;
  /** Credit records that arrived after their time was applied: applied at once, never dropped. */
  credit_late: number;
  /** Records that waited for the watermark (a partition ran more than `alignMs` ahead). */
  held: number;
  /** Re-sent records (same event_id or setl_id) whose content differs: dead letters. */
  conflicts: number;
};

/**
 * How far ahead of the watermark a record may be applied. The windows hold this much on top of
 * their spans: practitioners every event of two hours (an hour + this + lateness), hourly 26
 * buckets (24 h + 2), so 15 minutes; records further ahead wait for the lagging partitions.
 */
export const DEFAULT_ALIGN_MS = 15 * 60_000;

/** The pending-mark key of progress with no partition (registry and supervision times). */
const NO_PARTITION = '\u0000';

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
  readonly counters: InstitutionCounters = {
    accepted: 0,
    duplicates: 0,
    by_type: {},
    credit_late: 0,
    held: 0,
    conflicts: 0,
  };
  /** The newest event time accepted here. */
  newest = Number.NEGATIVE_INFINITY;
  private readonly dedup: RecordDedup;
  private readonly credit = new OrderedInbox<MonitorEvent>([]);
  /** Windowed records too far ahead of the watermark (see `alignMs`). */
  private readonly ahead = new OrderedInbox<{ e: MonitorEvent; partition: string }>([]);
  /** Records of each source partition waiting in `ahead`. */
  private readonly heldOf = new Map<string, number>();
  /** Partitions declared idle whose idleness the person stage hears after their held records. */
  private readonly idleAfterHeld = new Set<string>();
  private readonly findings: OrderedInbox<Outcome>;
  private creditReleased = Number.NEGATIVE_INFINITY;
  private readonly handOver: HandOver;
  /** Visits to the person stage, tagged with the source partition of the record being applied. */
  private readonly toPersons: VisitsToPersons;
  /** Source-partition progress not yet told to the person stage. */
  private readonly pendingTime = new Map<string, number>();
  private releasedTold = Number.NEGATIVE_INFINITY;
  private readonly ended = new Map<string, number>();
  private creditFinal = false;
  /** A bounded run is over here: credit final and every finding decided. */
  done = false;

  constructor(private readonly options: InstitutionStageOptions) {
    const handOver = (this.handOver = options.handOver);
    this.dedup = new RecordDedup(options.dedupHorizonDays);
    this.engine = new CreditEngine(options.packs, { forwardBranches: true });
    this.toPersons = new VisitsToPersons(handOver);
    this.warnings = new EarlyWarningStage({
      allowedLatenessMs: options.allowedLatenessMs,
      thresholds: options.thresholds,
      persons: this.toPersons,
    });
    this.findings = new OrderedInbox(options.personInstances);
  }

  receive(m: StageMessage): TopologyOutput[] {
    switch (m.kind) {
      case 'event':
        return this.event(m.event, m.partition, m.t ?? Date.parse(m.event.occurred_at));
      case 'time':
        this.warnings.store.observe(m.partition, m.t);
        this.noteTime(m.partition, m.t);
        return this.marked(this.progress());
      case 'partition': {
        if (m.state === 'expected') {
          this.warnings.store.expectPartition(m.partition);
          this.handOver.broadcast('person', m);
          return this.marked(this.progress());
        }
        this.warnings.store.partitionIdle(m.partition);
        const out = this.progress();
        // The person stage hears of the idleness only after the visits of this partition's held
        // records: told earlier, its watermark would pass them and count them late.
        if (this.heldOf.has(m.partition)) this.idleAfterHeld.add(m.partition);
        else this.handOver.broadcast('person', m);
        return this.marked(out);
      }
      case 'end':
        return this.end(m.from, m.t);
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
        if (this.creditFinal && this.findings.watermark === Number.POSITIVE_INFINITY) {
          this.done = true;
          return this.finishIndicators();
        }
        return this.marked(this.progress());
      default:
        throw new Error(`institution stage: message kind "${m.kind}" is not for this stage`);
    }
  }

  /** A decoded record at `t` (its occurred_at): dedup, windows, credit (in event-time order), then whatever is now due. */
  private event(e: MonitorEvent, partition: string, t: number): TopologyOutput[] {
    const seen = this.dedup.check(e, t);
    if (seen.kind === 'duplicate') {
      this.counters.duplicates++;
      return [];
    }
    if (seen.kind === 'conflict') {
      this.counters.conflicts++;
      return [
        {
          kind: 'rejected',
          raw: JSON.stringify(e), // decoded: psn_no is already its token
          path: seen.key,
          error: `${seen.key}: ${JSON.stringify(seen.value)} is a conflicting duplicate: ${seen.fields.join(', ')} differ from the first record with this ${seen.key}, which is kept: expected a re-sent record to be identical`,
          ...(partition && { origin: partition }),
        },
      ];
    }
    this.counters.accepted++;
    this.counters.by_type[e.type] = (this.counters.by_type[e.type] ?? 0) + 1;
    if (t > this.newest) this.newest = t;
    const windowed = e.type === 'settlement' || e.type === 'settlement_reversal' || e.type === 'claim_audit';
    // Registry upserts wait with the windowed records they are joined with (an event-time join):
    // applied on arrival, a later upsert read early from its own partition moved an institution
    // to another peer group before its earlier settlements were counted (issue 14).
    const aligned = windowed || e.type === 'institution';
    // Every record moves its own source partition's event time, whatever its type (Flink: a
    // split's watermark follows all of its records). Only windowed records did before, so a
    // partition of the registry or supervision topic held the stage's watermark at its start
    // until declared idle, and a backlog was held whole to the end (issue 14). Before `progress`:
    // what the move releases goes to the person stage ahead of the mark that tells it.
    if (!windowed) this.warnings.store.observe(partition, t);
    if (aligned && t > this.applyLimit) {
      this.counters.held++;
      // Its arrival still counts for its partition's progress: the slowest partition always moves.
      if (this.ahead.push(t, '', { e, partition })) {
        this.warnings.store.observe(partition, t);
        this.heldOf.set(partition, (this.heldOf.get(partition) ?? 0) + 1);
      } else this.applyToWindows(e, partition, t);
    } else this.applyToWindows(e, partition, t);
    let out: TopologyOutput[];
    if (isCredit(e) && !this.credit.push(t, '', e)) {
      this.counters.credit_late++;
      out = [...this.applyCredit([e]), ...this.progress()];
    } else out = this.progress();
    // Progress marks go after the visits `progress` released, so no visit is behind its own mark.
    this.noteTime(partition, t);
    if (this.options.embedded && this.options.embeddedPeers !== false) {
      // The other instances hear of the arrival under the source partition's own name.
      const source = partition.slice(partition.indexOf('|') + 1);
      this.handOver.broadcast('institution', { kind: 'time', partition: source, t });
    }
    return this.marked(out);
  }

  private get alignMs(): number {
    return this.options.alignMs ?? DEFAULT_ALIGN_MS;
  }

  /** Embedded mode: the marks a message caused go out with it. */
  private marked(out: TopologyOutput[]): TopologyOutput[] {
    if (this.options.embedded) this.flushMarks();
    return out;
  }

  /** A held record goes in; the last one of a partition declared idle lets the idleness on. */
  private admitHeld(r: { e: MonitorEvent; partition: string }): void {
    this.warnings.store.admitted(() => this.applyToWindows(r.e, r.partition));
    const left = (this.heldOf.get(r.partition) ?? 1) - 1;
    if (left > 0) {
      this.heldOf.set(r.partition, left);
      return;
    }
    this.heldOf.delete(r.partition);
    if (this.idleAfterHeld.delete(r.partition))
      this.handOver.broadcast('person', { kind: 'partition', partition: r.partition, state: 'idle' });
  }

  /** `t`: the record's occurred_at when the caller has it (held records are read again). */
  private applyToWindows(e: MonitorEvent, partition: string, t?: number): void {
    this.toPersons.partition = partition;
    this.warnings.store.fromPartition(partition);
    this.warnings.apply(e, t);
  }

  /**
   * Windowed records up to here are applied; later ones wait, and the boundaries a released one
   * would run past are evaluated first, so no ring wraps over an unevaluated boundary.
   *
   * Boundaries are not held for the person stage; only the split-admission reads are (they count
   * readmissions the person stage finds), through the store's `readmissionGate`.
   */
  private get applyLimit(): number {
    return this.warnings.store.watermark + this.alignMs;
  }

  /** Releases aligned and credit records, fires due reviews, evaluates passed boundaries, in time order. */
  private progress(): TopologyOutput[] {
    const outcomes: Outcome[] = [];
    // Split admissions are read once every person instance has evaluated past the readmission.
    this.warnings.store.readmissionGate = this.findings.watermark;
    for (
      let next = this.ahead.peek();
      next !== undefined && next <= this.applyLimit;
      next = this.ahead.peek()
    ) {
      // The boundaries this record would run past are evaluated before it goes in.
      pushAll(outcomes, this.warnings.outcomesDue(false, next - this.alignMs));
      this.admitHeld(this.ahead.take());
    }
    const wm = this.warnings.store.watermark;
    const creditOut = this.applyCredit(this.credit.release(wm));
    if (Number.isFinite(wm)) pushAll(creditOut, this.engine.advanceTo(wm - 1));
    this.forwardBranches(wm);
    pushAll(outcomes, this.warnings.outcomesDue(false));
    pushAll(outcomes, this.findings.release());
    return stageOutputs(creditOut, this.warnings.decide(outcomes));
  }

  private applyCredit(events: readonly MonitorEvent[]): CreditOutput[] {
    const out: CreditOutput[] = [];
    for (const e of events) pushAll(out, this.engine.apply(e));
    return out;
  }

  private forwardBranches(releasedBefore: number): void {
    for (const update of this.engine.takeBranchUpdates())
      this.handOver.send('chain', `${update.pack}|${update.chain_id}`, { kind: 'branch', update });
    if (releasedBefore > this.creditReleased) this.creditReleased = releasedBefore;
  }

  private get ids(): readonly string[] {
    return this.options.ids ?? [this.options.id];
  }

  /** Progress to tell the person stage, per source partition as seen here. */
  private noteTime(partition: string | undefined, t: number): void {
    const k = partition ?? NO_PARTITION;
    if (t > (this.pendingTime.get(k) ?? Number.NEGATIVE_INFINITY)) this.pendingTime.set(k, t);
  }

  /** Tells the person and chain stages how far this instance has come. */
  flushMarks(): void {
    for (const [k, t] of this.pendingTime)
      this.handOver.broadcast('person', { kind: 'time', ...(k !== NO_PARTITION && { partition: k }), t });
    this.pendingTime.clear();
    if (this.creditReleased <= this.releasedTold) return;
    this.releasedTold = this.creditReleased;
    for (const from of this.ids)
      this.handOver.broadcast('chain', { kind: 'released', from, through: this.creditReleased - 1 });
  }

  /** Distributed end of input: once every source partition ended, credit is final everywhere. */
  private end(from: string, t: number): TopologyOutput[] {
    this.ended.set(from, t);
    const need = this.options.sourceEnds ?? [];
    if (this.creditFinal || need.some((p) => !this.ended.has(p))) return [];
    this.creditFinal = true;
    const until = Math.max(this.newest, ...this.ended.values());
    const out = this.finishCredit(until);
    this.flushMarks();
    for (const id of this.ids) this.handOver.broadcast('person', { kind: 'end', from: id, t: until });
    return out;
  }

  /** End of input, step 1: every credit record, then event time moved to `until`. */
  finishCredit(until: number): TopologyOutput[] {
    // Records still held (a partition held the watermark back to the end: a bounded run whose
    // slowest partition ended early) go in as `progress` would have let them: the boundaries
    // each one runs past are evaluated first, so no ring wraps over an unevaluated boundary.
    // Releasing them all at once lost every alert of the days they span (issue 14).
    const outcomes: Outcome[] = [];
    for (let next = this.ahead.peek(); next !== undefined; next = this.ahead.peek()) {
      for (const o of this.warnings.outcomesDue(true, next - this.alignMs)) outcomes.push(o);
      this.admitHeld(this.ahead.take());
    }
    const creditOut = this.applyCredit(this.credit.release(Number.POSITIVE_INFINITY));
    if (Number.isFinite(until)) for (const c of this.engine.advanceTo(until)) creditOut.push(c);
    this.forwardBranches(Number.POSITIVE_INFINITY);
    return stageOutputs(creditOut, this.warnings.decide(outcomes));
  }

  /** End of input, step 2 (after the person stage finished): every pending boundary and finding. */
  finishIndicators(): TopologyOutput[] {
    this.warnings.store.readmissionGate = Number.POSITIVE_INFINITY;
    const outcomes = this.warnings.outcomesDue(true);
    pushAll(outcomes, this.findings.release(Number.POSITIVE_INFINITY));
    return stageOutputs([], this.warnings.decide(outcomes));
  }
}
