/**
 * The pure middle stays pure (ARCHITECTURE.md "One data path, pure in the middle"; STYLE.md §1):
 * `rules/`, the indicators, the stages, the topology and the early-warning, inspection and credit
 * alert code reach, through every import, no source, sink, store, client library or network,
 * file or process module. Imports are read from the source text and followed transitively, so a
 * pure file that imports an impure helper fails too.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const CORE = [
  'rules',
  'processors/indicators',
  'processors/stages',
  'processors/topology.ts',
  'processors/early-warning.ts',
  'processors/inspections.ts',
  'processors/credit-alerts.ts',
  'processors/outputs.ts',
  'processors/dedup.ts',
  'processors/arrays.ts',
];
/** Node modules a pure file may use: none that reaches outside the process. */
const PURE_NODE = new Set([
  'node:v8', // stage snapshots: bytes in memory
  'node:crypto', // deterministic ids (SipHash/SHA-256) and the HMAC pseudonyms: computation only
]);
/** Packages a pure file may use. */
const PURE_PACKAGES = new Set(['zod']);
/** Project folders and files that do I/O. */
const IMPURE = [
  'processors/kafka/',
  'processors/storage/',
  'processors/alerting/',
  'processors/cli/',
  // Every source and sink (io/sources, io/sinks) and the NDJSON reader.
  'processors/io/',
  'processors/run.ts',
  'processors/run-stage.ts',
  'processors/status-server.ts',
  'processors/metrics.ts',
  'processors/config.ts',
  'processors/state/directory-store.ts',
  'processors/state/jetstream-store.ts',
  'processors/state/open-store.ts',
];

function files(path: string): string[] {
  const abs = join(ROOT, path);
  if (statSync(abs).isFile()) return [path];
  return readdirSync(abs).flatMap((f) => files(join(path, f)));
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

/** Every violation reachable from `start`: `file → specifier`. */
function violations(start: string): string[] {
  const seen = new Set<string>();
  const bad: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const target = relative(ROOT, resolve(dirname(join(ROOT, file)), spec));
        if (IMPURE.some((p) => target === p || target.startsWith(p))) bad.push(`${file} → ${spec}`);
        else if (target.endsWith('.ts')) visit(target);
      } else if (spec.startsWith('node:') || !spec.includes('/') || spec.startsWith('@')) {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (spec.startsWith('node:') ? !PURE_NODE.has(spec) : !PURE_PACKAGES.has(pkg))
          bad.push(`${file} → ${spec}`);
      }
    }
  };
  visit(start);
  return bad;
}

const core = CORE.flatMap(files).filter((f) => f.endsWith('.ts'));

describe('the pure middle', () => {
  it(`has ${core.length} files to check`, () => {
    expect(core.length).toBeGreaterThan(50);
  });

  it.each(core)('%s reaches no I/O through its imports', (file) => {
    expect(violations(file)).toEqual([]);
  });

  it('would catch an impure import (the check itself)', () => {
    expect(violations('processors/run.ts').length).toBeGreaterThan(0);
  });
});
