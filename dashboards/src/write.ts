/**
 * Writes dashboards/json/*.json and the provisioning YAML from the sources here, then formats the
 * JSON with biome so `biome check` stays clean. Run after changing a dashboard:
 *   node --import tsx dashboards/src/write.ts
 * The unit tests fail while the committed files differ from what this writes.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARDS, renderJson } from './index.ts';
import { PROVISIONING_FILES } from './provisioning.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const biome = resolve(root, '..', 'node_modules', '@biomejs', 'biome', 'bin', 'biome');

const written: string[] = [];
for (const d of DASHBOARDS) {
  const path = join(root, 'json', d.spec.file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderJson(d));
  written.push(path);
}
for (const [file, text] of Object.entries(PROVISIONING_FILES)) {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  written.push(path);
}
execFileSync(process.execPath, [biome, 'format', '--write', join(root, 'json')], { stdio: 'inherit' });
process.stdout.write(`${written.map((p) => `wrote ${p}`).join('\n')}\n`);
