/**
 * Read queries over the store for the `top` command and the tests: typed rows, numbers as numbers
 * (a server quotes 64-bit integers in JSON; chDB does not), ReplacingMergeTree tables read FINAL.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Severity } from '../outputs.ts';
import { checkDatabaseName } from './database.ts';

/**
 * How bad a level is, 0 (best) to 4 (worst), to rank subjects across the packs' scales
 * (EVENTS.md `level` values). A presentation order for the dashboards, not a rule: a pack's own
 * consequences follow its articles, not this rank.
 */
export const LEVEL_RISK: Readonly<Record<string, number>> = {
  'grade:A': 0,
  'grade:B': 1,
  'grade:C': 2,
  'grade:D': 3,
  'grade:E': 4,
  'level:trustworthy': 0,
  'level:minor': 1,
  'level:general': 2,
  'level:serious': 3,
  'level:severe': 4,
  'dishonesty:none': 0,
  'dishonesty:general': 2,
  'dishonesty:severe': 3,
  'dishonesty:joint': 4,
  'list:red': 0,
  'list:none': 0,
  'list:grey': 2,
  'list:black': 4,
};

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 1, general: 2, key: 3 };

/** `transform(expr, [keys], [values], default)` from a constant map (the keys are ours, not input). */
function transform(expr: string, map: Readonly<Record<string, number>>): string {
  const keys = Object.keys(map).map((k) => `'${k}'`);
  return `transform(${expr}, [${keys.join(', ')}], [${Object.values(map).join(', ')}], 0)`;
}

async function rows<T>(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const rs = await client.query({ query, format: 'JSONEachRow', query_params: params });
  return rs.json<T>();
}

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Open alerts: a firing row whose alert has no resolved row. One row per alert. */
/**
 * One row per open alert: per rule and subject, the raises since its last resolve (the newest
 * one's id, division and severity). A resolve has an id of its own — status and time are in it
 * (early-warning.ts) — so matching raises and resolves by id kept every raise open for ever.
 * The same definition as the dashboards' OPEN_ALERTS (dashboards/src/sql.ts).
 */
function openAlerts(db: string): string {
  return `SELECT argMax(f.alert_id, f.raised_at) AS alert_id, subject_kind, subject_code,
                 argMax(f.division, f.raised_at) AS division, argMax(f.severity, f.raised_at) AS severity
          FROM (SELECT alert_id, rule, subject_kind, subject_code, division, severity, raised_at
                FROM ${db}.alerts FINAL WHERE status = 'firing') AS f
          LEFT JOIN (SELECT rule, subject_kind, subject_code, max(raised_at) AS resolved_at
                     FROM ${db}.alerts FINAL WHERE status = 'resolved'
                     GROUP BY rule, subject_kind, subject_code) AS r
            USING (rule, subject_kind, subject_code)
          WHERE f.raised_at >= r.resolved_at
          GROUP BY rule, subject_kind, subject_code`;
}

export type RiskyInstitution = {
  readonly subject_code: string;
  readonly pack: string;
  readonly division: string;
  readonly scale: string;
  readonly level: string;
  /** LEVEL_RISK of the level, 0 when the institution has no standing or no level. */
  readonly level_risk: number;
  readonly score: number | null;
  readonly open_alerts: number;
  readonly worst_open_severity: Severity | null;
};

