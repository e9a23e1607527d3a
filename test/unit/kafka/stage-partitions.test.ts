/** The stage runner's partition bookkeeping (processors/kafka/stage/partitions.ts), without Kafka. */
import { describe, expect, it } from 'vitest';
import { StagePartitions } from '../../../processors/kafka/stage/partitions.ts';

const KEYS = ['in/0', 'in/1', 'in/2'];

/** in/0 committed at 5 of 10; in/1 empty; in/2 uncommitted, 4 records. */
function fresh(now = 0): StagePartitions {
  const p = new StagePartitions();
  p.reset(
    KEYS,
    new Map([['in/0', 5n]]),
    new Map([
      ['in/0', 10n],
      ['in/1', 0n],
      ['in/2', 4n],
    ]),
    now,
  );
  return p;
}

const idleQuery = { stopAtEnd: true, bySilence: false, idleMs: 1_000, now: 0 };

describe('StagePartitions', () => {
  it('reads on from the committed offset where nothing was read, and lag runs from there', () => {
    const p = fresh();
    expect(p.nextOffset('in/0')).toBe(5n);
    expect(p.nextOffset('in/2')).toBe(0n);
    p.startLag();
    expect(p.lag()).toEqual({ 'in/0': 5, 'in/1': 0, 'in/2': 4 });
  });

  it('a seek (checkpoint or rebuild) sets where reading goes on; offsets() is what a checkpoint saves', () => {
    const p = fresh();
    p.seek('in/0', 0n);
    p.seek('in/2', 3n);
    expect(p.nextOffset('in/0')).toBe(0n);
    expect(p.offsets()).toEqual({ 'in/0': '0', 'in/1': '0', 'in/2': '3' });
    p.applied('in/2', 3n);
    expect(p.offsets()['in/2']).toBe('4');
  });

  it('in a bounded run the empty partition is idle at once, the others once read to their end at assignment', () => {
    const p = fresh();
    expect(p.takeIdle(idleQuery)).toEqual(['in/1']);
    expect(p.takeIdle(idleQuery)).toEqual([]); // told once
    for (let o = 5n; o < 10n; o++) p.applied('in/0', o);
    expect(p.atEnd()).toBe(false);
    expect(p.takeIdle(idleQuery)).toEqual(['in/0']);
    for (let o = 0n; o < 4n; o++) p.applied('in/2', o);
    expect(p.atEnd()).toBe(true);
  });

  it('a partition committed to its end counts as read to it: no batch will come for it', () => {
    const p = new StagePartitions();
    p.reset(
      ['in/0', 'in/1'],
      new Map([['in/0', 10n]]),
      new Map([
        ['in/0', 10n],
        ['in/1', 0n],
      ]),
      0,
    );
    expect(p.atEnd()).toBe(true);
    p.reset(['in/0'], new Map([['in/0', 9n]]), new Map([['in/0', 10n]]), 0);
    expect(p.atEnd()).toBe(false);
  });

  it('by silence only when caught up with the newest end and silent for idleMs; a delivery takes it back', () => {
    const p = fresh();
    const q = { stopAtEnd: false, bySilence: true, idleMs: 1_000 };
    for (let o = 5n; o < 10n; o++) p.applied('in/0', o);
    p.batchDone('in/0', 9n, 12n, 0); // 2 more records appeared: not caught up
    expect(p.takeIdle({ ...q, now: 5_000 })).toEqual(['in/1']);
    p.applied('in/0', 10n);
    p.applied('in/0', 11n);
    p.batchDone('in/0', 11n, 12n, 5_000);
    expect(p.takeIdle({ ...q, now: 5_500 })).toEqual([]); // caught up, silent 500 ms only
    expect(p.takeIdle({ ...q, now: 6_001 })).toEqual(['in/0']);
    p.batchDone('in/0', undefined, 12n, 7_000); // it delivered: it may be told again later
    expect(p.takeIdle({ ...q, now: 7_500 })).toEqual([]);
    expect(p.takeIdle({ ...q, now: 8_001 })).toEqual(['in/0']);
  });

  it('time spent settling is no silence; records waiting are never idle however long silent', () => {
    const p = fresh();
    const q = { stopAtEnd: false, bySilence: true, idleMs: 1_000 };
    p.batchDone('in/1', undefined, 0n, 0);
    p.notSilentFor(10_000);
    expect(p.takeIdle({ ...q, now: 10_500 })).not.toContain('in/1');
    expect(p.takeIdle({ ...q, now: 11_001 })).toContain('in/1');
    expect(p.takeIdle({ ...q, now: 1e9 })).not.toContain('in/2'); // 4 records wait
  });

  it('a batch sets lag from its high watermark; reset forgets the previous assignment', () => {
    const p = fresh();
    p.applied('in/0', 7n);
    p.batchDone('in/0', 7n, 20n, 0);
    expect(p.lag()['in/0']).toBe(12);
    p.reset(['in/0'], new Map(), new Map([['in/0', 3n]]), 0);
    expect(p.nextOffset('in/0')).toBe(0n);
    expect(p.lag()).toEqual({ 'in/0': 0 });
  });
});
