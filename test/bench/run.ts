/**
 * `npm run bench [-- --only NAME[,NAME]] [-- --quick]`: runs each benchmark in its own Node
 * process (chDB binds one data directory per process, and one benchmark's heap must not weigh on
 * the next), one after another, and prints every figure with its target, whether it was met, the
 * core count and the Node version. Run it on an otherwise idle machine: the figures are wall-clock.
 */
import { spawn } from 'node:child_process';
import { backlogBench } from './backlog.ts';
import { clickhouseBench } from './clickhouse-alone.ts';
import { type Bench, type Figure, formatFigure, machine } from './common.ts';
import { endToEndBench } from './end-to-end.ts';
import { engineBench } from './engine.ts';
import { latencyDefault, latencyFast } from './latency.ts';
import { replayBench } from './replay.ts';
import { stateBench } from './state.ts';

const BENCHES: Bench[] = [
  engineBench,
  stateBench,
  clickhouseBench,
  replayBench,
  backlogBench,
  endToEndBench,
  latencyDefault,
  latencyFast,
];
const FIGURE = 'BENCH-FIGURE ';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const childAt = argv.indexOf('--child');
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',').filter(Boolean) : undefined;

if (argv.includes('--help')) {
  process.stdout.write(
    `npm run bench -- [--only NAME[,NAME]] [--quick]\n\n${BENCHES.map((b) => `  ${b.name.padEnd(11)} ${b.description}`).join('\n')}\n`,
  );
  process.exit(0);
}

if (childAt >= 0) {
  // One benchmark, in this process; figures go to the parent as tagged JSON lines.
  const bench = BENCHES.find((b) => b.name === argv[childAt + 1]);
  if (!bench) throw new Error(`no benchmark ${argv[childAt + 1]}`);
  await bench.run({
    quick,
    args: argv,
    report: (f) => process.stdout.write(`${FIGURE}${JSON.stringify({ bench: bench.name, ...f })}\n`),
    log: (l) => process.stdout.write(`${l}\n`),
  });
  process.exit(0);
}

const unknown = (only ?? []).filter((n) => !BENCHES.some((b) => b.name === n));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown benchmark ${unknown.join(', ')}: one of ${BENCHES.map((b) => b.name).join(', ')}\n`,
  );
  process.exit(2);
}

function runChild(bench: Bench, figures: Figure[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, process.argv[1]!, '--child', bench.name, ...(quick ? ['--quick'] : [])],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let rest = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      rest += d;
      const lines = rest.split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) {
        if (l.startsWith(FIGURE)) {
          const f = JSON.parse(l.slice(FIGURE.length)) as Figure;
          figures.push(f);
          process.stdout.write(`${formatFigure(f)}\n`);
        } else process.stdout.write(`${l}\n`);
      }
    });
    child.on('close', resolve);
  });
}

const figures: Figure[] = [];
const failed: string[] = [];
process.stdout.write(
  `# yibao-credit-monitor benchmarks ${new Date().toISOString()} — ${machine()}${quick ? ' (quick)' : ''}\n`,
);
for (const bench of BENCHES) {
  if (only && !only.includes(bench.name)) continue;
  process.stdout.write(`\n## ${bench.name}: ${bench.description}\n`);
  const t0 = performance.now();
  const code = await runChild(bench, figures);
  if (code !== 0) failed.push(bench.name);
  process.stdout.write(
    `(${bench.name} ${code === 0 ? 'took' : `FAILED (exit ${code}) after`} ${Math.round((performance.now() - t0) / 1000)} s)\n`,
  );
}
const missed = figures.filter((f) => f.target && !f.met);
process.stdout.write(
  `\n${figures.length} figures, ${figures.filter((f) => f.target).length} with targets, ${missed.length} missed${missed.length ? `: ${missed.map((f) => `${f.bench}/${f.name}`).join('; ')}` : ''}${failed.length ? `; failed: ${failed.join(', ')}` : ''}\n`,
);
process.stdout.write(`JSON ${JSON.stringify({ machine: machine(), quick, figures })}\n`);
process.exitCode = failed.length > 0 ? 1 : 0;