/** Institutions by worst level, then most open alerts, then code (stable for equal ranks). */
export async function riskiestInstitutions(
  client: ClickHouseClient,
  database: string,
  opts: { limit?: number; division?: string } = {},
): Promise<RiskyInstitution[]> {
  const db = checkDatabaseName(database);
  const got = await rows<Record<string, unknown>>(
    client,
    `WITH
       standing AS (
         SELECT subject_code, pack, division, scale, level, score,
                ${transform("concat(scale, ':', level)", LEVEL_RISK)} AS level_risk
         FROM ${db}.standings_current FINAL
         WHERE subject_kind = 'institution'
       ),
       open AS (
         SELECT subject_code, any(division) AS division, count() AS open_alerts,
                max(${transform('severity', SEVERITY_RANK)}) AS worst_severity_rank
         FROM (${openAlerts(db)})
         WHERE subject_kind = 'institution'
         GROUP BY subject_code
       )
     SELECT subject_code, s.pack AS pack, if(s.division != '', s.division, o.division) AS division,
            s.scale AS scale, s.level AS level, s.level_risk AS level_risk, s.score AS score,
            o.open_alerts AS open_alerts, o.worst_severity_rank AS worst_severity_rank
     FROM standing AS s
     FULL OUTER JOIN open AS o USING (subject_code)
     WHERE {division:String} = '' OR division = {division:String}
     ORDER BY level_risk DESC, open_alerts DESC, subject_code
     LIMIT {limit:UInt32}`,
    { limit: opts.limit ?? 20, division: opts.division ?? '' },
  );
  const bySeverityRank = new Map(Object.entries(SEVERITY_RANK).map(([k, v]) => [v, k as Severity]));
  return got.map((r) => ({
    subject_code: String(r.subject_code),
    pack: String(r.pack),
    division: String(r.division),
    scale: String(r.scale),
    level: String(r.level),
    level_risk: num(r.level_risk),
    score: numOrNull(r.score),
    open_alerts: num(r.open_alerts),
    worst_open_severity: bySeverityRank.get(num(r.worst_severity_rank)) ?? null,
  }));
}

export type OpenAlertsBySeverity = {
  readonly severity: Severity;
  readonly open_alerts: number;
  readonly subjects: number;
};

/** Open alerts per severity, worst first; severities with none are left out. */
export async function openAlertsBySeverity(
  client: ClickHouseClient,
  database: string,
  opts: { division?: string } = {},
): Promise<OpenAlertsBySeverity[]> {
  const db = checkDatabaseName(database);
  const got = await rows<Record<string, unknown>>(
    client,
    `SELECT severity, count() AS open_alerts, uniqExact(subject_kind, subject_code) AS subjects
     FROM (${openAlerts(db)})
     WHERE {division:String} = '' OR division = {division:String}
     GROUP BY severity
     ORDER BY ${transform('severity', SEVERITY_RANK)} DESC, severity`,
    { division: opts.division ?? '' },
  );
  return got.map((r) => ({
    severity: String(r.severity) as Severity,
    open_alerts: num(r.open_alerts),
    subjects: num(r.subjects),
  }));
}

export type ChainStatusNow = {
  readonly chain_id: string;
  readonly pack: string;
  readonly at: string;
  readonly branches: number;
  readonly evaluated_branches: number;
  readonly at_or_below_d: number;
  readonly share: number;
  readonly triggers: readonly string[];
};

/** Each chain's newest status, highest share first. `at` in China time (`YYYY-MM-DD hh:mm:ss.SSS`). */
export async function chainStatuses(
  client: ClickHouseClient,
  database: string,
  opts: { pack?: string } = {},
): Promise<ChainStatusNow[]> {
  const db = checkDatabaseName(database);
  const got = await rows<Record<string, unknown>>(
    client,
    `SELECT chain_id, pack, toString(at) AS at, branches, evaluated_branches, at_or_below_d, share, triggers
     FROM ${db}.chain_status FINAL
     WHERE {pack:String} = '' OR pack = {pack:String}
     ORDER BY pack, chain_id, at DESC
     LIMIT 1 BY pack, chain_id`,
    { pack: opts.pack ?? '' },
  );
  return got
    .map((r) => ({
      chain_id: String(r.chain_id),
      pack: String(r.pack),
      at: String(r.at),
      branches: num(r.branches),
      evaluated_branches: num(r.evaluated_branches),
      at_or_below_d: num(r.at_or_below_d),
      share: num(r.share),
      triggers: (r.triggers as string[]).map(String),
    }))
    .sort(
      (a, b) => b.share - a.share || a.pack.localeCompare(b.pack) || a.chain_id.localeCompare(b.chain_id),
    );
}
