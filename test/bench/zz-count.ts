import { createSimulation } from '../../processors/simulator/simulate.ts';
import { createTopology } from '../../processors/topology.ts';
import { compilePacks } from '../../rules/packs/index.ts';
import { InMemoryHandOver } from '../../processors/stages/in-memory.ts';
const counts: Record<string, number> = {};
const orig = InMemoryHandOver.prototype.drain;
InMemoryHandOver.prototype.drain = function (deliver) {
  return orig.call(this, (st, i, m) => { const k = `${st}:${m.kind}`; counts[k] = (counts[k] ?? 0) + 1; deliver(st, i, m); });
};
const sim = createSimulation({ seed: 11, days: 10, institutions: 400 });
const lines = [...sim.lines()];
const t = createTopology({ pseudonymKey: 'bench-pseudonym-key-0123456789', packs: compilePacks() });
const t0 = performance.now();
let outs = 0; const kinds: Record<string, number> = {};
for (const l of lines) for (const o of t.process(l)) { outs++; kinds[o.kind] = (kinds[o.kind] ?? 0) + 1; }
for (const o of t.finish()) { outs++; kinds[o.kind] = (kinds[o.kind] ?? 0) + 1; }
console.log(lines.length, 'records', Math.round(lines.length / ((performance.now() - t0) / 1000)), 'ev/s', outs, 'outputs');
console.log(Object.entries(counts).map(([k, v]) => `${k} ${(v / lines.length).toFixed(2)}/rec`).join('\n'));
console.log(kinds);
