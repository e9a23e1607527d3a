/**
 * The law an early warning cites: its pack's early-warning article and seed (`Pack.early_warning`,
 * listed in each pack's README), labelled as an assumption where the seed states no such duty. A
 * division no pack covers (POLICY.md: indicators and warnings, `pack: null`) cites no article and
 * says so, rather than borrowing another province's text.
 */
import type { Reason } from '../engine/types.ts';
import { PACKS } from '../packs/index.ts';

const BY_ID = new Map(PACKS.map((p) => [p.id as string, p]));

/** The rule id of the reason an uncovered division's warning carries instead of an article. */
export const NO_PACK_RULE = 'early_warning.no_pack';

function noPack(division: string | null): string {
  return `no policy pack covers division ${division ?? '(unknown)'}: this warning rests on no article of a seed`;
}

/** The first reason of an early-warning alert: the rule, its pack's article and seed, and what it found. */
export function warningReasons(
  rule: string,
  pack: string | null,
  division: string | null,
  detail: string,
): Reason[] {
  const p = pack ? BY_ID.get(pack) : undefined;
  if (!p)
    return [
      { rule, detail },
      { rule: NO_PACK_RULE, detail: noPack(division) },
    ];
  const b = p.early_warning;
  return [
    {
      rule,
      article: b.article,
      seed: p.seed,
      ...(b.assumption !== undefined && { assumption: b.assumption }),
      detail,
    },
  ];
}

/** The `basis` of an inspection task opened by a key early warning. */
export function warningBasis(pack: string | null, division: string | null): string {
  const p = pack ? BY_ID.get(pack) : undefined;
  if (!p) return noPack(division);
  const b = p.early_warning;
  const label = b.assumption === undefined ? '' : '; an assumption: the seed has no early-warning article';
  return `${p.id} ${b.article} (${p.seed}${label})`;
}
