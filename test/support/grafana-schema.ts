// Type-checks dashboard JSON against @grafana/schema (grafana-model.ts `CheckedDashboard`) with
// the TypeScript compiler: each JSON text becomes an object literal assigned to that type in a
// file of its own, so a key the schema does not have (an excess property), a value of the wrong
// type or outside an enum, or a missing required field is a compile error naming the path.
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MODEL = join(import.meta.dirname, 'grafana-model.ts');

/** `file`: the name given; `line`: the JSON text's line (from 1); `message`: the compiler's. */
export type SchemaProblem = { readonly file: string; readonly line: number; readonly message: string };

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
  types: [],
};

/** Problems of each `{name, json}` as a `CheckedDashboard`; [] when all of them fit. */
export function checkDashboardsAgainstSchema(
  files: readonly { readonly name: string; readonly json: string }[],
): SchemaProblem[] {
  const virtual = new Map<string, string>();
  for (const f of files) {
    const path = join(dirname(MODEL), `__schema_check__${f.name.replace(/\W/g, '_')}.ts`);
    virtual.set(
      path,
      `import type { CheckedDashboard } from './grafana-model.ts';\nexport const dashboard: CheckedDashboard = ${f.json.trim()};\n`,
    );
  }
  const host = ts.createCompilerHost(OPTIONS, true);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const source = host.getSourceFile.bind(host);
  host.readFile = (p) => virtual.get(p) ?? read(p);
  host.fileExists = (p) => virtual.has(p) || exists(p);
  host.getSourceFile = (p, lang, ...rest) =>
    virtual.has(p) ? ts.createSourceFile(p, virtual.get(p)!, lang, true) : source(p, lang, ...rest);
  host.getCurrentDirectory = () => ROOT;
  const program = ts.createProgram({ rootNames: [...virtual.keys()], options: OPTIONS, host });
  const names = new Map([...virtual.keys()].map((p, i) => [p, files[i]!.name]));
  const problems: SchemaProblem[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file?.fileName;
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
    problems.push({
      file: (file && names.get(file)) ?? file ?? '(program)',
      // TypeScript counts lines from 0 and the generated file starts with the import, so this is
      // the line of the JSON text, counted from 1.
      line,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    });
  }
  return problems;
}
