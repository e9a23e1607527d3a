/**
 * One instance of one stage, as the in-memory exchange and the Kafka runner both run it. Progress
 * marks and ends are named after the partition (or in-memory instance) they came through (`h|…`):
 * within a partition the exchange keeps order, across partitions it does not, so a mark read on
 * one must not make records still in flight on another look late. Pure: the caller does the I/O.
 */
import type { ChainStatus } from '../../rules/chains.ts';
import type { Thresholds } from '../../rules/early-warning/thresholds.ts';
import type { CompiledPack } from '../../rules/engine/engine.ts';
import type { Standing } from '../../rules/engine/standing.ts';
import type { TopologyOutput } from '../outputs.ts';
import { ChainStage } from './chain-stage.ts';
import type { EventTimeBounds } from './event-time-bounds.ts';
import { IngestStage } from './ingest.ts';
import { InstitutionStage } from './institution-stage.ts';
import type { HandOver, StageMessage, StageName } from './messages.ts';
import { PersonStage } from './person-stage.ts';

export type StageKind = 'ingest' | StageName;
export const STAGE_KINDS: readonly StageKind[] = ['ingest', 'institution', 'person', 'chain'];

export type StageInstanceOptions = {
  readonly stage: StageKind;
  readonly pseudonymKey: string;
  readonly packs: readonly CompiledPack[];
  readonly thresholds: Thresholds;
  readonly allowedLatenessMs: number;
  readonly dedupHorizonDays?: number;
  readonly asOf?: number;
  readonly handOver: HandOver;
  /** This instance's partitions of its input (ingest: `topic/partition`; others: numbers). */
  readonly assigned: readonly string[];
  /** Every source partition (`topic/partition`), for the end of a bounded run. */
  readonly sourcePartitions: readonly string[];
  /** Partitions (in memory: instances) of each stage. */
  readonly partitions: Readonly<Record<StageName, number>>;
  /** In-memory exchange: marks after every message, arrivals shared between institution instances. */
  readonly embedded?: boolean;
  /** A state restored from a snapshot (snapshot.ts), used instead of a new, empty one. */
  readonly restored?: InstitutionStage | PersonStage | ChainStage;
  /** Ingest: which event times are refused (default DEFAULT_EVENT_TIME_BOUNDS: bounded input). */
  readonly eventTime?: EventTimeBounds;
};

export type StageInstance = {
  readonly stage: StageKind;
  /** One message read through partition `via` (an assigned one). */
  receive(m: StageMessage, via: string): TopologyOutput[];
  /** Progress marks to the next stages (before the hand-over is flushed). */
  flushMarks(): void;
  readonly done: boolean;
  readonly ingest?: IngestStage;
  readonly institution?: InstitutionStage;
  readonly person?: PersonStage;
  readonly chain?: ChainStage;
  standings(): Standing[];
  chains(): ChainStatus[];
};

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const cross = (a: readonly string[], b: readonly string[]) => a.flatMap((x) => b.map((y) => `${x}|${y}`));

/** Names a message's progress after the partition `h` it came through. */
export function via(h: string, m: StageMessage): StageMessage {
  switch (m.kind) {
    case 'event':
    case 'partition':
    case 'visit':
    case 'visit_reversal':
      return { ...m, partition: `${h}|${m.partition}` };
    case 'time':
      return m.partition === undefined ? m : { ...m, partition: `${h}|${m.partition}` };
    case 'end':
    case 'evaluated':
    case 'released':
      return { ...m, from: `${h}|${m.from}` };
    default:
      return m;
  }
}

export function createStageInstance(o: StageInstanceOptions): StageInstance {
  const institutionIds = range(o.partitions.institution).map((i) => `institution/${i}`);
  const personIds = range(o.partitions.person).map((i) => `person/${i}`);
  const mine = (stage: StageName) => o.assigned.map((p) => `${stage}/${p}`);
  const embedded = o.embedded ?? false;
  const common = { thresholds: o.thresholds, allowedLatenessMs: o.allowedLatenessMs, handOver: o.handOver };
  const base = { stage: o.stage, standings: (): Standing[] => [], chains: (): ChainStatus[] => [] };
  // biome-ignore lint/suspicious/noExplicitAny: any stage class's constructor.
  const restoredAs = <T>(type: abstract new (...args: any[]) => T): T | undefined => {
    if (o.restored === undefined) return undefined;
    if (o.restored instanceof type) return o.restored;
    throw new TypeError(
      `${o.stage} stage: restored state is a ${o.restored.constructor.name}, expected a ${type.name}`,
    );
  };
  const wrong = (m: StageMessage): never => {
    throw new Error(`${o.stage} stage: message kind "${m.kind}" is not for this stage`);
  };

  switch (o.stage) {
    case 'ingest': {
      const ingest = new IngestStage({
        pseudonymKey: o.pseudonymKey,
        handOver: o.handOver,
        distributed: !embedded,
        ...(o.asOf !== undefined && { asOf: o.asOf }),
        ...(o.eventTime !== undefined && { eventTime: o.eventTime }),
      });
      return { ...base, ingest, receive: wrong, flushMarks: () => ingest.flushMarks(), done: false };
    }
    case 'institution': {
      const institution =
        restoredAs(InstitutionStage) ??
        new InstitutionStage({
          ...common,
          id: mine('institution')[0] ?? 'institution/none',
          ids: mine('institution'),
          packs: o.packs,
          dedupHorizonDays: o.dedupHorizonDays ?? 400,
          personInstances: cross(o.assigned, personIds),
          sourceEnds: cross(o.assigned, o.sourcePartitions),
          embedded,
          embeddedPeers: o.partitions.institution > 1,
        });
      return {
        ...base,
        institution,
        receive: (m, h) => institution.receive(via(h, m)),
        flushMarks: () => institution.flushMarks(),
        get done() {
          return institution.done;
        },
        standings: () => institution.engine.standings(),
      };
    }
    case 'person': {
      const person =
        restoredAs(PersonStage) ??
        new PersonStage({
          ...common,
          id: mine('person')[0] ?? 'person/none',
          ids: mine('person'),
          upstreamEnds: cross(o.assigned, institutionIds),
          embedded,
        });
      return {
        ...base,
        person,
        receive: (m, h) => person.receive(via(h, m)),
        flushMarks: () => person.flushMarks(),
        get done() {
          return person.done;
        },
      };
    }
    case 'chain': {
      const chain =
        restoredAs(ChainStage) ??
        new ChainStage({
          packs: o.packs,
          thresholds: o.thresholds,
          institutionInstances: cross(o.assigned, institutionIds),
        });
      return {
        ...base,
        chain,
        receive: (m, h) => chain.receive(via(h, m)),
        flushMarks() {},
        get done() {
          return chain.done;
        },
        chains: () => chain.statuses(),
      };
    }
  }
}
