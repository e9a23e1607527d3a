/**
 * The records the sink stores, and the pure functions that turn each into a row of its table
 * (schemas/clickhouse/001_base.sql). No I/O: the same record always gives the same row, so a
 * record written again lands on the same ReplacingMergeTree key.
 *
 * Row conventions: times in China time as `YYYY-MM-DD hh:mm:ss.SSS` (the columns are
 * DateTime64(3, 'Asia/Shanghai'), so no input-format setting is needed); an absent division, pack,
 * level or text is '' (sorting keys cannot be NULL); structured fields are JSON text.
 */

import type { ChainStatus } from '../../rules/chains.ts';
import type { Standing } from '../../rules/engine/standing.ts';
import { MonitorError } from '../../schemas/errors.ts';
import { keptRaw } from '../../schemas/kept-raw.ts';
import { stableId } from '../ids.ts';
import type { Alert, IndicatorSnapshotOutput, InspectionTask, Rejected, TopologyOutput } from '../outputs.ts';

export const TABLES = [
  'indicator_snapshots',
  'alerts',
  'level_changes',
  'standings_current',
  'chain_status',
  'inspection_tasks',
  'dead_letters',
  'pipeline_metrics',
] as const;
export type TableName = (typeof TABLES)[number];

/** A subject's standing as `topology.standings()` gives it; `version` defaults to as_of in ms. */
export type StandingRecord = {
  readonly kind: 'standing';
  readonly standing: Standing;
  readonly version?: number;
};
/** A chain's status at an instant, e.g. `topology.chains()` at the end of a replay. */
export type ChainStatusRecord = {
  readonly kind: 'chain_status';
  readonly at: string;
  readonly status: ChainStatus;
};
/** The topology's indicator snapshot output (processors/outputs.ts). */
export type IndicatorSnapshot = IndicatorSnapshotOutput;
/** A rejected record with where it came from; a bare `Rejected` output is stored the same way. */
export type DeadLetter = {
  readonly kind: 'dead_letter';
  readonly received_at: string;
  readonly source: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number | string;
  readonly line?: number;
  readonly raw: string;
  readonly raw_bytes?: number;
  readonly raw_sha256?: string;
  readonly error: string;
  readonly path: string;
};
export type PipelineMetric = {
  readonly kind: 'pipeline_metric';
  readonly at: string;
  readonly stage: string;
  readonly metric: string;
  readonly value: number;
};

export type StorageRecord = TopologyOutput | StandingRecord | ChainStatusRecord | DeadLetter | PipelineMetric;

export type AlertRow = {
  alert_id: string;
  rule: string;
  severity: string;
  title: string;
  subject_kind: string;
  subject_code: string;
  division: string;
  pack: string;
  raised_at: string;
  status: string;
  reasons: string;
  explanation: string;
  evidence: string[];
};
export type LevelChangeRow = {
  change_id: string;
  subject_kind: string;
  subject_code: string;
  pack: string;
  division: string;
  scale: string;
  at: string;
  from: string;
  to: string;
  score: number | null;
  reasons: string;
  event_id: string;
};
export type StandingRow = {
  subject_kind: string;
  subject_code: string;
  pack: string;
  division: string;
  period: number;
  evaluated: boolean;
  excluded_reason: string;
  scale: string;
  level: string;
  score: number | null;
  policy_in_force: boolean;
  as_of: string;
  reasons: string;
  version: number;
};
export type ChainStatusRow = {
  chain_id: string;
  pack: string;
  at: string;
  branches: number;
  evaluated_branches: number;
  at_or_below_d: number;
  share: number;
  triggers: string[];
};
export type InspectionTaskRow = {
  task_id: string;
  subject_kind: string;
  subject_code: string;
  division: string;
  pack: string;
  reason_rule: string;
  basis: string;
  created_at: string;
  detail: string;
};
export type IndicatorSnapshotRow = {
  at: string;
  subject_kind: string;
  subject_code: string;
  division: string;
  kind: string;
  indicator: string;
  window: string;
  value: number;
};
export type DeadLetterRow = {
  received_at: string;
  source: string;
  topic: string;
  partition: number;
  offset: string;
  line: number;
  raw: string;
  raw_bytes: number;
  raw_sha256: string;
  error: string;
  path: string;
};
export type PipelineMetricRow = { at: string; stage: string; metric: string; value: number };

