/**
 * Runs a dashboard's queries the way Grafana and the ClickHouse plugin would, with no Grafana:
 * variables resolved in order (each one's query sees the selections before it, as Grafana's
 * chained variables do), every query expanded by macros.ts with the panel's own interval, then
 * sent to ClickHouse (a server, or chDB with `USE <defaultDatabase>` standing in for the
 * datasource's default database). Used by the panel-query test.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { expandQuery, panelInterval, type QueryContext, type TemplateVariable } from './macros.ts';
import type { BuiltDashboard, Column, TargetCheck } from './src/builder.ts';

/**
 * Per variable: All, or the selected values. Unlisted: All if the variable has it, else its first
 * option; a single value no longer among the options also falls back to the first option.
 */
export type Selection = Readonly<Record<string, 'all' | readonly string[]>>;

export type QueryResult = {
  readonly sql: string;
  readonly columns: readonly Column[];
  readonly rows: readonly Record<string, unknown>[];
};

export async function runSql(client: ClickHouseClient, sql: string): Promise<Omit<QueryResult, 'sql'>> {
  const rs = await client.query({ query: sql, format: 'JSON' });
  const body = await rs.json<Record<string, unknown>>();
  return {
    columns: body.meta?.map((m) => [m.name, m.type] as const) ?? [],
    rows: body.data,
  };
}

/** The dashboard's variables with their options and current values under `selection`. */
export async function resolveVariables(
  client: ClickHouseClient,
  dashboard: BuiltDashboard,
  range: QueryContext['range'],
  selection: Selection = {},
): Promise<TemplateVariable[]> {
  const resolved: TemplateVariable[] = [];
  for (const v of dashboard.spec.variables) {
    const sql = expandQuery(v.sql, { range, intervalMs: panelInterval(range, {}), variables: resolved });
    const { rows } = await runSql(client, sql);
    const options = rows.map((r) => String(Object.values(r)[0]));
    const chosen = selection[v.name];
    let value: string | readonly string[];
    if (chosen === undefined || chosen === 'all') {
      if (v.includeAll) value = v.multi ? ['$__all'] : '$__all';
      else value = options[0] ?? '';
    } else if (v.multi) {
      value = chosen;
    } else {
      // Grafana moves a single-value variable to its first option when the value is gone.
      value = chosen[0] !== undefined && options.includes(chosen[0]) ? chosen[0] : (options[0] ?? '');
    }
    resolved.push({ name: v.name, current: { value }, options });
  }
  return resolved;
}

export async function runCheck(
  client: ClickHouseClient,
  check: TargetCheck,
  range: QueryContext['range'],
  variables: readonly TemplateVariable[],
): Promise<QueryResult> {
  const intervalMs = panelInterval(range, {
    ...(check.interval !== undefined && { interval: check.interval }),
    widthPx: check.widthPx,
  });
  const sql = expandQuery(check.rawSql, { range, intervalMs, variables });
  return { sql, ...(await runSql(client, sql)) };
}
