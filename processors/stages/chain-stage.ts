/**
 * The chain stage (ARCHITECTURE.md "Keys and stages", key: pack and chain_id): branch levels →
 * share at D or below → brand-wide triggers (四川 第三十四条(七)/第三十五条(七), seed 000), the
 * proximity warning, and rectification tasks for every branch. Branch updates from the
 * institution instances are applied in (time, branch) order once every instance has released
 * past them, so the chain's history does not depend on how branches were spread. Pure.
 */
import { type BranchUpdate, ChainBook } from '../../rules/chain-book.ts';
import type { ChainStatus } from '../../rules/chains.ts';
import { AlertBook, DEFAULT_DECISIONS } from '../../rules/early-warning/decisions.ts';
import type { Thresholds } from '../../rules/early-warning/thresholds.ts';
import type { CompiledPack } from '../../rules/engine/engine.ts';
import type { ChainChange } from '../../rules/engine/standing.ts';
import { chainProximityAlerts } from '../early-warning.ts';
import type { TopologyOutput } from '../outputs.ts';
import { stageOutputs } from './compose.ts';
import type { StageMessage } from './messages.ts';
import { OrderedInbox } from './ordered-inbox.ts';

export type ChainStageOptions = {
  readonly packs: readonly CompiledPack[];
  readonly thresholds: Thresholds;
  /** The institution stage's instance ids: updates wait until all of them released past. */
  readonly institutionInstances: readonly string[];
};

export class ChainStage {
  private readonly chains: ChainBook;
  private readonly book = new AlertBook(DEFAULT_DECISIONS);
  private readonly inbox: OrderedInbox<BranchUpdate>;
  late = 0;
  /** A bounded run is over here: every institution instance released everything. */
  done = false;

  constructor(private readonly options: ChainStageOptions) {
    this.chains = new ChainBook(new Map(options.packs.map((p) => [p.pack.id, p])));
    this.inbox = new OrderedInbox(options.institutionInstances);
  }

  receive(m: StageMessage): TopologyOutput[] {
    switch (m.kind) {
      case 'branch':
        if (this.inbox.push(m.update.at, m.update.code, m.update)) return [];
        this.late++; // after its time was applied (a restarted instance): applied at once, not lost
        return this.apply([m.update]);
      case 'released':
        this.inbox.advance(m.from, m.through + 1);
        if (this.inbox.watermark === Number.POSITIVE_INFINITY) this.done = true;
        return this.apply(this.inbox.release());
      default:
        throw new Error(`chain stage: message kind "${m.kind}" is not for this stage`);
    }
  }

  /** How far every institution instance has released (+∞ once all ended, −∞ before the first). */
  get watermark(): number {
    return this.inbox.watermark;
  }

  finish(): TopologyOutput[] {
    return this.apply(this.inbox.release(Number.POSITIVE_INFINITY));
  }

  statuses(): ChainStatus[] {
    return this.chains.statuses();
  }

  get openAlerts() {
    return this.book.openBySeverity();
  }

  private apply(updates: readonly BranchUpdate[]): TopologyOutput[] {
    const changes: ChainChange[] = [];
    for (const u of updates) {
      const c = this.chains.apply(u);
      if (c) changes.push(c);
    }
    if (changes.length === 0) return [];
    return stageOutputs(changes, [], chainProximityAlerts(this.book, this.options.thresholds, changes));
  }
}
