/**
 * Pharmacy chains: the share of a brand's evaluated branches at D or below, and the pack's
 * brand-wide triggers (四川 第三十四条(七) at 20%, 第三十五条(七) at 15% with an E branch; seed 000).
 * The share counts evaluated branches only, and reaching the percentage triggers it (POLICY.md).
 */
import type { ChainTrigger, Pack } from './engine/types.ts';

export type Branch = { readonly code: string; readonly evaluated: boolean; readonly level: string | null };

export type ChainStatus = {
  readonly chain_id: string;
  readonly pack: string;
  readonly branches: number;
  readonly evaluated_branches: number;
  readonly at_or_below_d: number;
  readonly share: number;
  readonly triggers: readonly string[];
  readonly trigger_articles: readonly string[];
  /** Branches still needed at D or below for each trigger not yet reached (for proximity warnings). */
  readonly branches_to_trigger: Readonly<Record<string, number>>;
  /** Every branch of the brand, for brand-wide rectification tasks. */
  readonly branch_codes: readonly string[];
};

function reached(
  t: ChainTrigger,
  low: number,
  evaluated: number,
  levels: ReadonlySet<string | null>,
): boolean {
  // Integer comparison: low / evaluated ≥ pct / 100, so 3 of 20 reaches 15% exactly.
  if (evaluated === 0 || low * 100 < t.min_share_pct * evaluated) return false;
  return t.requires_level === undefined || levels.has(t.requires_level);
}

export function chainStatus(chainId: string, pack: Pack, branches: readonly Branch[]): ChainStatus {
  const evaluated = branches.filter((b) => b.evaluated);
  const lowSet = new Set(pack.at_or_below_d);
  const low = evaluated.filter((b) => b.level !== null && lowSet.has(b.level)).length;
  const levels = new Set(evaluated.map((b) => b.level));
  const fired = pack.chain_triggers.filter((t) => reached(t, low, evaluated.length, levels));
  const toTrigger: Record<string, number> = {};
  for (const t of pack.chain_triggers) {
    if (fired.includes(t)) continue;
    if (evaluated.length === 0) continue;
    toTrigger[t.rule] = Math.max(1, Math.ceil((t.min_share_pct * evaluated.length) / 100) - low);
  }
  return {
    chain_id: chainId,
    pack: pack.id,
    branches: branches.length,
    evaluated_branches: evaluated.length,
    at_or_below_d: low,
    share: evaluated.length === 0 ? 0 : Math.round((low / evaluated.length) * 10_000) / 10_000,
    triggers: fired.map((t) => t.rule),
    trigger_articles: fired.map((t) => t.article),
    branches_to_trigger: toTrigger,
    branch_codes: branches.map((b) => b.code).sort(),
  };
}
