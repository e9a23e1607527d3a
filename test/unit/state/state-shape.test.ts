/**
 * Checkpoints are versioned data (issue 15): the fields of every state class a stage snapshot
 * holds are recorded in state-shape.json with the STAGE_STATE_VERSION they belong to. A class
 * that gains, loses or renames a field changes what `encodeStage` writes; restored under the old
 * version number, an old checkpoint would be misread without a word. So this test fails until the
 * version is bumped (processors/stages/snapshot.ts; older checkpoints are then refused with the
 * version they hold and rebuilt from the log) and the new shape recorded:
 *
 *   YIBAO_RECORD_STATE_SHAPE=1 npx vitest run test/unit/state/state-shape.test.ts
 *
 * The shape is read from the snapshot bytes themselves (the codec's class markers), after a
 * simulated feed that exercises every stage.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../../processors/simulator/simulate.ts';
import { STAGE_STATE_VERSION } from '../../../processors/stages/snapshot.ts';
import { createTopology } from '../../../processors/topology.ts';
import { compilePacks } from '../../../rules/packs/index.ts';

const FILE = join(import.meta.dirname, 'state-shape.json');
type Shape = { version: number; classes: Record<string, string[]> };

/** Per class name, the union of the own fields its instances carry in the snapshot. */
function shapeOf(bytes: Uint8Array, into: Map<string, Set<string>>): void {
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) return;
    if (Array.isArray(v) && v.length === 2 && v[0] instanceof String) {
      const fields = v[1] as Record<string, unknown>;
      const names = into.get(String(v[0])) ?? new Set<string>();
      for (const k of Object.keys(fields)) names.add(k);
      into.set(String(v[0]), names);
      visit(fields);
      return;
    }
    if (v instanceof Map)
      for (const [k, x] of v) {
        visit(k);
        visit(x);
      }
    else if (v instanceof Set) for (const x of v) visit(x);
    else for (const x of Object.values(v)) visit(x);
  };
  visit(deserialize(bytes));
}

let current: Shape;

beforeAll(async () => {
  const topology = createTopology({
    pseudonymKey: 'state-shape-test-key-0123456789ab',
    packs: compilePacks(),
    instances: { institution: 2, person: 2, chain: 1 },
  });
  for await (const raw of simulate({ seed: 29, days: 25, start: '2026-02-02', institutions: 150 }))
    topology.process(raw);
  const classes = new Map<string, Set<string>>();
  for (const states of Object.values(topology.snapshot())) for (const b of states) shapeOf(b, classes);
  current = {
    version: STAGE_STATE_VERSION,
    classes: Object.fromEntries(
      [...classes].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, f]) => [c, [...f].sort()]),
    ),
  };
  if (process.env.YIBAO_RECORD_STATE_SHAPE === '1')
    writeFileSync(FILE, `${JSON.stringify(current, null, 2)}\n`);
}, 120_000);

/** What changed between two shapes, class by class, in words. */
function changes(from: Shape, to: Shape): string[] {
  const out: string[] = [];
  for (const c of new Set([...Object.keys(from.classes), ...Object.keys(to.classes)])) {
    const a = new Set(from.classes[c] ?? []);
    const b = new Set(to.classes[c] ?? []);
    const added = [...b].filter((f) => !a.has(f));
    const removed = [...a].filter((f) => !b.has(f));
    if (!from.classes[c]) out.push(`${c}: new class`);
    else if (!to.classes[c]) out.push(`${c}: no longer in the state`);
    else if (added.length + removed.length > 0)
      out.push(`${c}: ${[...added.map((f) => `+${f}`), ...removed.map((f) => `-${f}`)].join(' ')}`);
  }
  return out;
}

describe('checkpoint state shape', () => {
  it('the state classes hold the fields recorded for this STAGE_STATE_VERSION', () => {
    const recorded = JSON.parse(readFileSync(FILE, 'utf8')) as Shape;
    const diff = changes(recorded, current);
    const todo =
      'bump STAGE_STATE_VERSION in processors/stages/snapshot.ts, then record the shape: ' +
      'YIBAO_RECORD_STATE_SHAPE=1 npx vitest run test/unit/state/state-shape.test.ts';
    if (recorded.version === current.version)
      expect(diff, `state classes changed under version ${current.version}: ${todo}`).toEqual([]);
    else
      expect.fail(
        `STAGE_STATE_VERSION is ${current.version}, the recorded shape is of version ${recorded.version}` +
          `${diff.length > 0 ? ` (${diff.join('; ')})` : ''}: record it (YIBAO_RECORD_STATE_SHAPE=1)`,
      );
  });

  it('the shape covers the stages’ own classes', () => {
    for (const c of ['InstitutionStage', 'PersonStage', 'ChainStage', 'IndicatorStore', 'CreditEngine'])
      expect(Object.keys(current.classes), c).toContain(c);
  });
});
