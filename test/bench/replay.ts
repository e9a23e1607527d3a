/**
 * 6. Replay: a year of a county's feed (simulated: 365 days, 300 institutions, 28,000 settlements
 * a day, ≥ 10 million records) through `yibao-monitor replay` in a child process under
 * /usr/bin/time -v: wall time, records/s and peak RSS. The feed is generated once into
 * $BENCH_DIR (default /tmp/ybench) and reused; --quick uses 30 days. BENCH_REPLAY_RECORDS=N
 * replays only the first N records (the session limit of 20 min did not fit 10M on 2 cores);
 * the figures then include the extrapolation to the whole file.
 */

import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { type Bench, mib, round, runNode } from './common.ts';

export const replayBench: Bench = {
  name: 'replay',
  description: 'a year of a county (≥ 10M simulated records) through `replay`: wall time, peak RSS',
  async run(ctx) {
    const dir = process.env.BENCH_DIR ?? '/tmp/ybench';
    mkdirSync(dir, { recursive: true });
    const days = ctx.quick ? 30 : 365;
    const opts = [
      '--days',
      String(days),
      '--institutions',
      '300',
      '--events-per-day',
      '28000',
      '--seed',
      '7',
    ];
    const file = join(dir, `year-d${days}-i300-e28000-s7.ndjson`);
    if (!existsSync(file)) {
      ctx.log(`generating ${file} (once; minutes for a year)…`);
      const t0 = performance.now();
      const gen = await runNode([
        'processors/cli/bin.mjs',
        'simulate',
        '--out',
        `${file}.part`,
        '--labels',
        `${file}.labels.json`,
        ...opts,
      ]);
      if (gen.code !== 0) throw new Error(`simulate failed: ${gen.stderr.slice(-2000)}`);
      renameSync(`${file}.part`, file);
      ctx.log(`generated in ${round((performance.now() - t0) / 1000)} s`);
    }
    const total = await countLines(file);
    const limit = Number(process.env.BENCH_REPLAY_RECORDS ?? 0);
    let input = file;
    if (limit > 0 && limit < total) {
      input = `${file}.first-${limit}`;
      if (!existsSync(input)) await head(file, input, limit);
      ctx.log(`replaying the first ${limit} of ${total} records`);
    }
    const out = join(dir, `replay-out-${days}`);
    rmSync(out, { recursive: true, force: true });
    const t0 = performance.now();
    const r = await runNode(['processors/cli/bin.mjs', 'replay', '--input', input, '--out', out], {
      ...process.env,
      YIBAO_PROGRESS: 'false',
    });
    const wall = (performance.now() - t0) / 1000;
    if (r.code !== 0) throw new Error(`replay failed: ${r.stderr.slice(-2000)}`);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      input_records: number;
      alerts: number;
      late: number;
    };
    const note = `${summary.input_records.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} records (${days} days, 300 institutions); ${summary.alerts} alerts`;
    ctx.report({
      name: 'replay wall time',
      value: round(wall, 1),
      unit: 's',
      target: '≤ 1200 s for ≥ 10M records (the session limit)',
      met: wall <= 1200 && summary.input_records >= 10_000_000,
      note,
    });
    ctx.report({ name: 'replay throughput', value: round(summary.input_records / wall), unit: 'records/s' });
    ctx.report({
      name: 'replay peak RSS',
      value: r.maxRssKiB !== null ? mib(r.maxRssKiB * 1024) : 'n/a',
      unit: 'MiB',
      note: '/usr/bin/time -v',
    });
    if (summary.input_records < total) {
      const whole = (total / summary.input_records) * wall;
      ctx.report({
        name: `replay wall time extrapolated to all ${total.toLocaleString('en-US')} records`,
        value: round(whole),
        unit: 's',
        target: '≤ 1200 s',
        met: whole <= 1200,
        note: 'linear: the windows are bounded (32-day idle eviction), so the rate after the first month holds',
      });
    }
  },
};

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

async function head(file: string, to: string, lines: number): Promise<void> {
  const out = createWriteStream(`${to}.part`);
  let n = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    let end = chunk.length;
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) {
      if (++n === lines) {
        end = i + 1;
        break;
      }
    }
    if (!out.write(chunk.subarray(0, end))) await once(out, 'drain');
    if (n >= lines) break;
  }
  out.end();
  await once(out, 'finish');
  renameSync(`${to}.part`, to);
}
