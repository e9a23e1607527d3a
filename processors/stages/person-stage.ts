/**
 * The person stage (ARCHITECTURE.md "Keys and stages", key: pseudonymised psn_no): the
 * cross-institution patterns — readmission after a short gap, overlapping stays, many
 * institutions in a day, cumulative days of supply, repeated pharmacy purchases. Findings about
 * insured persons are decided here; readmissions and findings about institutions go back keyed
 * by institution, followed by how far this instance has evaluated. Pure apart from the hand-over.
 */
import type { Thresholds } from '../../rules/early-warning/thresholds.ts';
import { EarlyWarningStage } from '../early-warning.ts';
import type { TopologyOutput } from '../outputs.ts';
import { stageOutputs } from './compose.ts';
import { ReadmissionsToInstitutions } from './forwarders.ts';
import { institutionKey } from './keys.ts';
import type { HandOver, StageMessage } from './messages.ts';

/** How finely the person stage tells how far it has evaluated (event time). */
const MARK_MS = 1_000;

export type PersonStageOptions = {
  readonly id: string;
  readonly thresholds: Thresholds;
  readonly allowedLatenessMs: number;
  readonly handOver: HandOver;
  /** The ids this instance speaks for in progress marks (its partitions; default `[id]`). */
  readonly ids?: readonly string[];
  /** Embedded mode: marks go out after every message (otherwise when the runner calls `flushMarks`). */
  readonly embedded?: boolean;
  /** A bounded distributed run ends once `end` came from every one of these. */
  readonly upstreamEnds?: readonly string[];
};

export class PersonStage {
  readonly warnings: EarlyWarningStage;
  private evaluatedThrough = Number.NEGATIVE_INFINITY;
  private evaluatedTold = Number.NEGATIVE_INFINITY;
  private readonly ended = new Set<string>();
  /** A bounded run is over here. */
  done = false;

  constructor(private readonly options: PersonStageOptions) {
    const { handOver } = options;
    this.warnings = new EarlyWarningStage({
      allowedLatenessMs: options.allowedLatenessMs,
      thresholds: options.thresholds,
      readmissions: new ReadmissionsToInstitutions(handOver),
    });
  }

  receive(m: StageMessage): TopologyOutput[] {
    const store = this.warnings.store;
    switch (m.kind) {
      case 'visit':
        store.fromPartition(m.partition);
        store.applyVisit(m.visit);
        break;
      case 'visit_reversal':
        store.fromPartition(m.partition);
        store.applyVisitReversal(m.reversal);
        break;
      case 'time':
        store.observe(m.partition, m.t);
        break;
      case 'partition':
        if (m.state === 'expected') store.expectPartition(m.partition);
        else store.partitionIdle(m.partition);
        break;
      case 'end': {
        this.ended.add(m.from);
        const need = this.options.upstreamEnds ?? [];
        if (this.done || need.some((id) => !this.ended.has(id))) return [];
        this.done = true;
        const out = this.finish();
        this.flushMarks();
        return out;
      }
      default:
        throw new Error(`person stage: message kind "${m.kind}" is not for this stage`);
    }
    return this.evaluate(false);
  }

  /** End of input: every pending boundary. */
  finish(): TopologyOutput[] {
    return this.evaluate(true);
  }

  private evaluate(all: boolean): TopologyOutput[] {
    // Every boundary up to the watermark has been evaluated, and a later one (> wm) stamps its
    // findings at or after wm: so every finding stamped before wm is out. Telling that rounded
    // down to a second sends one message per second of event time instead of one per record, and
    // holds an institution's finding back by at most a second.
    const wm = this.warnings.store.watermark - 1;
    const through = all ? Number.POSITIVE_INFINITY : wm - (((wm % MARK_MS) + MARK_MS) % MARK_MS);
    const outcomes = this.warnings.outcomesDue(all);
    const own = [];
    for (const o of outcomes) {
      if (o.subject_kind === 'institution')
        this.options.handOver.send('institution', institutionKey(o.subject_code), {
          kind: 'outcome',
          outcome: o,
        });
      else own.push(o);
    }
    if (through > this.evaluatedThrough) {
      this.evaluatedThrough = through;
      if (this.options.embedded) this.flushMarks();
    }
    return stageOutputs([], this.warnings.decide(own));
  }

  /** Tells every institution instance how far this one has evaluated (distributed: on the runner's cadence). */
  flushMarks(): void {
    if (this.evaluatedThrough <= this.evaluatedTold) return;
    this.evaluatedTold = this.evaluatedThrough;
    for (const from of this.options.ids ?? [this.options.id])
      this.options.handOver.broadcast('institution', {
        kind: 'evaluated',
        from,
        through: this.evaluatedThrough,
      });
  }
}
