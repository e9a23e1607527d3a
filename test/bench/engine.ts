/**
 * 1. The engine against the floor. The same simulator records, generated into memory as strings
 * first, go through (a) the floor — JSON.parse and one Map counter per institution — and (b) the
 * whole topology (`process` per line, then `finish`). Then a CPU profile of (b) (inspector API),
 * top self-time functions.
 */
import { Session } from 'node:inspector/promises';
import { availableParallelism } from 'node:os';
import { createSimulation } from '../../processors/simulator/simulate.ts';
import { createTopology } from '../../processors/topology.ts';
import { compilePacks } from '../../rules/packs/index.ts';
import { type Bench, round } from './common.ts';

const KEY = 'bench-pseudonym-key-0123456789';

function floor(lines: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const l of lines) {
    const r = JSON.parse(l) as { fixmedins_code?: string; subject_code?: string };
    const k = r.fixmedins_code ?? r.subject_code ?? '';
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts.size;
}

function topology(lines: readonly string[], packs: ReturnType<typeof compilePacks>): number {
  const t = createTopology({ pseudonymKey: KEY, packs });
  let outputs = 0;
  for (const l of lines) outputs += t.process(l).length;
  outputs += t.finish().length;
  return outputs;
}

function timed<T>(f: () => T): { seconds: number; result: T } {
  const t0 = performance.now();
  const result = f();
  return { seconds: (performance.now() - t0) / 1000, result };
}

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
};

export function topSelfTime(
  profile: { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] },
  n: number,
): { fn: string; ms: number; share: number }[] {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!);
    if (!node) continue;
    const dt = (deltas[i] ?? 0) / 1000;
    const cf = node.callFrame;
    const file = cf.url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
    const name = `${cf.functionName || '(anonymous)'} ${file ? `${file}:${cf.lineNumber + 1}` : ''}`.trim();
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([fn, ms]) => ({ fn, ms: round(ms), share: round((ms / total) * 100, 1) }));
}

export const engineBench: Bench = {
  name: 'engine',
  description:
    'topology.process vs a JSON.parse + Map floor on ~300k in-memory simulator records; CPU profile',
  async run(ctx) {
    const days = ctx.quick ? 10 : 60;
    const sim = createSimulation({ seed: 11, days, institutions: 400 });
    const t0 = performance.now();
    const lines = [...sim.lines()];
    ctx.log(
      `generated ${lines.length} records (${days} days, 400 institutions) in ${round((performance.now() - t0) / 1000, 1)} s`,
    );
    const packs = compilePacks();

    // warm-up on a slice, so the first timed pass is not the JIT's
    floor(lines.slice(0, 20_000));
    topology(lines.slice(0, 20_000), packs);

    const floorRuns = [0, 1, 2].map(() => timed(() => floor(lines)).seconds);
    const floorRate = lines.length / Math.min(...floorRuns);
    const topoRuns = [0, 1].map(() => timed(() => topology(lines, packs)).seconds);
    const topoRate = lines.length / Math.min(...topoRuns);
    const note = `${lines.length} records, best of ${floorRuns.length}/${topoRuns.length}, one thread`;
    ctx.report({ name: 'floor (JSON.parse + Map counter)', value: round(floorRate), unit: 'events/s', note });
    ctx.report({
      name: 'topology.process + finish',
      value: round(topoRate),
      unit: 'events/s',
      target: '≥ 150,000 events/s on one core',
      met: topoRate >= 150_000,
      note,
    });
    ctx.report({
      name: 'ratio topology / floor',
      value: round(topoRate / floorRate, 3),
      target: '≥ 0.5',
      met: topoRate / floorRate >= 0.5,
    });

    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const profiled = timed(() => topology(lines, packs));
    const { profile } = (await session.post('Profiler.stop')) as unknown as {
      profile: Parameters<typeof topSelfTime>[0];
    };
    session.disconnect();
    ctx.log(
      `CPU profile of (b): ${round(profiled.seconds, 2)} s under the profiler; top 10 self time (${availableParallelism()} cores, Node ${process.version}):`,
    );
    for (const r of topSelfTime(profile, 10))
      ctx.log(`  ${String(r.share).padStart(5)}%  ${r.ms} ms  ${r.fn}`);
  },
};
