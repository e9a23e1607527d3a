/**
 * The early-warning stage: records → indicator windows → rule outcomes at window boundaries →
 * alert decisions → alerts. Credit outputs add the credit-side warnings (chain proximity).
 */

import {
  AlertBook,
  DEFAULT_DECISIONS,
  type Decision,
  type DecisionOptions,
} from '../rules/early-warning/decisions.ts';
import { RULES } from '../rules/early-warning/definitions.ts';
import { warningReasons } from '../rules/early-warning/law.ts';
import type { Outcome } from '../rules/early-warning/outcome.ts';
import type { Thresholds } from '../rules/early-warning/thresholds.ts';
import type { ChainChange } from '../rules/engine/standing.ts';
import { toIso } from '../rules/engine/time.ts';
import type { MonitorEvent } from '../schemas/events.ts';
import { stableId } from './ids.ts';
import { IndicatorStore } from './indicators/store.ts';
import type { PersonHandOver, ReadmissionHandOver } from './indicators/visits.ts';
import type { Alert, IndicatorSnapshotOutput } from './outputs.ts';

export type EarlyWarningOptions = {
  readonly allowedLatenessMs: number;
  readonly thresholds: Thresholds;
  readonly decisions?: DecisionOptions;
  /** Institution stage of a split topology: person-side work goes to the person stage. */
  readonly persons?: PersonHandOver;
  /** Person stage of a split topology: readmissions go back to the institution stage. */
  readonly readmissions?: ReadmissionHandOver;
};

export function alertFromDecision(d: Decision): Alert {
  const o = d.outcome;
  const def = RULES[o.rule];
  const status = d.action === 'raise' ? 'firing' : 'resolved';
  return {
    kind: 'alert',
    alert_id: stableId('alert', o.rule, o.subject_kind, o.subject_code, o.at, o.occurrence, status),
    rule: o.rule,
    severity: d.severity,
    title: def.title,
    subject_kind: o.subject_kind,
    subject_code: o.subject_code,
    division: o.division,
    pack: o.pack,
    raised_at: toIso(o.at),
    status,
    // The pack's own early-warning article and seed, or none for a division no pack covers.
    reasons: [
      ...warningReasons(o.rule, o.pack, o.division, o.detail),
      { rule: `${o.rule}.threshold`, assumption: def.assumption },
    ],
    explanation: {
      indicator: o.indicator,
      value: o.value,
      threshold: o.threshold,
      window: o.window,
      ...(o.baseline !== undefined && { baseline: o.baseline }),
    },
    evidence: o.evidence.slice(0, 10),
  };
}

/**
 * Credit-side warnings (chain stage): a chain one more D branch away from a brand-wide trigger.
 * `book` holds the chains' open warnings.
 */
export function chainProximityAlerts(
  book: AlertBook,
  thresholds: Thresholds,
  changes: readonly ChainChange[],
): Alert[] {
  const alerts: Alert[] = [];
  for (const o of changes) {
    const s = o.status;
    const th = thresholds('chain_threshold_proximity', s.pack, null);
    for (const [rule, need] of Object.entries(s.branches_to_trigger).sort()) {
      const d = book.decide({
        rule: 'chain_threshold_proximity',
        subject_kind: 'chain',
        subject_code: s.chain_id,
        division: null,
        pack: s.pack,
        at: Date.parse(o.at),
        breached: need <= th.branches,
        resolve_below: 0.5,
        value: need <= th.branches ? 1 : 0,
        threshold: 1,
        window: RULES.chain_threshold_proximity.window,
        indicator: RULES.chain_threshold_proximity.indicator,
        detail: `${s.at_or_below_d}/${s.evaluated_branches} 家分店为D级及以下，再有 ${need} 家即触发 ${rule}`,
        evidence: [],
        occurrence: rule,
      });
      if (d) alerts.push(alertFromDecision(d));
    }
  }
  return alerts;
}

/**
 * Indicator windows and their alert decisions, for one stage instance: records go into the
 * windows as they arrive; boundaries are evaluated once the watermark passes them; outcomes
 * become alert decisions (and institution/practitioner outcomes indicator snapshots).
 */
export class EarlyWarningStage {
  readonly store: IndicatorStore;
  readonly book: AlertBook;

  constructor(readonly options: EarlyWarningOptions) {
    this.store = new IndicatorStore({
      allowedLatenessMs: options.allowedLatenessMs,
      thresholds: options.thresholds,
      ...(options.persons && { persons: options.persons }),
      ...(options.readmissions && { readmissions: options.readmissions }),
    });
    this.book = new AlertBook(options.decisions ?? DEFAULT_DECISIONS);
  }

  /** One institution-stage record at `t` (its occurred_at) into the windows (no evaluation). */
  apply(event: MonitorEvent, t = Date.parse(event.occurred_at)): void {
    switch (event.type) {
      case 'institution':
        this.store.registerInstitution(event);
        break;
      case 'settlement':
        this.store.applySettlement(event, t);
        break;
      case 'settlement_reversal':
        this.store.applyReversal(event, t);
        break;
      case 'claim_audit':
        this.store.applyAudit(event, t);
        break;
      default:
        this.store.advanceEventTime(t);
        break;
    }
  }

  /** Outcomes of every boundary up to the watermark (and `cap`), or of every pending one with `all`. */
  outcomesDue(all: boolean, cap = Number.POSITIVE_INFINITY): Outcome[] {
    return this.store.evaluateDue(all, cap);
  }

  /** Outcomes → alert decisions, and indicator snapshots for institutions and practitioners. */
  decide(outcomes: readonly Outcome[]): (Alert | IndicatorSnapshotOutput)[] {
    const out: (Alert | IndicatorSnapshotOutput)[] = [];
    for (const o of outcomes) {
      if (!o.quiet && (o.subject_kind === 'institution' || o.subject_kind === 'practitioner')) {
        const inst = o.subject_kind === 'institution' ? o.subject_code : undefined;
        out.push({
          kind: 'indicator_snapshot',
          at: toIso(o.at),
          subject_kind: o.subject_kind,
          subject_code: o.subject_code,
          division: o.division,
          institution_kind: inst ? (this.store.info.get(inst)?.kind ?? null) : null,
          indicator: o.indicator,
          window: o.window,
          value: o.value,
        });
      }
      const d = this.book.decide(o);
      if (d) out.push(alertFromDecision(d));
    }
    return out;
  }
}