export type RowOf = {
  indicator_snapshots: IndicatorSnapshotRow;
  alerts: AlertRow;
  level_changes: LevelChangeRow;
  standings_current: StandingRow;
  chain_status: ChainStatusRow;
  inspection_tasks: InspectionTaskRow;
  dead_letters: DeadLetterRow;
  pipeline_metrics: PipelineMetricRow;
};
export type TableRow = { [T in TableName]: { readonly table: T; readonly row: RowOf[T] } }[TableName];

const CHINA_OFFSET_MS = 8 * 3_600_000;

function epochMs(value: string | number, field: string): number {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new MonitorError(
      'INTERNAL',
      `${field}=${JSON.stringify(value)} is not a timestamp: expected RFC 3339 with offset`,
      { field, value },
    );
  }
  return ms;
}

/** RFC 3339 (any offset) or epoch ms → `YYYY-MM-DD hh:mm:ss.SSS` in China time. */
export function chinaDateTime(value: string | number, field = 'time'): string {
  return new Date(epochMs(value, field) + CHINA_OFFSET_MS).toISOString().slice(0, 23).replace('T', ' ');
}

const text = (v: string | null | undefined): string => v ?? '';

export function alertRow(a: Alert): AlertRow {
  return {
    alert_id: a.alert_id,
    rule: a.rule,
    severity: a.severity,
    title: a.title,
    subject_kind: a.subject_kind,
    subject_code: a.subject_code,
    division: text(a.division),
    pack: text(a.pack),
    raised_at: chinaDateTime(a.raised_at, 'alert.raised_at'),
    status: a.status,
    reasons: JSON.stringify(a.reasons),
    explanation: JSON.stringify(a.explanation ?? {}),
    evidence: [...(a.evidence ?? [])],
  };
}

/** change_id: the same subject reaching the same level at the same instant is the same change. */
export function levelChangeId(c: {
  subject_kind: string;
  subject_code: string;
  pack: string | null;
  at: string;
  to: string | null;
}): string {
  return stableId('change', c.subject_kind, c.subject_code, c.pack, epochMs(c.at, 'level_change.at'), c.to);
}

export function levelChangeRow(c: Extract<TopologyOutput, { kind: 'level_change' }>): LevelChangeRow {
  return {
    change_id: levelChangeId(c),
    subject_kind: c.subject_kind,
    subject_code: c.subject_code,
    pack: text(c.pack),
    division: text(c.division),
    scale: text(c.scale),
    at: chinaDateTime(c.at, 'level_change.at'),
    from: text(c.from),
    to: text(c.to),
    score: c.score ?? null,
    reasons: JSON.stringify(c.reasons),
    event_id: text(c.event_id),
  };
}

export function standingRow(r: StandingRecord): StandingRow {
  const s = r.standing;
  return {
    subject_kind: s.subject_kind,
    subject_code: s.subject_code,
    pack: text(s.pack),
    division: text(s.division),
    period: s.period,
    evaluated: s.evaluated,
    excluded_reason: text(s.excluded_reason),
    scale: text(s.scale),
    level: text(s.level),
    score: s.score ?? null,
    policy_in_force: s.policy_in_force,
    as_of: chinaDateTime(s.as_of, 'standing.as_of'),
    reasons: JSON.stringify(s.reasons),
    version: r.version ?? epochMs(s.as_of, 'standing.as_of'),
  };
}

export function chainStatusRow(at: string, s: ChainStatus): ChainStatusRow {
  return {
    chain_id: s.chain_id,
    pack: s.pack,
    at: chinaDateTime(at, 'chain_status.at'),
    branches: s.branches,
    evaluated_branches: s.evaluated_branches,
    at_or_below_d: s.at_or_below_d,
    share: s.share,
    triggers: [...s.triggers],
  };
}

