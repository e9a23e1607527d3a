/**
 * The one topology: decode → institution stage (dedup, windows, credit, early warnings) ⇄ person
 * stage (cross-institution patterns) → chain stage (brand thresholds) → outputs. `replay`, the
 * embedded monitor and the Kafka runtime all run these stages (STYLE.md §7: the stage graph reads
 * in one place). Here the stages exchange messages in memory, each stage spread over
 * `instances` by key exactly as Kafka partitions would spread it; the outputs do not depend on
 * how many instances there are. Pure apart from the caller's sinks: same records in the same
 * order → same outputs.
 */

import type { ChainStatus } from '../rules/chains.ts';
import { compileThresholds, type Thresholds } from '../rules/early-warning/thresholds.ts';
import type { CompiledPack } from '../rules/engine/engine.ts';
import type { Standing } from '../rules/engine/standing.ts';
import { toIso } from '../rules/engine/time.ts';
import type { TopologyOutput } from './outputs.ts';
import type { EventTimeBounds } from './stages/event-time-bounds.ts';
import { InMemoryHandOver, type Instances } from './stages/in-memory.ts';
import {
  createStageInstance,
  type StageInstance,
  type StageInstanceOptions,
  type StageKind,
} from './stages/instance.ts';
import type { StageName } from './stages/messages.ts';
import { encodeStage, restoreStage } from './stages/snapshot.ts';

export type TopologyOptions = {
  readonly pseudonymKey: string;
  readonly packs: readonly CompiledPack[];
  /** Event ids are remembered this many days of event time (duplicates later than that are applied). */
  readonly dedupHorizonDays?: number;
  /** Records after this instant are not applied (`replay --as-of`). */
  readonly asOf?: number;
  /** Indicator records later than this behind the newest event time are counted, not applied. */
  readonly allowedLatenessMs?: number;
  readonly thresholds?: Thresholds;
  /** Instances of each stage the keys are spread over (default one each). */
  readonly instances?: Partial<Instances>;
  /** Which event times ingest refuses (default: bounded input, DEFAULT_EVENT_TIME_BOUNDS). */
  readonly eventTime?: EventTimeBounds;
  /** Stage states from `snapshot()` of a topology with the same options, restored instead of empty ones. */
  readonly restore?: Readonly<Record<StageName, readonly Uint8Array[]>>;
};

export const DEFAULT_ALLOWED_LATENESS_MS = 60_000;

export type TopologyCounters = {
  records_read: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  after_as_of: number;
  by_type: Record<string, number>;
};

export type Origin = {
  readonly line?: number;
  readonly source?: string;
  /** The source partition (e.g. Kafka `topic/partition`): watermarks are kept per partition. */
  readonly partition?: string;
};

/** Window state and lateness, summed over the instances. */
export type TopologyState = {
  readonly late: number;
  readonly credit_late: number;
  /** Records that waited for a lagging source partition (alignment). */
  readonly held: number;
  readonly reversals_unmatched: number;
  readonly open_alerts: Record<string, number>;
  readonly size: Record<string, number>;
};

export type Topology = {
  /** One raw record in; the outputs it caused out. Never throws on bad input. */
  process(raw: string | Buffer, origin?: Origin): TopologyOutput[];
  /** End of input: moves event time to `asOf` (or keeps the newest event time) and fires reviews. */
  finish(): TopologyOutput[];
  standings(): Standing[];
  chains(): ChainStatus[];
  /** The source's partitions: a new one holds the watermark until it delivers, an idle one stops holding it. */
  expectPartition(partition: string): void;
  /** The outputs a partition's idleness caused (boundaries the watermark now passes). */
  partitionIdle(partition: string): TopologyOutput[];
  /** The newest event time accepted (RFC 3339), or null before the first record. */
  eventTime(): string | null;
  /** Watermark alignment: may `partition` deliver a record at `t` now (see IndicatorStore.mayDeliver)? */
  mayDeliver(partition: string, t: number, maxSkewMs: number): boolean;
  state(): TopologyState;
  /** Every stage instance's state (see `TopologyOptions.restore`), between records. */
  snapshot(): Record<StageName, Uint8Array[]>;
  readonly counters: Readonly<TopologyCounters>;
};

