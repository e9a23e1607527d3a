/**
 * Reading the deploy files the way their tools do, for deploy.test.ts: the Dockerfile's
 * instructions, the compose file with its `${VAR}` interpolation and YAML merge keys, the
 * Kubernetes manifests kustomization.yaml lists, and the settings processors/config.ts accepts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const DEPLOY = join(ROOT, 'deploy');
export const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

// ---- processors/config.ts --------------------------------------------------------------------------

/** The keys of the SETTINGS object in processors/config.ts: every YIBAO_ variable the monitor knows. */
export function settingNames(): Set<string> {
  const source = read('processors/config.ts');
  const block = /const SETTINGS = \{([\s\S]*?)\n\} as const;/.exec(source);
  if (!block?.[1]) throw new Error('processors/config.ts: no `const SETTINGS = { … } as const;` block');
  return new Set([...block[1].matchAll(/^ {2}(YIBAO_[A-Z0-9_]+):/gm)].map((m) => m[1]!));
}

// ---- Dockerfile ------------------------------------------------------------------------------------

export type Instruction = { readonly keyword: string; readonly args: string; readonly stage: number };

/** Instructions in order, continuation lines joined and comments dropped; stage -1 is before FROM. */
export function dockerfile(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  let stage = -1;
  return logical.map((l) => {
    const [keyword = '', ...rest] = l.split(/\s+/);
    const k = keyword.toUpperCase();
    if (k === 'FROM') stage++;
    return { keyword: k, args: rest.join(' '), stage };
  });
}

/** The JSON (exec) form of ENTRYPOINT, CMD or HEALTHCHECK CMD. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  return JSON.parse(json) as string[];
}

/** `KEY=value KEY2=value2` of an ENV instruction (the values used here have no spaces). */
export function envPairs(args: string): Record<string, string> {
  return Object.fromEntries(
    args
      .split(/\s+/)
      .filter(Boolean)
      .map((p) => {
        const i = p.indexOf('=');
        return [p.slice(0, i), p.slice(i + 1)];
      }),
  );
}

// ---- compose ---------------------------------------------------------------------------------------

/** `NAME=value` lines of an env file (compose's .env), comments and blank lines skipped. */
export function envFile(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) vars.set(m[1]!, m[2]!.trim());
  }
  return vars;
}

const INTERPOLATION = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** The variables a compose value interpolates (`${A}`, `${A:-x}`, `${A:?msg}`, `$A`; `$$` is a `$`). */
export function referencedVariables(value: string): string[] {
  return [...value.matchAll(INTERPOLATION)].map((m) => m[1] ?? m[4]).filter((v): v is string => !!v);
}

/** Compose's interpolation of one value; a required variable that is unset or empty throws. */
export function interpolate(value: string, vars: ReadonlyMap<string, string>): string {
  return value.replace(INTERPOLATION, (whole, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare)!;
    const v = vars.get(name);
    const empty = v === undefined || (op?.startsWith(':') && v === '');
    switch (op) {
      case ':-':
      case '-':
        return empty ? (arg ?? '') : v!;
      case ':?':
      case '?':
        if (empty) throw new Error(`${name}: ${arg}`);
        return v!;
      case ':+':
      case '+':
        return empty ? '' : (arg ?? '');
      default:
        return v ?? '';
    }
  });
}

export type Service = {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: unknown;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean })[];
  ports?: string[];
  profiles?: string[];
  restart?: string;
};
export type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };

export const COMPOSE_FILE = 'deploy/compose/compose.yaml';
export const loadCompose = (): Compose => parse(read(COMPOSE_FILE), { merge: true }) as Compose;

/** A service's environment as a map, whichever of compose's two forms it uses. */
export function environment(s: Service): Map<string, string> {
  const env = new Map<string, string>();
  if (Array.isArray(s.environment)) {
    for (const item of s.environment) {
      const i = item.indexOf('=');
      env.set(i < 0 ? item : item.slice(0, i), i < 0 ? '' : item.slice(i + 1));
    }
  } else {
    for (const [k, v] of Object.entries(s.environment ?? {})) env.set(k, v === null ? '' : String(v));
  }
  return env;
}

export const argv = (c: string[] | string | undefined): string[] =>
  c === undefined ? [] : Array.isArray(c) ? c.map(String) : c.trim().split(/\s+/);

// ---- Kubernetes ------------------------------------------------------------------------------------

export type Probe = { httpGet?: { path?: string; port?: number | string }; exec?: unknown };
export type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
};
export type Container = {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    runAsNonRoot?: boolean;
  };
  volumeMounts?: { name: string; mountPath: string }[];
};
export type PodSpec = {
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string }; emptyDir?: unknown }[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
};
export type Metadata = {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> } & Record<string, unknown>;
    template?: { metadata: Metadata; spec: PodSpec };
    ports?: { name?: string; port: number; targetPort?: number | string }[];
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};
export type Manifest = { readonly file: string; readonly object: K8sObject };

export const K8S = 'deploy/k8s';
/** The template of the secrets, kept out of kustomization.yaml on purpose. */
export const SECRET_TEMPLATE = 'secret.example.yaml';

/** A kustomization.yaml: the base's (deploy/k8s) or an overlay's (`dir` under it). */
export const kustomization = (dir = '') =>
  parse(read(`${K8S}/${dir ? `${dir}/` : ''}kustomization.yaml`)) as {
    namespace: string;
    resources: string[];
    images?: { name: string; newName?: string; newTag?: string }[];
    patches?: { target: { kind: string; name: string }; patch: string }[];
  };

export function loadManifests(file: string): Manifest[] {
  return parseAllDocuments(read(`${K8S}/${file}`))
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null)
    .map((object) => ({ file, object }));
}

export const k8sYamlFiles = () =>
  readdirSync(join(ROOT, K8S)).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');

// ---- dashboards (written elsewhere; present or not) ------------------------------------------------

export function yamlFilesIn(dir: string): { file: string; doc: unknown }[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => ({ file: `${dir}/${f}`, doc: parse(read(`${dir}/${f}`)) }));
}

export function jsonFilesIn(dir: string): { file: string; doc: unknown }[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ file: `${dir}/${f}`, doc: JSON.parse(read(`${dir}/${f}`)) as unknown }));
}

// ---- what the image must contain ---------------------------------------------------------------------

const IMPORT =
  /(?:^|[;\s])(import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

/**
 * Every local file reached from `entry` through static and literal dynamic imports (type-only
 * imports are erased by tsx and left out), repository-relative, and every package imported.
 */
export function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = read(file).replace(/^\s*\/\/.*$/gm, '');
    for (const m of text.matchAll(IMPORT)) {
      if (m[2]) continue;
      const spec = (m[3] ?? m[4])!;
      if (spec.startsWith('.')) {
        visit(relativeTo(file, spec));
      } else if (!spec.startsWith('node:')) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
  };
  visit(entry);
  return { files, packages };
}

function relativeTo(from: string, spec: string): string {
  const abs = resolve(ROOT, from, '..', spec);
  return abs.slice(ROOT.length + 1);
}
