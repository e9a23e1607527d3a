/**
 * The plugin's backend macros, applied after the frontend has interpolated the variables:
 * grafana/clickhouse-datasource pkg/macros/macros.go (the ClickHouse macros) run through
 * grafana-plugin-sdk-go data/sqlutil/macros.go `Interpolate` (sqlds v4 `Interpolate` delegates to it).
 *
 * sqlutil.Interpolate: the ClickHouse macros merged over the SDK's defaults, applied longest name
 * first; each name matched by `\$__name\b`, its arguments taken only from a bracket list that
 * follows the name at once, split on commas at depth 1 and trimmed (brackets inside string
 * literals count); every occurrence of a match's full text replaced with the macro's result.
 * An unbalanced bracket list is an error, as is a wrong argument count.
 *
 * Times: the backend receives the range as epoch ms and builds `time.Unix(...)` values in the
 * Grafana server's local zone. Only `$__dateFilter` (`toDate('2006-01-02')`) and `$__dt` print in
 * that zone; every other macro prints epoch seconds or milliseconds.
 */
import { MonitorError } from '../../schemas/errors.ts';

export type BackendQuery = {
  /** Epoch milliseconds. */
  readonly from: number;
  readonly to: number;
  /** The query's interval (Grafana's intervalMs). */
  readonly intervalMs: number;
  /** IANA zone of the Grafana server process (Go's time.Local); the official image runs in UTC. */
  readonly serverTimeZone: string;
};

type Macro = (q: BackendQuery, args: readonly string[]) => string;

function badArgs(expected: number, args: readonly string[]): never {
  // sqlutil.ErrorBadArgumentCount wrapped as the ClickHouse macros wrap it.
  throw new MonitorError(
    'CONFIG_INVALID',
    `unexpected number of arguments: expected ${expected} argument${expected === 1 ? '' : 's'}, received ${args.length}`,
    { args },
  );
}

function oneArg(args: readonly string[]): string {
  if (args.length !== 1) badArgs(1, args);
  return args[0]!;
}

const unix = (ms: number) => Math.floor(ms / 1000);
const toDateTime = (ms: number) => `toDateTime(${unix(ms)})`;
const toDateTime64 = (ms: number) => `fromUnixTimestamp64Milli(${Math.trunc(ms)})`;
/** Go `t.Format("2006-01-02")` in the server's zone. */
const dateIn = (ms: number, zone: string) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));
const toDate = (ms: number, zone: string) => `toDate('${dateIn(ms, zone)}')`;
/** Go `t.UTC().Format(time.RFC3339)`: whole seconds, `Z`. */
const rfc3339 = (ms: number) => `${new Date(unix(ms) * 1000).toISOString().slice(0, 19)}Z`;

const timeFilter: Macro = (q, args) => {
  const c = oneArg(args);
  return `${c} >= ${toDateTime(q.from)} AND ${c} <= ${toDateTime(q.to)}`;
};
const dateFilter: Macro = (q, args) => {
  const c = oneArg(args);
  return `${c} >= ${toDate(q.from, q.serverTimeZone)} AND ${c} <= ${toDate(q.to, q.serverTimeZone)}`;
};
const dateTimeFilter: Macro = (q, args) => {
  if (args.length !== 2) badArgs(2, args);
  return `(${dateFilter(q, [args[0]!])}) AND (${timeFilter(q, [args[1]!])})`;
};
/** Go `int(math.Max(d.Seconds(), 1))`. */
const intervalSeconds = (q: BackendQuery) => Math.trunc(Math.max(q.intervalMs / 1000, 1));

/** grafana-plugin-sdk-go backend/gtime FormatInterval, for the SDK's default `$__interval`. */
export function formatIntervalGo(ms: number): string {
  const units: [number, string][] = [
    [365 * 86_400_000, 'y'],
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1_000, 's'],
    [1, 'ms'],
  ];
  for (const [size, unit] of units) if (ms >= size) return `${Math.floor(ms / size)}${unit}`;
  return '1ms';
}

