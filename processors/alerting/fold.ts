/**
 * Folding a burst (pure): when more alerts wait than the channel's budget of messages allows, the
 * most important go out one by one and a single summary message carries the rest, so nothing waits
 * for the next minute and no robot is sent more than its limit.
 */
import type { Alert, Severity } from '../outputs.ts';

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { key: 0, general: 1, info: 2 };

/** Most important first: severity, then firing before resolved, then oldest, then id (a total order). */
export function byPriority(a: Alert, b: Alert): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    (a.status === b.status ? 0 : a.status === 'firing' ? -1 : 1) ||
    Date.parse(a.raised_at) - Date.parse(b.raised_at) ||
    a.alert_id.localeCompare(b.alert_id)
  );
}

export type Notification<T extends { readonly alert: Alert }> = {
  readonly kind: 'single' | 'summary';
  readonly items: readonly T[];
};

export type Plan<T extends { readonly alert: Alert }> = {
  readonly send: readonly Notification<T>[];
  /** Left for when a token comes back (budget 0). */
  readonly held: readonly T[];
};

/**
 * `budget` messages for `waiting` alerts: all singles when they fit, else budget − 1 singles for the
 * most important and one summary of the rest. Singles keep the order the alerts were raised in, so a
 * resolve never goes out before its raise.
 */
export function planNotifications<T extends { readonly alert: Alert }>(
  waiting: readonly T[],
  budget: number,
): Plan<T> {
  if (waiting.length === 0) return { send: [], held: [] };
  if (budget < 1) return { send: [], held: [...waiting] };
  const ranked = [...waiting].sort((x, y) => byPriority(x.alert, y.alert));
  if (waiting.length <= budget) {
    return { send: inRaisedOrder(ranked).map((i) => ({ kind: 'single', items: [i] })), held: [] };
  }
  const singles = inRaisedOrder(ranked.slice(0, budget - 1)).map(
    (i): Notification<T> => ({ kind: 'single', items: [i] }),
  );
  return { send: [...singles, { kind: 'summary', items: ranked.slice(budget - 1) }], held: [] };
}

function inRaisedOrder<T extends { readonly alert: Alert }>(items: readonly T[]): T[] {
  return [...items].sort(
    (x, y) => Date.parse(x.alert.raised_at) - Date.parse(y.alert.raised_at) || byPriority(x.alert, y.alert),
  );
}