export function inspectionTaskRow(t: InspectionTask): InspectionTaskRow {
  return {
    task_id: t.task_id,
    subject_kind: t.subject_kind,
    subject_code: t.subject_code,
    division: text(t.division),
    pack: text(t.pack),
    reason_rule: t.reason_rule,
    basis: t.basis,
    created_at: chinaDateTime(t.created_at, 'inspection.created_at'),
    detail: text(t.detail),
  };
}

export function indicatorSnapshotRow(s: IndicatorSnapshot): IndicatorSnapshotRow {
  return {
    at: chinaDateTime(s.at, 'indicator_snapshot.at'),
    subject_kind: s.subject_kind,
    subject_code: s.subject_code,
    division: text(s.division),
    kind: text(s.institution_kind),
    indicator: s.indicator,
    window: s.window,
    value: s.value,
  };
}

/**
 * A bare `Rejected` output has no arrival time or transport position: `receivedAt` is the sink's
 * clock, the source its `origin` (or 'input'), and partition and offset -1 ("not from Kafka").
 */
export function deadLetterRow(r: Rejected | DeadLetter, receivedAt: string | number): DeadLetterRow {
  const d = r.kind === 'dead_letter' ? r : undefined;
  return {
    received_at: chinaDateTime(d?.received_at ?? receivedAt, 'dead_letter.received_at'),
    source: d?.source ?? (r.kind === 'rejected' ? (r.origin ?? 'input') : 'input'),
    topic: text(d?.topic),
    partition: d?.partition ?? -1,
    // Kafka offsets are 64-bit and kafkajs hands them out as strings; ClickHouse reads the
    // quoted number into Int64 exactly.
    offset: String(d?.offset ?? -1),
    line: r.line ?? 0,
    raw: r.raw,
    raw_bytes: r.raw_bytes ?? 0,
    raw_sha256: r.raw_sha256 ?? '',
    error: r.error,
    path: r.path,
  };
}

/**
 * A row ClickHouse refused, kept as a dead letter (source `clickhouse`, topic and path its table)
 * with the server's error: the rows carry tokens only, never clear personal data.
 */
export function refusedRowDeadLetter(table: string, row: object, error: string, at: number): DeadLetterRow {
  const text = JSON.stringify(row);
  return {
    received_at: chinaDateTime(at, 'dead_letter.received_at'),
    source: 'clickhouse',
    topic: table,
    partition: -1,
    offset: '-1',
    line: 0,
    raw_bytes: 0,
    raw_sha256: '',
    ...keptRaw(text, text),
    error,
    path: table,
  };
}

export function pipelineMetricRow(m: PipelineMetric): PipelineMetricRow {
  return { at: chinaDateTime(m.at, 'pipeline_metric.at'), stage: m.stage, metric: m.metric, value: m.value };
}

/**
 * The row a record becomes, or undefined for records with no table of their own: pack expiries
 * and credit notices reach the store as the alerts `creditAlerts` makes of them.
 */
export function toTableRow(r: StorageRecord, receivedAt: string | number): TableRow | undefined {
  switch (r.kind) {
    case 'alert':
      return { table: 'alerts', row: alertRow(r) };
    case 'level_change':
      return { table: 'level_changes', row: levelChangeRow(r) };
    case 'standing':
      return { table: 'standings_current', row: standingRow(r) };
    case 'chain_change':
      return { table: 'chain_status', row: chainStatusRow(r.at, r.status) };
    case 'chain_status':
      return { table: 'chain_status', row: chainStatusRow(r.at, r.status) };
    case 'inspection':
      return { table: 'inspection_tasks', row: inspectionTaskRow(r) };
    case 'indicator_snapshot':
      return { table: 'indicator_snapshots', row: indicatorSnapshotRow(r) };
    case 'rejected':
    case 'dead_letter':
      return { table: 'dead_letters', row: deadLetterRow(r, receivedAt) };
    case 'pipeline_metric':
      return { table: 'pipeline_metrics', row: pipelineMetricRow(r) };
    case 'policy_expired':
    case 'credit_notice':
      return undefined;
    default: {
      // A new output kind must be given a table here (or no table, on purpose).
      const unmapped: never = r;
      return unmapped;
    }
  }
}
