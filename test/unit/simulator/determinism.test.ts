/** Same seed and options → byte-identical output; injections only add records. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSimulation, simulate } from '../../../processors/simulator/simulate.ts';
import type { MonitorEvent } from '../../../schemas/events.ts';

const SMALL = { days: 4, institutions: 150, eventsPerDay: 1500 } as const;

function digest(options: Record<string, unknown>): { hash: string; lines: number; labels: string } {
  const sim = createSimulation(options);
  const h = createHash('sha256');
  let lines = 0;
  for (const line of sim.lines()) {
    h.update(line);
    h.update('\n');
    lines++;
  }
  return { hash: h.digest('hex'), lines, labels: JSON.stringify(sim.labels) };
}

describe('simulator determinism', () => {
  it('the same seed and options give byte-identical records and labels', () => {
    const a = digest({ seed: 42, ...SMALL });
    const b = digest({ seed: 42, ...SMALL });
    expect(b).toEqual(a);
    expect(a.lines).toBeGreaterThan(4000);
  });

  it('a different seed gives a different feed', () => {
    expect(digest({ seed: 43, ...SMALL }).hash).not.toBe(digest({ seed: 42, ...SMALL }).hash);
  });

  it('records() can be run twice on one simulation with the same result', () => {
    const sim = createSimulation({ seed: 5, ...SMALL, days: 2 });
    const first = [...sim.lines()];
    expect([...sim.lines()]).toEqual(first);
  });

  it('simulate() streams the same lines as createSimulation().lines()', async () => {
    const options = { seed: 9, ...SMALL, days: 2 };
    const streamed: string[] = [];
    for await (const line of simulate(options)) streamed.push(line);
    expect(streamed).toEqual([...createSimulation(options).lines()]);
  });

  it('without injections the run is the same normal traffic: injected runs only add records (and peer_outlier raises one clinic’s prices)', () => {
    const options = { seed: 11, days: 35, institutions: 150, eventsPerDay: 1500 };
    const injected = createSimulation(options);
    const plain = createSimulation({ ...options, inject: false });
    expect(plain.labels).toEqual([]);
    const outlier = injected.labels.find((l) => l.rule === 'peer_outlier')!.subject_code;
    const byId = new Map<string, string>();
    for (const r of injected.records()) byId.set(r.event_id, JSON.stringify(r));
    let compared = 0;
    for (const r of plain.records()) {
      const mine = (r as MonitorEvent & { fixmedins_code?: string }).fixmedins_code;
      if (mine === outlier) continue;
      expect(byId.get(r.event_id)).toBe(JSON.stringify(r));
      compared++;
    }
    expect(compared).toBeGreaterThan(40_000);
    expect(byId.size).toBeGreaterThan(compared);
  });
});
