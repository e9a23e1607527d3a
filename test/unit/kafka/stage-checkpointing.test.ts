/**
 * The stage runner's checkpoints (processors/kafka/stage/checkpointing.ts) against an in-memory
 * store: a saved state comes back only for its own assignment and state version; anything else
 * is refused with its reason, logged, and the stage rebuilds from the log.
 */
import { describe, expect, it } from 'vitest';
import {
  Checkpointer,
  checkpointName,
  restoreCheckpoint,
} from '../../../processors/kafka/stage/checkpointing.ts';
import { createStageInstance, type StageInstanceOptions } from '../../../processors/stages/instance.ts';
import type { HandOver } from '../../../processors/stages/messages.ts';
import { STAGE_STATE_VERSION } from '../../../processors/stages/snapshot.ts';
import type { CheckpointStore, LoadResult, Snapshot } from '../../../processors/state/checkpoints.ts';
import { compileThresholds } from '../../../rules/early-warning/thresholds.ts';
import { compilePacks } from '../../../rules/packs/index.ts';

const handOver: HandOver = { send: () => {}, broadcast: () => {} };
const options: StageInstanceOptions = {
  stage: 'institution',
  pseudonymKey: 'stage-checkpointing-test-key-0123',
  packs: compilePacks(),
  thresholds: compileThresholds(),
  allowedLatenessMs: 60_000,
  handOver,
  assigned: ['0', '1'],
  sourcePartitions: ['in/0'],
  partitions: { institution: 2, person: 2, chain: 1 },
};
const KEYS = ['g.institution/0', 'g.institution/1'];

function memoryStore(): CheckpointStore & { saved: Map<string, Snapshot> } {
  const saved = new Map<string, Snapshot>();
  return {
    saved,
    async save(name, snapshot) {
      saved.set(name, snapshot);
    },
    async load(name, o): Promise<LoadResult> {
      const s = saved.get(name);
      if (!s) return { kind: 'none' };
      if (o?.version !== undefined && s.version !== o.version)
        return { kind: 'incompatible', reason: `state version ${s.version}, this build reads ${o.version}` };
      return { kind: 'ok', snapshot: { ...s, createdAt: '2026-12-07T00:00:00.000Z' } };
    },
  };
}

describe('stage checkpoints', () => {
  it('names a checkpoint by group and sorted assignment, hashing long ones', () => {
    const a = [
      { topic: 't', partition: 1 },
      { topic: 't', partition: 0 },
    ];
    expect(checkpointName('g.institution', a)).toBe('g_institution-0_1');
    const many = Array.from({ length: 80 }, (_, partition) => ({ topic: 't', partition }));
    const long = checkpointName('g.institution', many);
    expect(long.length).toBeLessThanOrEqual(117);
    expect(long).not.toBe(checkpointName('g.institution', many.slice(1)));
  });

  it('saves at most every everyMs, and restores the state with its offsets', async () => {
    const store = memoryStore();
    const c = new Checkpointer(store, 0);
    const stage = createStageInstance(options);
    await c.saveIfDue('n', stage, options, { [KEYS[0]!]: '7', [KEYS[1]!]: '3' });
    expect(c.saved).toBe(1);
    expect(c.bytes).toBeGreaterThan(0);
    expect(c.at).not.toBeNull();
    const slow = new Checkpointer(store, 60_000);
    await slow.saveIfDue('other', stage, options, {});
    expect(slow.saved).toBe(0);
    const log: string[] = [];
    const r = await restoreCheckpoint(store, 'n', KEYS, options, (_l, m, e) => log.push(`${e}: ${m}`));
    expect(r.instance).toBeDefined();
    expect(r.offsets).toEqual({ [KEYS[0]!]: '7', [KEYS[1]!]: '3' });
    expect(r.start).toMatchObject({ from: 'checkpoint', name: 'n' });
    expect(log).toEqual([expect.stringMatching(/^restored: institution: restored checkpoint n of /)]);
  });

  it('refuses, with the reason, a checkpoint without an offset for an assigned partition', async () => {
    const store = memoryStore();
    await new Checkpointer(store, 0).saveIfDue('n', createStageInstance(options), options, {
      [KEYS[0]!]: '7',
    });
    const log: string[] = [];
    const r = await restoreCheckpoint(store, 'n', KEYS, options, (_l, m) => log.push(m));
    expect(r.instance).toBeUndefined();
    expect(r.start).toEqual({ from: 'log', reason: `checkpoint n has no offset for ${KEYS[1]}` });
    expect(log).toEqual([
      `checkpoint n: checkpoint n has no offset for ${KEYS[1]}: not used, rebuilding institution from offset 0`,
    ]);
  });

  it('refuses another state version and another layout; none and off are rebuilt without a warning', async () => {
    const store = memoryStore();
    store.saved.set('old', { version: STAGE_STATE_VERSION - 1, offsets: {}, state: new Uint8Array() });
    const log: string[] = [];
    const old = await restoreCheckpoint(store, 'old', KEYS, options, (_l, m) => log.push(m));
    expect(old.start).toMatchObject({ from: 'log', reason: expect.stringContaining('state version') });
    await new Checkpointer(store, 0).saveIfDue('n', createStageInstance(options), options, {
      [KEYS[0]!]: '1',
      [KEYS[1]!]: '1',
    });
    const otherLayout = { ...options, partitions: { institution: 3, person: 2, chain: 1 } };
    const moved = await restoreCheckpoint(store, 'n', KEYS, otherLayout, (_l, m) => log.push(m));
    expect(moved.instance).toBeUndefined();
    expect(log).toHaveLength(2);
    expect(log[1]).toMatch(/^checkpoint n: .*: not used, rebuilding institution from offset 0$/);
    expect((await restoreCheckpoint(store, 'missing', KEYS, options, () => log.push('x'))).start).toEqual({
      from: 'log',
      reason: 'no checkpoint missing',
    });
    expect((await restoreCheckpoint(undefined, 'n', KEYS, options)).start).toEqual({
      from: 'log',
      reason: 'checkpoints are off',
    });
    expect(log).toHaveLength(2);
  });
});
