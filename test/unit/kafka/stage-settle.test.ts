/** Settling a batch (processors/kafka/stage/settle.ts): the order, and nothing committed after a failure. */
import { describe, expect, it } from 'vitest';
import { batchSettler } from '../../../processors/kafka/stage/settle.ts';
import type { TopologyOutput } from '../../../processors/outputs.ts';

function steps(failAt?: string) {
  const done: string[] = [];
  let waited = -1;
  let settlingSeen = false;
  const step = (name: string) => async () => {
    done.push(name);
    settlingSeen ||= settler.settling();
    if (name === failAt) throw new Error(`${name} failed`);
  };
  const settler = batchSettler({
    flushMarks: () => void done.push('marks'),
    flushHandOver: step('hand-over'),
    emit: step('emit'),
    flush: step('flush'),
    onWaited: (ms) => {
      waited = ms;
    },
  });
  return { settler, done, commit: step('commit'), waited: () => waited, settlingSeen: () => settlingSeen };
}

const outs = [{ kind: 'alert' }] as unknown as TopologyOutput[];

describe('batchSettler', () => {
  it('marks, hand-over, sinks, flush, then the commit; the wait is reported', async () => {
    const s = steps();
    await s.settler.settle(outs, s.commit);
    expect(s.done).toEqual(['marks', 'hand-over', 'emit', 'flush', 'commit']);
    expect(s.settlingSeen()).toBe(true);
    expect(s.settler.settling()).toBe(false);
    expect(s.waited()).toBeGreaterThanOrEqual(0);
  });

  it('no outputs: nothing emitted; no commit given: none made', async () => {
    const s = steps();
    await s.settler.settle([]);
    expect(s.done).toEqual(['marks', 'hand-over', 'flush']);
  });

  it('a sink that fails: no commit, the error goes up, settling is over and the wait reported', async () => {
    const s = steps('emit');
    await expect(s.settler.settle(outs, s.commit)).rejects.toThrow('emit failed');
    expect(s.done).toEqual(['marks', 'hand-over', 'emit']);
    expect(s.settler.settling()).toBe(false);
    expect(s.waited()).toBeGreaterThanOrEqual(0);
  });
});