/** pkg/macros/macros.go `Macros`. */
export const CLICKHOUSE_MACROS: Readonly<Record<string, Macro>> = {
  fromTime: (q) => toDateTime(q.from),
  toTime: (q) => toDateTime(q.to),
  fromTime_ms: (q) => toDateTime64(q.from),
  toTime_ms: (q) => toDateTime64(q.to),
  timeFilter,
  timeFilter_ms: (q, args) => {
    const c = oneArg(args);
    return `${c} >= ${toDateTime64(q.from)} AND ${c} <= ${toDateTime64(q.to)}`;
  },
  dateFilter,
  dateTimeFilter,
  dt: dateTimeFilter,
  timeInterval: (q, args) =>
    `toStartOfInterval(toDateTime(${oneArg(args)}), INTERVAL ${intervalSeconds(q)} second)`,
  timeInterval_ms: (q, args) =>
    `toStartOfInterval(toDateTime64(${oneArg(args)}, 3), INTERVAL ${Math.trunc(Math.max(q.intervalMs, 1))} millisecond)`,
  interval_s: (q) => String(intervalSeconds(q)),
};

/** sqlutil.DefaultMacros; `timeFilter` is the ClickHouse one. `$__table`/`$__column` are '' for SQL-editor queries. */
const SDK_DEFAULT_MACROS: Readonly<Record<string, Macro>> = {
  interval: (q) => formatIntervalGo(q.intervalMs),
  interval_ms: (q) => String(Math.trunc(q.intervalMs)),
  timeFrom: (q, args) => `${oneArg(args)} >= '${rfc3339(q.from)}'`,
  timeTo: (q, args) => `${oneArg(args)} <= '${rfc3339(q.to)}'`,
  timeGroup: (_q, args) => {
    if (args.length !== 2) badArgs(1, args); // sic: the SDK's message says 1
    const parts = ['minute', 'hour', 'day', 'month', 'year'];
    const start = parts.indexOf(args[1]!);
    if (start < 0) return '';
    return parts
      .slice(start)
      .map((p) => `datepart(${p}, ${args[0]})`)
      .join(',');
  },
  table: () => '',
  column: () => '',
};

/** sqlutil `parseArgs`: the bracket list at the start of `s`, or none; length -1 when unbalanced. */
export function parseArgs(s: string): { args: string[] | undefined; length: number } {
  if (!s.startsWith('(')) return { args: undefined, length: 0 };
  const args: string[] = [];
  let depth = 0;
  let arg = '';
  for (let i = 0; i < s.length; i++) {
    const r = s[i]!;
    if (r === '(') {
      depth++;
      if (depth === 1) continue;
    } else if (r === ')') {
      depth--;
      if (depth === 0) {
        args.push(arg.trim());
        return { args, length: i + 1 };
      }
    } else if (r === ',' && depth === 1) {
      args.push(arg.trim());
      arg = '';
      continue;
    }
    arg += r;
  }
  return { args: undefined, length: -1 };
}

export function interpolateMacros(rawSql: string, q: BackendQuery): string {
  const macros: Record<string, Macro> = { ...SDK_DEFAULT_MACROS, ...CLICKHOUSE_MACROS };
  // Longest first (Go's sort.Slice is not stable; ties are broken by name here, which cannot
  // change the result: no macro's output contains another macro's name).
  const names = Object.keys(macros).sort((a, b) => b.length - a.length || a.localeCompare(b));
  let sql = rawSql;
  for (const name of names) {
    const matches: { full: string; args: readonly string[] }[] = [];
    for (const m of sql.matchAll(new RegExp(`\\$__${name}\\b`, 'g'))) {
      const end = m.index + m[0].length;
      const { args, length } = parseArgs(sql.slice(end));
      if (length < 0) {
        throw new MonitorError(
          'CONFIG_INVALID',
          `failed to parse macro arguments (missing close bracket?) in $__${name}: ${sql.slice(m.index, m.index + 80)}`,
          { macro: name },
        );
      }
      matches.push({ full: sql.slice(m.index, end + length), args: args ?? [] });
    }
    for (const match of matches) {
      sql = sql.split(match.full).join(macros[name]!(q, match.args));
    }
  }
  return sql;
}
