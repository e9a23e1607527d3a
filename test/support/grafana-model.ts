// The dashboard JSON this project emits, as the types of @grafana/schema describe it, for the
// unit test that type-checks each committed dashboards/json file (grafana-schema.ts). Grafana's
// own types, read as JSON: string enums become their values (a JSON file holds 'absolute', not
// ThresholdsMode.Absolute), numeric enums stay (TypeScript refuses a number outside the enum).
// The panel-type parts come from the same package: each panel's `options` against its plugin's
// Options and `fieldConfig.defaults.custom` against its FieldConfig, both partial because Grafana
// fills what a panel leaves out from the plugin's defaults. The targets and variable queries are
// the ClickHouse plugin's (grafana/clickhouse-datasource v4, src/types/sql.ts `CHSqlQuery`), which
// @grafana/schema only knows as `DataQuery`.
import type {
  Dashboard,
  DataQuery,
  DataSourceRef,
  FieldConfig,
  FieldConfigSource,
  MatcherConfig,
  Panel,
  VariableModel,
} from '@grafana/schema';
import type * as BarChart from '@grafana/schema/dist/esm/raw/composable/barchart/panelcfg/x/BarChartPanelCfg_types.gen';
import type * as BarGauge from '@grafana/schema/dist/esm/raw/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen';
import type * as PieChart from '@grafana/schema/dist/esm/raw/composable/piechart/panelcfg/x/PieChartPanelCfg_types.gen';
import type * as Stat from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type * as Table from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen';
import type * as TimeSeries from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

/** A type as JSON holds it: string enums as their string values; keys and optionality kept. */
export type Json<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? Json<U>[]
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

/** The same with every key optional at every depth: what a panel may leave to the defaults. */
export type PartialJson<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? PartialJson<U>[]
      : T extends object
        ? { [K in keyof T]?: PartialJson<T[K]> }
        : T;

/** grafana/clickhouse-datasource v4 src/types/queryBuilder.ts `QueryType`. */
type ClickHouseQueryType = 'table' | 'logs' | 'timeseries' | 'traces';

/**
 * A panel target: the plugin's `CHSqlQuery` (src/types/sql.ts) — editorType 'sql', rawSql, and
 * `format`, the sqlds format option the backend reads (0 time series, 1 table, 2 logs, 3 trace,
 * 4 multi: grafana/sqlds query.go `FormatQueryOption`).
 */
export type ClickHouseTarget = Omit<Json<DataQuery>, 'datasource' | 'queryType'> & {
  datasource: Json<DataSourceRef>;
  editorType: 'sql';
  rawSql: string;
  format?: 0 | 1 | 2 | 3 | 4;
  queryType?: ClickHouseQueryType;
  pluginVersion?: string;
  meta?: { timezone?: string };
  expand?: boolean;
};

/**
 * A query variable's `query` (VariableModel.query is `string | Record<string, unknown>`): the same
 * CHSqlQuery. queryType may also be 'sql', the plugin's v3 editor type that v4 renamed
 * editorType, kept for older plugins (dashboards/src/builder.ts).
 */
export type ClickHouseVariableQuery = Omit<ClickHouseTarget, 'datasource' | 'queryType' | 'format'> & {
  queryType?: ClickHouseQueryType | 'sql';
};

/** Grafana's DataLink (@grafana/data, which @grafana/schema leaves as `unknown`): the fields we use. */
type DataLink = { title: string; url: string; targetBlank?: boolean };

/** An override property: the field-config paths Grafana's editors write, typed; custom.* by plugin. */
type OverrideProperty<Custom> =
  | { id: 'unit'; value: string }
  | { id: 'displayName'; value: string }
  | { id: 'decimals'; value: number }
  | { id: 'links'; value: DataLink[] }
  | {
      [K in keyof Custom & string]: { id: `custom.${K}`; value: PartialJson<Custom[K]> };
    }[keyof Custom & string];

type Override<Custom> = {
  matcher: Json<MatcherConfig> & { id: 'byName' | 'byRegexp' | 'byType' | 'byFrameRefID'; options: string };
  properties: OverrideProperty<Custom>[];
};

type CheckedFieldConfig<Custom> = Omit<Json<FieldConfigSource>, 'defaults' | 'overrides'> & {
  defaults: Omit<Json<FieldConfig>, 'custom' | 'links'> & {
    custom?: PartialJson<Custom>;
    links?: DataLink[];
  };
  overrides: Override<Custom>[];
};

type PanelOf<Type extends string, Options, Custom> = Omit<
  Json<Panel>,
  'type' | 'options' | 'fieldConfig' | 'targets' | 'datasource'
> & {
  type: Type;
  datasource: Json<DataSourceRef>;
  targets: ClickHouseTarget[];
  options: PartialJson<Options>;
  fieldConfig: CheckedFieldConfig<Custom>;
};

/** Panel types without a custom field config of their own (stat, bar gauge). */
type NoCustom = Record<never, never>;

export type CheckedPanel =
  | PanelOf<'table', Table.Options, Table.FieldConfig>
  | PanelOf<'stat', Stat.Options, NoCustom>
  | PanelOf<'timeseries', TimeSeries.Options, TimeSeries.FieldConfig>
  | PanelOf<'barchart', BarChart.Options, BarChart.FieldConfig>
  | PanelOf<'bargauge', BarGauge.Options, NoCustom>
  | PanelOf<'piechart', PieChart.Options, PieChart.FieldConfig>;

export type CheckedVariable = Omit<Json<VariableModel>, 'type' | 'query' | 'datasource'> & {
  type: 'query';
  datasource: Json<DataSourceRef>;
  query: ClickHouseVariableQuery;
};

export type CheckedDashboard = Omit<Json<Dashboard>, 'panels' | 'templating'> & {
  panels: CheckedPanel[];
  templating: { list: CheckedVariable[] };
};
