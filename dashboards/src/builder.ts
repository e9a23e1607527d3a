/**
 * A small builder from dashboard specs to Grafana's dashboard JSON, typed with @grafana/schema
 * (Dashboard, Panel, VariableModel), and to the checks the panel-query test runs: every target
 * declares the columns (name and ClickHouse type) its panel reads, and whether it may be empty.
 */
import type { Dashboard, Panel, VariableModel } from '@grafana/schema';

/** The provisioned datasource (provisioning.ts): panels and variables point at its uid. */
export const DATASOURCE = { type: 'grafana-clickhouse-datasource', uid: 'yibao-clickhouse' } as const;
/** @grafana/schema's current dashboard schema version (a unit test keeps them equal). */
export const SCHEMA_VERSION = 42;
/** The grid is 24 columns wide; a column is about this many pixels on a 1920-px screen. */
const PX_PER_COLUMN = 78;

export type Column = readonly [name: string, clickhouseType: string];

export type Expect = {
  readonly columns: readonly Column[];
  /** Why the query may return no rows over the seeded data. Absent: it must return rows. */
  readonly mayBeEmpty?: string;
  /** Variable → the column whose values must lie in the variable's selection when not All. */
  readonly filters?: Readonly<Record<string, string>>;
};

/** Grafana's frame handling: `timeseries` (sqlds format 0, long → wide) or `table` (format 1). */
export type QueryFormat = 'timeseries' | 'table';

export type QuerySpec = { readonly format: QueryFormat; readonly sql: string; readonly expect: Expect };

export type PanelSpec = {
  readonly type: 'timeseries' | 'table' | 'stat' | 'barchart' | 'bargauge' | 'piechart';
  readonly title: string;
  readonly description: string;
  readonly w: number;
  readonly h: number;
  readonly queries: readonly QuerySpec[];
  /** Min interval: the floor of `$__interval` / `$__timeInterval`. */
  readonly interval?: string;
  readonly fieldConfig?: Panel['fieldConfig'];
  readonly options?: Record<string, unknown>;
};

export type VariableSpec = {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  /** One column, named like the variable; Grafana takes the first column as text and value. */
  readonly sql: string;
  /** The ClickHouse type of that column. */
  readonly columnType: string;
  readonly multi: boolean;
  readonly includeAll: boolean;
  /** 'load': on dashboard load; 'time': also when the time range changes (the query uses it). */
  readonly refresh: 'load' | 'time';
};

export type DashboardSpec = {
  readonly uid: string;
  readonly file: string;
  readonly title: string;
  readonly description: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh: string;
  readonly variables: readonly VariableSpec[];
  readonly panels: readonly PanelSpec[];
};

export type TargetCheck = {
  readonly dashboard: string;
  /** Panel id, or 0 for a variable's query. */
  readonly panelId: number;
  readonly title: string;
  readonly refId: string;
  readonly format: QueryFormat;
  readonly rawSql: string;
  readonly interval?: string;
  readonly widthPx: number;
  readonly expect: Expect;
};

export type BuiltDashboard = {
  readonly spec: DashboardSpec;
  readonly json: Dashboard;
  readonly checks: readonly TargetCheck[];
};

const FORMAT_CODE: Readonly<Record<QueryFormat, number>> = { timeseries: 0, table: 1 };

function variable(v: VariableSpec): VariableModel {
  const all = { text: ['All'], value: ['$__all'] };
  return {
    type: 'query',
    name: v.name,
    label: v.label,
    description: v.description,
    datasource: DATASOURCE,
    // CHVariableSupport reads `rawSql` from this object; older plugin versions pass the same
    // object to metricFindQuery, which takes SQL-editor queries (editorType 'sql').
    query: { refId: v.name, queryType: 'sql', editorType: 'sql', rawSql: v.sql },
    refresh: v.refresh === 'time' ? 2 : 1,
    includeAll: v.includeAll,
    multi: v.multi,
    ...(v.includeAll && { current: v.multi ? all : { text: 'All', value: '$__all' } }),
    options: [],
    regex: '',
    sort: 0,
    hide: 0,
    skipUrlSync: false,
  };
}

/** Panels flow left to right and wrap at 24 columns; a row is as tall as its tallest panel. */
function layout(panels: readonly PanelSpec[]): { x: number; y: number }[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map((p) => {
    if (x + p.w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const at = { x, y };
    x += p.w;
    rowHeight = Math.max(rowHeight, p.h);
    return at;
  });
}

export function buildDashboard(spec: DashboardSpec): BuiltDashboard {
  const positions = layout(spec.panels);
  const checks: TargetCheck[] = spec.variables.map((v) => ({
    dashboard: spec.uid,
    panelId: 0,
    title: `变量 ${v.name}`,
    refId: v.name,
    format: 'table',
    rawSql: v.sql,
    widthPx: 1_000,
    expect: { columns: [[v.name, v.columnType]] },
  }));
  const panels: Panel[] = spec.panels.map((p, i) => {
    const id = i + 1;
    const targets = p.queries.map((q, j) => {
      const refId = String.fromCharCode(65 + j);
      checks.push({
        dashboard: spec.uid,
        panelId: id,
        title: p.title,
        refId,
        format: q.format,
        rawSql: q.sql,
        ...(p.interval !== undefined && { interval: p.interval }),
        widthPx: p.w * PX_PER_COLUMN,
        expect: q.expect,
      });
      return {
        refId,
        datasource: DATASOURCE,
        editorType: 'sql',
        queryType: q.format,
        format: FORMAT_CODE[q.format],
        rawSql: q.sql,
      };
    });
    return {
      id,
      type: p.type,
      title: p.title,
      description: p.description,
      gridPos: { ...positions[i]!, w: p.w, h: p.h },
      datasource: DATASOURCE,
      ...(p.interval !== undefined && { interval: p.interval }),
      targets,
      fieldConfig: p.fieldConfig ?? { defaults: {}, overrides: [] },
      options: p.options ?? {},
    };
  });
  const json: Dashboard = {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['yibao'],
    timezone: 'Asia/Shanghai',
    editable: false,
    graphTooltip: 1,
    fiscalYearStartMonth: 0,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    time: spec.time,
    refresh: spec.refresh,
    links: [
      {
        title: '医保信用监管',
        type: 'dashboards',
        tags: ['yibao'],
        asDropdown: true,
        includeVars: true,
        keepTime: true,
        icon: 'external link',
        targetBlank: false,
        tooltip: '',
        url: '',
      },
    ],
    annotations: { list: [] },
    templating: { list: spec.variables.map(variable) },
    panels,
  };
  return { spec, json, checks };
}