export function createTopology(options: TopologyOptions): Topology {
  const instances: Instances = { institution: 1, person: 1, chain: 1, ...options.instances };
  const allowedLatenessMs = options.allowedLatenessMs ?? DEFAULT_ALLOWED_LATENESS_MS;
  const thresholds = options.thresholds ?? compileThresholds();
  const handOver = new InMemoryHandOver(instances);
  const optionsOf = (stage: StageKind, i: number): StageInstanceOptions => ({
    stage,
    pseudonymKey: options.pseudonymKey,
    packs: options.packs,
    thresholds,
    allowedLatenessMs,
    ...(options.dedupHorizonDays !== undefined && { dedupHorizonDays: options.dedupHorizonDays }),
    ...(options.asOf !== undefined && { asOf: options.asOf }),
    ...(options.eventTime !== undefined && { eventTime: options.eventTime }),
    handOver,
    assigned: [String(i)],
    sourcePartitions: [],
    partitions: instances,
    embedded: true,
  });
  const make = (stage: StageKind, i: number): StageInstance => {
    const bytes = stage === 'ingest' ? undefined : options.restore?.[stage][i];
    if (bytes === undefined) return createStageInstance(optionsOf(stage, i));
    const restored = restoreStage(bytes, optionsOf(stage, i));
    if (restored.kind !== 'ok') throw new Error(`cannot restore ${stage} instance ${i}: ${restored.reason}`);
    return restored.instance;
  };
  const ingest = make('ingest', 0).ingest!;
  const spread = (stage: StageName) => Array.from({ length: instances[stage] }, (_, i) => make(stage, i));
  const stages: Record<StageName, StageInstance[]> = {
    institution: spread('institution'),
    person: spread('person'),
    chain: spread('chain'),
  };
  const institutions = stages.institution.map((s) => s.institution!);
  const persons = stages.person.map((s) => s.person!);
  const chainStages = stages.chain.map((s) => s.chain!);
  const counters: TopologyCounters = {
    records_read: 0,
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    after_as_of: 0,
    by_type: {},
  };
  /** POLICY.md: one `policy_expired` per pack, whichever instance noticed it first. */
  const expiryTold = new Set<string>();

  function run(first: TopologyOutput[]): TopologyOutput[] {
    const out = first;
    handOver.drain((stage, i, m) => {
      for (const o of stages[stage][i]!.receive(m, String(i))) out.push(o);
    });
    // Rare: most records' outputs go out as they are, not copied by a filter.
    if (!out.some((o) => o.kind === 'policy_expired')) return out;
    return out.filter(
      (o) => o.kind !== 'policy_expired' || (!expiryTold.has(o.pack) && expiryTold.add(o.pack)),
    );
  }

  function sumCounters(): void {
    Object.assign(counters, ingest.counters);
    counters.accepted = 0;
    counters.duplicates = 0;
    counters.by_type = {};
    for (const s of institutions) {
      counters.accepted += s.counters.accepted;
      counters.duplicates += s.counters.duplicates;
      counters.rejected += s.counters.conflicts;
      for (const [k, v] of Object.entries(s.counters.by_type))
        counters.by_type[k] = (counters.by_type[k] ?? 0) + v;
    }
  }

  /** Outputs caused between records (a partition expected), handed out with the next record's. */
  let carried: TopologyOutput[] = [];
  const partitionState = (partition: string, state: 'expected' | 'idle') => {
    handOver.broadcast('institution', { kind: 'partition', partition, state });
    return run([]);
  };
  const withCarried = (out: TopologyOutput[]) => {
    if (carried.length === 0) return out;
    for (const o of out) carried.push(o);
    const all = carried;
    carried = [];
    return all;
  };

  return {
    // Summed when read, not per record (it walked every instance's counts each time).
    get counters() {
      sumCounters();
      return counters;
    },
    process(raw, origin = {}) {
      return withCarried(run(ingest.process(raw, origin)));
    },
    finish() {
      let newest = Number.NEGATIVE_INFINITY;
      for (const s of institutions) if (s.newest > newest) newest = s.newest;
      const until = options.asOf ?? newest;
      const out = run(institutions.flatMap((s) => s.finishCredit(until)));
      for (const o of run(persons.flatMap((s) => s.finish()))) out.push(o);
      for (const o of run(institutions.flatMap((s) => s.finishIndicators()))) out.push(o);
      for (const o of run(chainStages.flatMap((s) => s.finish()))) out.push(o);
      return withCarried(out);
    },
    standings: () =>
      institutions
        .flatMap((s) => s.engine.standings())
        .sort((a, b) => (a.subject_kind + a.subject_code < b.subject_kind + b.subject_code ? -1 : 1)),
    chains: () =>
      chainStages
        .flatMap((s) => s.statuses())
        .sort((a, b) => (a.pack + a.chain_id < b.pack + b.chain_id ? -1 : 1)),
    snapshot: () => ({
      institution: stages.institution.map((s, i) => encodeStage(s, optionsOf('institution', i))),
      person: stages.person.map((s, i) => encodeStage(s, optionsOf('person', i))),
      chain: stages.chain.map((s, i) => encodeStage(s, optionsOf('chain', i))),
    }),
    expectPartition(partition) {
      for (const o of partitionState(partition, 'expected')) carried.push(o);
    },
    partitionIdle: (partition) => partitionState(partition, 'idle'),
    eventTime() {
      let newest = Number.NEGATIVE_INFINITY;
      for (const s of institutions) if (s.newest > newest) newest = s.newest;
      return Number.isFinite(newest) ? toIso(newest) : null;
    },
    mayDeliver: (partition, t, maxSkewMs) =>
      institutions[0]!.warnings.store.mayDeliver(`0|${partition}`, t, maxSkewMs),
    state() {
      const stores = [...institutions, ...persons].map((s) => s.warnings.store);
      const open: Record<string, number> = {};
      const books = [...institutions, ...persons].map((s) => s.warnings.book.openBySeverity());
      for (const b of [...books, ...chainStages.map((c) => c.openAlerts)])
        for (const [k, v] of Object.entries(b)) open[k] = (open[k] ?? 0) + v;
      const size: Record<string, number> = {};
      for (const st of stores)
        for (const [k, v] of Object.entries(st.stateSize())) size[k] = (size[k] ?? 0) + v;
      return {
        late: stores.reduce((n, st) => n + st.counters.late, 0),
        credit_late: institutions.reduce((n, s) => n + s.counters.credit_late, 0),
        held: institutions.reduce((n, s) => n + s.counters.held, 0),
        reversals_unmatched: stores.reduce((n, st) => n + st.counters.reversals_unmatched, 0),
        open_alerts: open,
        size,
      };
    },
  };
}
