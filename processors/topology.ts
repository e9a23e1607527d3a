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
import { decodeWith } from '../schemas/decode.ts';
import { createPseudonymiser, redactRaw } from '../schemas/pseudonymise.ts';
import type { TopologyOutput } from './outputs.ts';
import { ChainStage } from './stages/chain-stage.ts';
import { InMemoryHandOver, type Instances } from './stages/in-memory.ts';
import { InstitutionStage } from './stages/institution-stage.ts';
import { institutionStageKey } from './stages/keys.ts';
import type { StageMessage, StageName } from './stages/messages.ts';
import { PersonStage } from './stages/person-stage.ts';

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
  partitionIdle(partition: string): void;
  /** Watermark alignment: may `partition` deliver a record at `t` now (see IndicatorStore.mayDeliver)? */
  mayDeliver(partition: string, t: number, maxSkewMs: number): boolean;
  state(): TopologyState;
  readonly counters: Readonly<TopologyCounters>;
};

export function createTopology(options: TopologyOptions): Topology {
  const pseudonymise = createPseudonymiser(options.pseudonymKey);
  const instances: Instances = { institution: 1, person: 1, chain: 1, ...options.instances };
  const allowedLatenessMs = options.allowedLatenessMs ?? DEFAULT_ALLOWED_LATENESS_MS;
  const thresholds = options.thresholds ?? compileThresholds();
  const handOver = new InMemoryHandOver(instances);
  const ids = (stage: StageName) => Array.from({ length: instances[stage] }, (_, i) => `${stage}/${i}`);
  const institutions = ids('institution').map(
    (id) =>
      new InstitutionStage({
        id,
        packs: options.packs,
        thresholds,
        allowedLatenessMs,
        dedupHorizonDays: options.dedupHorizonDays ?? 400,
        personInstances: ids('person'),
        handOver,
      }),
  );
  const persons = ids('person').map((id) => new PersonStage({ id, thresholds, allowedLatenessMs, handOver }));
  const chainStages = ids('chain').map(
    () => new ChainStage({ packs: options.packs, thresholds, institutionInstances: ids('institution') }),
  );
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
      const got =
        stage === 'institution'
          ? institutions[i]!.receive(m)
          : stage === 'person'
            ? persons[i]!.receive(m)
            : chainStages[i]!.receive(m);
      for (const o of got) out.push(o);
    });
    return out.filter(
      (o) => o.kind !== 'policy_expired' || (!expiryTold.has(o.pack) && expiryTold.add(o.pack)),
    );
  }

  function sumCounters(): void {
    counters.accepted = 0;
    counters.duplicates = 0;
    counters.by_type = {};
    for (const s of institutions) {
      counters.accepted += s.counters.accepted;
      counters.duplicates += s.counters.duplicates;
      for (const [k, v] of Object.entries(s.counters.by_type))
        counters.by_type[k] = (counters.by_type[k] ?? 0) + v;
    }
  }

  /** Delivered with the next record (or at the end), whose outputs carry what it changes. */
  const toEveryInstance = (m: StageMessage) => {
    handOver.broadcast('institution', m);
    handOver.broadcast('person', m);
  };

  return {
    counters,
    process(raw, origin = {}) {
      counters.records_read++;
      const r = decodeWith(raw, pseudonymise);
      if (!r.ok) {
        counters.rejected++;
        const text = typeof raw === 'string' ? raw : raw.toString('utf8');
        return [
          {
            kind: 'rejected',
            ...(origin.line !== undefined && { line: origin.line }),
            raw: redactRaw(text, pseudonymise),
            error: r.error.message,
            path: r.error.path,
            ...(origin.source !== undefined && { origin: origin.source }),
          },
        ];
      }
      if (options.asOf !== undefined && Date.parse(r.event.occurred_at) > options.asOf) {
        counters.after_as_of++;
        return [];
      }
      handOver.send('institution', institutionStageKey(r.event), {
        kind: 'event',
        event: r.event,
        partition: origin.partition ?? '',
      });
      const out = run([]);
      sumCounters();
      return out;
    },
    finish() {
      const newest = Math.max(...institutions.map((s) => s.newest));
      const until = options.asOf ?? newest;
      const out = run(institutions.flatMap((s) => s.finishCredit(until)));
      out.push(...run(persons.flatMap((s) => s.finish())));
      out.push(...run(institutions.flatMap((s) => s.finishIndicators())));
      out.push(...run(chainStages.flatMap((s) => s.finish())));
      return out;
    },
    standings: () =>
      institutions
        .flatMap((s) => s.engine.standings())
        .sort((a, b) => (a.subject_kind + a.subject_code < b.subject_kind + b.subject_code ? -1 : 1)),
    chains: () =>
      chainStages
        .flatMap((s) => s.statuses())
        .sort((a, b) => (a.pack + a.chain_id < b.pack + b.chain_id ? -1 : 1)),
    expectPartition: (partition) => toEveryInstance({ kind: 'partition', partition, state: 'expected' }),
    partitionIdle: (partition) => toEveryInstance({ kind: 'partition', partition, state: 'idle' }),
    mayDeliver: (partition, t, maxSkewMs) =>
      institutions[0]!.warnings.store.mayDeliver(partition, t, maxSkewMs),
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
        reversals_unmatched: stores.reduce((n, st) => n + st.counters.reversals_unmatched, 0),
        open_alerts: open,
        size,
      };
    },
  };
}
