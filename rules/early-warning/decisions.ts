/**
 * Alert decisions: one open alert per (rule, subject). A breach opens it; while open it is
 * re-raised only on escalation (a higher value class: twice the threshold makes a `general` rule
 * `key`) or after the cool-down; it resolves with hysteresis once the indicator falls below
 * `resolve_below`. Pure: outcomes in event-time order → the same decisions.
 */
import { RULES, type Severity } from './definitions.ts';
import type { Outcome } from './outcome.ts';

export type Decision =
  | {
      readonly action: 'raise';
      readonly outcome: Outcome;
      readonly severity: Severity;
      readonly escalated: boolean;
    }
  | {
      readonly action: 'resolve';
      readonly outcome: Outcome;
      readonly severity: Severity;
      readonly opened_at: number;
    };

type Open = { severity: Severity; raisedAt: number; openedAt: number };

const RANK: Record<Severity, number> = { info: 0, general: 1, key: 2 };

export type DecisionOptions = { readonly cooldownMs: number; readonly escalationFactor: number };
/** A week: a persistent condition is told again weekly while open (an assumption; configurable). */
export const DEFAULT_DECISIONS: DecisionOptions = { cooldownMs: 7 * 24 * 3_600_000, escalationFactor: 2 };

export class AlertBook {
  private readonly open = new Map<string, Open>();

  constructor(private readonly options: DecisionOptions = DEFAULT_DECISIONS) {}

  severityOf(o: Outcome): Severity {
    const base = RULES[o.rule].severity;
    if (base === 'general' && o.threshold > 0 && o.value >= o.threshold * this.options.escalationFactor)
      return 'key';
    return base;
  }

  decide(o: Outcome): Decision | undefined {
    const key = `${o.rule}|${o.subject_kind}|${o.subject_code}`;
    const current = this.open.get(key);
    if (o.breached) {
      const severity = this.severityOf(o);
      if (!current) {
        this.open.set(key, { severity, raisedAt: o.at, openedAt: o.at });
        return { action: 'raise', outcome: o, severity, escalated: false };
      }
      const escalated = RANK[severity] > RANK[current.severity];
      if (escalated || o.at - current.raisedAt >= this.options.cooldownMs) {
        this.open.set(key, {
          severity: escalated ? severity : current.severity,
          raisedAt: o.at,
          openedAt: current.openedAt,
        });
        return { action: 'raise', outcome: o, severity: escalated ? severity : current.severity, escalated };
      }
      return undefined;
    }
    if (current && o.resolve_below !== undefined && o.value < o.resolve_below) {
      this.open.delete(key);
      return { action: 'resolve', outcome: o, severity: current.severity, opened_at: current.openedAt };
    }
    return undefined;
  }

  get openCount(): number {
    return this.open.size;
  }

  openBySeverity(): Record<Severity, number> {
    const out: Record<Severity, number> = { key: 0, general: 0, info: 0 };
    for (const o of this.open.values()) out[o.severity]++;
    return out;
  }
}
