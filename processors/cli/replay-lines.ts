/**
 * One line of each replay file, fields in a fixed order: the contract's required fields first
 * (EVENTS.md "replay output"), then the extras. Fixed order keeps the output byte-identical.
 */
import type { ChainStatus } from '../../rules/chains.ts';
import type { LevelChange, Standing } from '../../rules/engine/standing.ts';
import type { Alert, InspectionTask, Rejected } from '../outputs.ts';

export function standingLine(s: Standing) {
  return {
    subject_kind: s.subject_kind,
    subject_code: s.subject_code,
    pack: s.pack,
    period: s.period,
    evaluated: s.evaluated,
    ...(s.excluded_reason !== undefined && { excluded_reason: s.excluded_reason }),
    scale: s.scale,
    level: s.level,
    ...(s.score !== undefined && { score: s.score }),
    policy_in_force: s.policy_in_force,
    division: s.division,
    as_of: s.as_of,
    reasons: s.reasons,
    consequences: s.consequences,
  };
}

export function gradeChangeLine(c: LevelChange) {
  return {
    subject_kind: c.subject_kind,
    subject_code: c.subject_code,
    pack: c.pack,
    at: c.at,
    from: c.from,
    to: c.to,
    reasons: c.reasons,
    scale: c.scale,
    ...(c.score !== undefined && { score: c.score }),
    division: c.division,
    ...(c.event_id !== undefined && { event_id: c.event_id }),
  };
}

export function alertLine(a: Alert) {
  const { kind: _kind, ...rest } = a;
  const head = {
    alert_id: a.alert_id,
    rule: a.rule,
    severity: a.severity,
    subject_kind: a.subject_kind,
    subject_code: a.subject_code,
    raised_at: a.raised_at,
    reasons: a.reasons,
  };
  return Object.assign(head, rest);
}

export function chainLine(c: ChainStatus) {
  return {
    chain_id: c.chain_id,
    pack: c.pack,
    branches: c.branches,
    at_or_below_d: c.at_or_below_d,
    share: c.share,
    triggers: c.triggers,
    evaluated_branches: c.evaluated_branches,
    trigger_articles: c.trigger_articles,
  };
}

export function inspectionLine(t: InspectionTask) {
  const { kind: _kind, ...rest } = t;
  const head = {
    task_id: t.task_id,
    subject_kind: t.subject_kind,
    subject_code: t.subject_code,
    reason_rule: t.reason_rule,
    basis: t.basis,
  };
  return Object.assign(head, rest);
}

export function rejectedLine(r: Rejected) {
  return {
    line: r.line ?? null,
    raw: r.raw,
    error: r.error,
    path: r.path,
    ...(r.raw_bytes !== undefined && { raw_bytes: r.raw_bytes, raw_sha256: r.raw_sha256 }),
  };
}
