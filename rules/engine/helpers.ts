/** Small pure helpers the packs share, so each pack reads as its seed's rules and nothing else. */
import { chinaDate, dayStart } from './time.ts';
import type { Evaluation, Fact, Pack, Reason } from './types.ts';

/** Money summed in fen (分) so 0.1 + 0.2 yuan stays exact. */
export function sumYuan(facts: readonly Fact[]): number {
  let fen = 0;
  for (const f of facts) fen += Math.round((f.amount ?? 0) * 100);
  return fen / 100;
}

/** A half-open cut-off table, best first: the first row whose `min` the score reaches (以上 includes). */
export type Cutoff = { readonly min: number; readonly level: string };

export function levelForScore(score: number, cutoffs: readonly Cutoff[]): Cutoff {
  for (const c of cutoffs) if (score >= c.min) return c;
  const last = cutoffs[cutoffs.length - 1];
  if (!last) throw new Error('empty cut-off table');
  return last;
}

export function excluded(
  pack: Pack,
  reason: string,
  why: Reason,
  scale: Evaluation['scale'] = null,
): Evaluation {
  return {
    evaluated: false,
    excluded_reason: reason,
    scale,
    level: null,
    reasons: [{ seed: pack.seed, ...why }],
  };
}

export function notCovered(pack: Pack, kind: string, article: string): Evaluation {
  return excluded(pack, 'subject_kind_not_covered', {
    rule: `${pack.id}.subjects`,
    article,
    detail: `${kind} is not a subject of this regulation`,
  });
}

/** The earliest of several optional instants, or undefined. */
export function earliest(...instants: (number | undefined)[]): number | undefined {
  let best: number | undefined;
  for (const t of instants) if (t !== undefined && (best === undefined || t < best)) best = t;
  return best;
}

/** A fact is published (in force) on [decided_at, until) where until is a calendar date. */
export function inForceOn(at: number, from: string, until: string): boolean {
  return at >= dayStart(from) && at < dayStart(until);
}

export function today(at: number): string {
  return chinaDate(at);
}

/** Facts that a later fact of the given actions switches off (open … closed pairs), as of `at`. */
export function isOpen(
  facts: readonly Fact[],
  opened: Fact['action'],
  closed: Fact['action'],
  at: number,
): boolean {
  let open = false;
  for (const f of facts) {
    if (dayStart(f.decided_at) > at) continue;
    if (f.action === opened) open = true;
    else if (f.action === closed) open = false;
  }
  return open;
}

export function withSeed(pack: Pack, reasons: readonly Reason[]): Reason[] {
  return reasons.map((r) =>
    r.article !== undefined && r.seed === undefined ? { ...r, seed: pack.seed } : r,
  );
}
