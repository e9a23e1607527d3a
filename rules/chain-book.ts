/**
 * The chain stage's state (ARCHITECTURE.md "Keys and stages", key `chain_id`): the branches of
 * each brand under a pack and the brand's status. Branch levels arrive as updates from wherever
 * the branches' credit ledgers live; a changed set of triggers, or a changed count at D or below,
 * is a chain change (四川 第三十四条(七)/第三十五条(七), seed 000). Pure.
 */
import { type Branch, type ChainStatus, chainStatus } from './chains.ts';
import type { ChainChange } from './engine/standing.ts';
import { toIso } from './engine/time.ts';
import type { Pack, PackId } from './engine/types.ts';

/** A branch's evaluated level (or its leaving the brand: `branch: null`) at event time `at`. */
export type BranchUpdate = {
  readonly pack: PackId;
  readonly chain_id: string;
  readonly code: string;
  readonly at: number;
  readonly branch: Branch | null;
};

export class ChainBook {
  private readonly branches = new Map<string, Map<string, Branch>>();
  private readonly state = new Map<string, ChainStatus>();
  /** Per branch, the time of the newest update applied: an older one (resent after a crash upstream) is stale. */
  private readonly newest = new Map<string, number>();

  constructor(private readonly packs: ReadonlyMap<PackId, { readonly pack: Pack }>) {}

  /** Applies one update; returns the chain change it caused, if any. */
  apply(u: BranchUpdate): ChainChange | undefined {
    const compiled = this.packs.get(u.pack);
    if (!compiled) return undefined;
    const ck = `${u.pack}|${u.chain_id}`;
    const bk = `${ck}|${u.code}`;
    if (u.at < (this.newest.get(bk) ?? Number.NEGATIVE_INFINITY)) return undefined;
    this.newest.set(bk, u.at);
    let branches = this.branches.get(ck);
    if (u.branch === null) {
      if (!branches?.delete(u.code)) return undefined;
    } else {
      if (!branches) this.branches.set(ck, (branches = new Map()));
      branches.set(u.code, u.branch);
    }
    const status = chainStatus(u.chain_id, compiled.pack, [...branches.values()]);
    const previous = this.state.get(ck);
    this.state.set(ck, status);
    const was = previous?.triggers ?? [];
    if (
      was.join() === status.triggers.join() &&
      (!previous || previous.at_or_below_d === status.at_or_below_d)
    )
      return undefined;
    return { kind: 'chain_change', at: toIso(u.at), status, previous: was };
  }

  statuses(): ChainStatus[] {
    return [...this.state.values()].sort((a, b) => (a.pack + a.chain_id < b.pack + b.chain_id ? -1 : 1));
  }
}
