/**
 * Grafana's template-variable interpolation as the ClickHouse datasource calls it:
 * `getTemplateSrv().replace(rawSql, scopedVars, this.format)` (CHDatasource.applyTemplateVariables).
 *
 * - Grafana's variable regex (public/app/features/variables/utils.ts `variableRegex`) finds `$var`,
 *   `[[var]]`, `[[var:fmt]]`, `${var}` and `${var:fmt}`; an unknown name stays as written, so
 *   `$__timeFilter(...)`, `$__interval_s` and friends reach the plugin's backend untouched.
 * - Scoped variables win over dashboard variables (`__interval`, `__interval_ms` per query).
 * - A variable on All takes its custom `allValue` unformatted, or else every option's value
 *   (TemplateSrv `isAllValue` / `getAllValue` / "skip formatting of custom all values").
 * - Without `:fmt` the datasource's format applies: an array becomes `'a','b'` (no escaping), a
 *   single value is inserted raw (CHDatasource `format`). With `:fmt` Grafana's format registry
 *   applies; the formats here are the ones SQL panels use (scenes formatRegistry).
 */
import { MonitorError } from '../../schemas/errors.ts';

export type TemplateVariable = {
  readonly name: string;
  readonly current: { readonly value: string | readonly string[] };
  /** The values of the variable's options, without the All option. */
  readonly options: readonly string[];
  readonly allValue?: string;
};

export type ScopedValue = { readonly value: string | number };

const VARIABLE_REGEX = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

type Value = string | number | readonly string[];

const singleQuote = (v: string) => `'${v.replace(/'/g, "\\'")}'`;
const doubleQuote = (v: string) => `"${v.replace(/"/g, '\\"')}"`;
const sqlString = (v: string) => `'${v.replace(/'/g, "''")}'`;

function each(value: Value, f: (v: string) => string, join = ','): string {
  return Array.isArray(value) ? value.map((v) => f(String(v))).join(join) : f(String(value));
}

const FORMATS: Readonly<Record<string, (value: Value) => string>> = {
  singlequote: (v) => each(v, singleQuote),
  doublequote: (v) => each(v, doubleQuote),
  sqlstring: (v) => each(v, sqlString),
  csv: (v) => (Array.isArray(v) ? v.join(',') : String(v)),
  pipe: (v) => (Array.isArray(v) ? v.join('|') : String(v)),
  raw: (v) => String(v),
  json: (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
};

/** CHDatasource.format: the format used when the reference names none. */
export function clickhouseFormat(value: Value): string {
  if (Array.isArray(value)) return `'${value.join("','")}'`;
  return String(value);
}

function format(value: Value, fmt: string | undefined): string {
  if (fmt === undefined) return clickhouseFormat(value);
  const f = FORMATS[fmt];
  if (!f) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `variable format ":${fmt}" is not one the dashboards use: expected one of ${Object.keys(FORMATS).join(', ')}`,
      { format: fmt },
    );
  }
  return f(value);
}

/** Grafana's default format when none is given at all (a custom all value's own references). */
const glob = (v: Value) => (Array.isArray(v) && v.length > 1 ? `{${v.join(',')}}` : String(v));

const isAllValue = (v: string | readonly string[]) =>
  v === '$__all' || (Array.isArray(v) && v[0] === '$__all');

export function interpolateVariables(
  text: string,
  variables: readonly TemplateVariable[],
  scopedVars: Readonly<Record<string, ScopedValue>> = {},
): string {
  const byName = new Map(variables.map((v) => [v.name, v]));
  const replace = (target: string, outerFormat: 'datasource' | 'none'): string =>
    target.replace(VARIABLE_REGEX, (match, var1, var2, fmt2, var3, _fieldPath, fmt3) => {
      const name: string = var1 || var2 || var3;
      const fmt: string | undefined = fmt2 || fmt3 || undefined;
      const scoped = scopedVars[name];
      if (scoped !== undefined) return format(scoped.value, fmt);
      const variable = byName.get(name);
      if (!variable) return match;
      let value: Value = variable.current.value;
      if (isAllValue(variable.current.value)) {
        if (variable.allValue !== undefined) return replace(variable.allValue, 'none');
        value = variable.options;
      }
      if (outerFormat === 'none' && fmt === undefined) return glob(value);
      return format(value, fmt);
    });
  return replace(text, 'datasource');
}
