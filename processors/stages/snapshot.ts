/**
 * A stage instance's state as bytes and back (ARCHITECTURE.md "State, restarts and no loss"), for
 * the checkpoints of processors/state. The whole object graph of the institution, person or chain
 * stage is written with the class-graph codec; what the state refers to but does not own — the
 * compiled packs, the thresholds, the heaps' comparators — is written by name and re-attached on
 * restore, and so is the hand-over (an I/O handle of the process that restores).
 *
 * A snapshot also carries a fingerprint of what shaped the state: the stage, its assignment, the
 * partition counts of every stage, the source partitions, the lateness and the packs with their
 * assumptions. Restoring under anything else would mix one layout's state with another's, so a
 * different fingerprint is refused ('incompatible'), and the caller rebuilds from the log.
 */
import { createHash } from 'node:crypto';
import { ChainBook } from '../../rules/chain-book.ts';
import { AlertBook } from '../../rules/early-warning/decisions.ts';
import { CreditEngine } from '../../rules/engine/engine.ts';
import { MinHeap } from '../../rules/engine/heap.ts';
import { TimerQueue, timerBefore } from '../../rules/engine/timers.ts';
import { EventIdDedup, RecordDedup } from '../dedup.ts';
import { EarlyWarningStage } from '../early-warning.ts';
import { DeferredQueue, deferredBefore } from '../indicators/deferred.ts';
import { Evidence } from '../indicators/evidence.ts';
import { InstitutionWindows, PeerGroup } from '../indicators/institution.ts';
import { LayeredRing } from '../indicators/layered-ring.ts';
import { PersonState } from '../indicators/person.ts';
import { PractitionerWindows } from '../indicators/practitioner.ts';
import { BucketRing } from '../indicators/ring.ts';
import { BoundaryScheduler, boundaryBefore } from '../indicators/scheduler.ts';
import { IndicatorStore } from '../indicators/store.ts';
import { TimeIndex } from '../indicators/time-index.ts';
import { createStateCodec, StateCodecError } from '../state/codec.ts';
import { ChainStage } from './chain-stage.ts';
import { ReadmissionsToInstitutions, VisitsToPersons } from './forwarders.ts';
import { createStageInstance, type StageInstance, type StageInstanceOptions } from './instance.ts';
import { InstitutionStage } from './institution-stage.ts';
import { inboxBefore, OrderedInbox } from './ordered-inbox.ts';
import { PersonStage } from './person-stage.ts';

/** The shape of what `encodeStage` writes; bump it when a state class changes its fields. */
export const STAGE_STATE_VERSION = 4;

/** Names are written into snapshots: never rename one, add new ones. */
const CLASSES = {
  InstitutionStage,
  PersonStage,
  ChainStage,
  VisitsToPersons,
  ReadmissionsToInstitutions,
  OrderedInbox,
  EarlyWarningStage,
  IndicatorStore,
  BoundaryScheduler,
  DeferredQueue,
  InstitutionWindows,
  PeerGroup,
  PractitionerWindows,
  PersonState,
  BucketRing,
  Evidence,
  EventIdDedup,
  RecordDedup,
  AlertBook,
  CreditEngine,
  TimerQueue,
  MinHeap,
  ChainBook,
  LayeredRing,
  TimeIndex,
};

/** Module-level functions the state holds (heap orders). */
const FUNCTIONS = { timerBefore, deferredBefore, inboxBefore, boundaryBefore };

type Restorable = InstitutionStage | PersonStage | ChainStage;

function stateOf(instance: StageInstance): Restorable {
  const s = instance.institution ?? instance.person ?? instance.chain;
  if (!s) throw new Error(`${instance.stage} stage keeps no state to snapshot`);
  return s;
}

/** What shaped the state; a snapshot restores only under the same. */
export function stageFingerprint(o: StageInstanceOptions): string {
  const shape = {
    stage: o.stage,
    assigned: [...o.assigned],
    sourcePartitions: [...o.sourcePartitions],
    partitions: o.partitions,
    allowedLatenessMs: o.allowedLatenessMs,
    dedupHorizonDays: o.dedupHorizonDays ?? null,
    embedded: o.embedded ?? false,
    packs: o.packs.map((p) => ({ id: p.pack.id, seed: p.pack.seed, assumptions: p.assumptions })),
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex');
}

function codecFor(o: StageInstanceOptions) {
  return createStateCodec(CLASSES, {
    shared: { packs: o.packs, thresholds: o.thresholds, functions: FUNCTIONS },
    handles: { handOver: o.handOver },
  });
}

type Envelope = { readonly fingerprint: string; readonly state: Restorable };

/** The instance's whole state, with the fingerprint of `o` (the options it was created with). */
export function encodeStage(instance: StageInstance, o: StageInstanceOptions): Uint8Array {
  const envelope: Envelope = { fingerprint: stageFingerprint(o), state: stateOf(instance) };
  return codecFor(o).encode(envelope);
}

export type RestoreResult =
  | { readonly kind: 'ok'; readonly instance: StageInstance }
  | { readonly kind: 'incompatible'; readonly reason: string };

/** A stage instance from `encodeStage`'s bytes, wired to `o`'s hand-over, packs and thresholds. */
export function restoreStage(bytes: Uint8Array, o: StageInstanceOptions): RestoreResult {
  let envelope: Envelope;
  try {
    envelope = codecFor(o).decode<Envelope>(bytes);
  } catch (err) {
    if (err instanceof StateCodecError) return { kind: 'incompatible', reason: err.message };
    throw err;
  }
  if (envelope.fingerprint !== stageFingerprint(o)) {
    return {
      kind: 'incompatible',
      reason: `${o.stage} snapshot was taken under another assignment, partition layout, lateness or pack configuration (fingerprint ${envelope.fingerprint.slice(0, 12)}, expected ${stageFingerprint(o).slice(0, 12)})`,
    };
  }
  const expected = { institution: InstitutionStage, person: PersonStage, chain: ChainStage } as const;
  const type = o.stage === 'ingest' ? undefined : expected[o.stage];
  if (!type || !(envelope.state instanceof type)) {
    return {
      kind: 'incompatible',
      reason: `snapshot holds a ${envelope.state?.constructor?.name} state, expected the ${o.stage} stage's`,
    };
  }
  return { kind: 'ok', instance: createStageInstance({ ...o, restored: envelope.state }) };
}
