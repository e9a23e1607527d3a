/**
 * `$__conditionalAll(condition, $var)`, resolved by the plugin's frontend before anything else
 * (grafana/clickhouse-datasource src/data/CHDatasource.ts, `applyConditionalAll` and
 * `getMacroArgs`, called first in `applyTemplateVariables`). Ported line for line, quirks included:
 * - macros are resolved from the last one backwards (`lastIndexOf`);
 * - arguments split on commas at bracket depth 1 only, and brackets inside string literals count;
 * - a macro without exactly two arguments stops the whole pass and leaves the text as it is;
 * - the variable is `$name` or `${name}` (`/(?<=\$\{)[\w\d]+(?=\})|(?<=\$)[\w\d]+/`); its
 *   `current.value.toString()` equal to '' or '$__all' gives `1=1`, anything else (or an unknown
 *   variable) keeps the condition as written, still holding its `${var}` references;
 * - the text replaced is `$__conditionalAll(` + arg0 + ',' + arg1 + ')', first occurrence only,
 *   through String.prototype.replace (so `$&`-style patterns in the condition act as in the plugin).
 */

export type ConditionalAllVariable = {
  readonly name: string;
  readonly current: { readonly value: string | readonly string[] };
};

const MACRO = '$__conditionalAll(';
const VARIABLE = /(?<=\$\{)[\w\d]+(?=\})|(?<=\$)[\w\d]+/;

/** The plugin's `getMacroArgs`: `argsIndex` points at the opening bracket. [] when unbalanced. */
export function macroArgs(query: string, argsIndex: number): string[] {
  const args: string[] = [];
  const re = /\(|\)|,/g;
  let bracketCount = 0;
  let lastArgEndIndex = 1;
  const argsSubstr = query.substring(argsIndex, query.length);
  for (let m = re.exec(argsSubstr); m !== null; m = re.exec(argsSubstr)) {
    const foundNode = m[0];
    if (foundNode === '(') bracketCount++;
    else if (foundNode === ')') bracketCount--;
    if (foundNode === ',' && bracketCount === 1) {
      args.push(argsSubstr.substring(lastArgEndIndex, re.lastIndex - 1));
      lastArgEndIndex = re.lastIndex;
    }
    if (bracketCount === 0) {
      args.push(argsSubstr.substring(lastArgEndIndex, re.lastIndex - 1));
      return args;
    }
  }
  return [];
}

export function applyConditionalAll(rawQuery: string, variables: readonly ConditionalAllVariable[]): string {
  if (!rawQuery) return rawQuery;
  let query = rawQuery;
  let macroIndex = query.lastIndexOf(MACRO);
  while (macroIndex !== -1) {
    const params = macroArgs(query, macroIndex + MACRO.length - 1);
    if (params.length !== 2) return query;
    const [condition, variableParam] = params as [string, string];
    const templateVar = VARIABLE.exec(variableParam.trim());
    let phrase = condition;
    if (templateVar) {
      const key = variables.find((v) => v.name === templateVar[0]);
      const value = key?.current.value.toString();
      if (value === '' || value === '$__all') phrase = '1=1';
    }
    query = query.replace(`${MACRO}${condition},${variableParam})`, phrase);
    macroIndex = query.lastIndexOf(MACRO);
  }
  return query;
}
