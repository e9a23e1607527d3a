/**
 * A panel query as the ClickHouse datasource sends it to ClickHouse, with no Grafana running
 * (ARCHITECTURE.md, Grafana): the same three steps, in the plugin's order.
 *
 * 1. Frontend, `CHDatasource.applyTemplateVariables`: `$__conditionalAll(cond, $var)` first
 *    (expand/conditional-all.ts), then Grafana's `templateSrv.replace` with the plugin's format
 *    function and the panel's scoped `__interval`/`__interval_ms` (expand/template.ts).
 * 2. Backend, sqlds → sqlutil.Interpolate with pkg/macros: `$__timeFilter`, `$__fromTime`,
 *    `$__timeInterval`, `$__interval_s`, ... (expand/backend.ts).
 * 3. The interval itself as Grafana computes it per panel (expand/interval.ts).
 *
 * Sources (grafana/clickhouse-datasource, grafana/grafana-plugin-sdk-go, grafana/grafana) are
 * named in each file; the unit tests replay the plugin's and SDK's own test cases.
 */
import { type BackendQuery, interpolateMacros } from './expand/backend.ts';
import { applyConditionalAll } from './expand/conditional-all.ts';
import { calculateInterval, secondsToHms } from './expand/interval.ts';
import { interpolateVariables, type TemplateVariable } from './expand/template.ts';

export { CLICKHOUSE_MACROS, formatIntervalGo, interpolateMacros, parseArgs } from './expand/backend.ts';
export { applyConditionalAll, macroArgs } from './expand/conditional-all.ts';
export {
  calculateInterval,
  intervalToMs,
  relativeTime,
  roundInterval,
  secondsToHms,
} from './expand/interval.ts';
export { clickhouseFormat, interpolateVariables, type TemplateVariable } from './expand/template.ts';

export type QueryContext = {
  /** Epoch milliseconds. */
  readonly range: { readonly from: number; readonly to: number };
  readonly intervalMs: number;
  readonly variables: readonly TemplateVariable[];
  /** Go's time.Local in the Grafana server (only `$__dateFilter` and `$__dt` print in it). */
  readonly serverTimeZone?: string;
};

/** The SQL ClickHouse receives for `rawSql` in this context. */
export function expandQuery(rawSql: string, ctx: QueryContext): string {
  const frontend = interpolateVariables(applyConditionalAll(rawSql, ctx.variables), ctx.variables, {
    __interval: { value: secondsToHms(ctx.intervalMs / 1000) },
    __interval_ms: { value: ctx.intervalMs },
  });
  const backend: BackendQuery = {
    from: ctx.range.from,
    to: ctx.range.to,
    intervalMs: ctx.intervalMs,
    serverTimeZone: ctx.serverTimeZone ?? 'UTC',
  };
  return interpolateMacros(frontend, backend);
}

/** Grafana's interval for a panel: its maxDataPoints or width as resolution, its `interval` as floor. */
export function panelInterval(
  range: QueryContext['range'],
  panel: { readonly interval?: string; readonly maxDataPoints?: number; readonly widthPx?: number },
): number {
  return calculateInterval(range, panel.maxDataPoints ?? panel.widthPx ?? 1_000, panel.interval).intervalMs;
}
