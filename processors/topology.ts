/**
 * The one topology: decode → dedup → credit engine (institution stage) → outputs. `replay`, the
 * embedded monitor and the distributed stages all run this function's stages (STYLE.md §7: the
 * stage graph reads in one place). Pure apart from the caller's sinks: same records in the same
 * order → same outputs.
 */

import type { ChainStatus } from '../rules/chains.ts';
import { compileThresholds, type Thresholds } from '../rules/early-warning/thresholds.ts';
import { type CompiledPack, CreditEngine } from '../rules/engine/engine.ts';
import type { CreditOutput, Standing } from '../rules/engine/standing.ts';
import { decodeWith } from '../schemas/decode.ts';
import type { MonitorEvent } from '../schemas/events.ts';
import { createPseudonymiser, redactRaw } from '../schemas/pseudonymise.ts';
import { creditAlerts } from './credit-alerts.ts';
import { EventIdDedup } from './dedup.ts';
import { EarlyWarningStage } from './early-warning.ts';
import { inspectionsFrom } from './inspections.ts';
import type { Alert, IndicatorSnapshotOutput, TopologyOutput } from './outputs.ts';

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
};

export const DEFAULT_ALLOWED_LATENESS_MS = 60_000;

const NOTHING: TopologyOutput[] = [];

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

export type Topology = {
  /** One raw record in; the outputs it caused out. Never throws on bad input. */
  process(raw: string | Buffer, origin?: Origin): TopologyOutput[];
  /** End of input: moves event time to `asOf` (or keeps the newest event time) and fires reviews. */
  finish(): TopologyOutput[];
  standings(): Standing[];
  chains(): ChainStatus[];
  readonly counters: Readonly<TopologyCounters>;
  readonly warnings: EarlyWarningStage;
};

export function createTopology(options: TopologyOptions): Topology {
  const pseudonymise = createPseudonymiser(options.pseudonymKey);
  const dedup = new EventIdDedup(options.dedupHorizonDays ?? 400);
  const engine = new CreditEngine(options.packs);
  const warnings = new EarlyWarningStage({
    allowedLatenessMs: options.allowedLatenessMs ?? DEFAULT_ALLOWED_LATENESS_MS,
    thresholds: options.thresholds ?? compileThresholds(),
  });
  const counters: TopologyCounters = {
    records_read: 0,
    accepted: 0,
    rejected: 0,
    duplicates: 0,
    after_as_of: 0,
    by_type: {},
  };

  /** The stage graph, in one place (STYLE.md §7): credit → indicators → alerts → inspections. */
  function stages(
    creditOut: CreditOutput[],
    indicatorOut: (Alert | IndicatorSnapshotOutput)[],
  ): TopologyOutput[] {
    if (creditOut.length === 0 && indicatorOut.length === 0) return NOTHING; // the common case: no allocation
    const indicatorAlerts = indicatorOut.filter((o): o is Alert => o.kind === 'alert');
    const snapshots = indicatorOut.filter(
      (o): o is IndicatorSnapshotOutput => o.kind === 'indicator_snapshot',
    );
    const alerts = [...creditAlerts(creditOut), ...warnings.fromCredit(creditOut), ...indicatorAlerts];
    return [...creditOut, ...alerts, ...inspectionsFrom(creditOut, alerts), ...snapshots];
  }

  function apply(event: MonitorEvent): TopologyOutput[] {
    const creditOut = engine.apply(event);
    return stages(creditOut, warnings.apply(event));
  }

  return {
    counters,
    warnings,
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
      const t = Date.parse(r.event.occurred_at);
      if (options.asOf !== undefined && t > options.asOf) {
        counters.after_as_of++;
        return [];
      }
      if (!dedup.firstSeen(r.event.event_id, t)) {
        counters.duplicates++;
        return [];
      }
      counters.accepted++;
      counters.by_type[r.event.type] = (counters.by_type[r.event.type] ?? 0) + 1;
      if (origin.partition !== undefined) warnings.store.fromPartition(origin.partition);
      return apply(r.event);
    },
    finish() {
      const until = options.asOf ?? engine.now;
      const creditOut = Number.isFinite(until) ? engine.advanceTo(until) : [];
      return stages(creditOut, warnings.finish());
    },
    standings: () => engine.standings(),
    chains: () => engine.chainStatuses(),
  };
}
