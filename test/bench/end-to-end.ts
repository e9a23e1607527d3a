/**
 * 2. End to end: the year feed of the replay benchmark (its first records: registry, then days in
 * order) produced to Kafka (mock cluster, 6 partitions, keyed by institution) by a separate
 * process at a steady 30,000 records/s, while `runMonitor` reads it with `kafkaSource` and
 * watermark alignment and writes to chDB and the alert bus (see kafka-harness.ts). Samples every
 * second: records, consumer lag, CPU, RSS and heap. The producer and the mock broker share the
 * machine's two cores with the monitor.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { logLevel } from 'kafkajs';
import { alignWith, type KafkaSource, kafkaSource } from '../../processors/io/sources/kafka.ts';
import { runMonitor } from '../../processors/run.ts';
import type { Topology } from '../../processors/topology.ts';
import { testKafkaClient } from '../support/kafka.ts';
import { type Bench, mib, round, runNode } from './common.ts';
import { startHarness, TOPIC } from './kafka-harness.ts';

const RATE = 30_000;

type Sample = {
  s: number;
  records: number;
  lag: number;
  backlog: number;
  cpuMs: number;
  rss: number;
  heap: number;
};

export const endToEndBench: Bench = {
  name: 'e2e',
  description: 'simulator feed → Kafka (6 partitions) at 30k/s → runMonitor → chDB + alert bus, 60 s',
  async run(ctx) {
    const seconds = ctx.quick ? 20 : 60;
    const dir = process.env.BENCH_DIR ?? '/tmp/ybench';
    // The replay benchmark's year when it exists; otherwise 70 days (≈ 2 M records, enough for
    // 60 s at 30,000/s), generated once. Without a feed the producer would deliver nothing.
    let file = join(dir, 'year-d365-i300-e28000-s7.ndjson');
    if (!existsSync(file)) {
      file = join(dir, 'd70-i300-e28000-s7.ndjson');
      if (!existsSync(file)) {
        mkdirSync(dir, { recursive: true });
        ctx.log(`generating ${file} (once)…`);
        const gen = await runNode([
          'processors/cli/bin.mjs',
          'simulate',
          '--out',
          `${file}.part`,
          '--labels',
          `${file}.labels.json`,
          '--days',
          '70',
          '--institutions',
          '300',
          '--events-per-day',
          '28000',
          '--seed',
          '7',
        ]);
        if (gen.code !== 0) throw new Error(`simulate failed: ${gen.stderr.slice(-2000)}`);
        renameSync(`${file}.part`, file);
      }
    }
    const h = await startHarness();
    let topology: Topology | undefined;
    let source: KafkaSource | undefined;
    const samples: Sample[] = [];
    let produced = 0;
    try {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const warmup = 5;
      const monitor = runMonitor({
        config: h.config,
        source: (t) => {
          topology = t;
          source = kafkaSource({
            kafka: testKafkaClient(h.kafka.brokers, 'bench-monitor', { logLevel: logLevel.NOTHING }),
            groupId: 'bench-e2e',
            topics: [TOPIC],
            fromStart: true,
            maxQueued: 10_000,
            ...(process.env.BENCH_SOURCE_ALIGNMENT && { alignment: alignWith(t) }), // off as deployed: the topology aligns
          });
          return source;
        },
        json: true,
        print: (l) => {
          if (process.env.BENCH_VERBOSE) ctx.log(l);
        },
        statusEveryMs: 5_000,
        // the monitor stops while the producer still runs: an idle Kafka source does not end the loop
        durationMs: (warmup + seconds) * 1000,
      });
      await new Promise((r) => setTimeout(r, warmup * 1000));
      const producer = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'test/bench/kafka-producer.ts',
          h.kafka.brokers.join(','),
          TOPIC,
          file,
          String(RATE),
          String(seconds + 15),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      producer.stderr.setEncoding('utf8').on('data', (d: string) => {
        const m = /produced (\d+)\s*$/.exec(d);
        if (m) produced = Number(m[1]);
      });
      const tp = performance.now();
      const timer = setInterval(() => {
        const c = process.cpuUsage(cpu0);
        const m = process.memoryUsage();
        samples.push({
          s: round((performance.now() - tp) / 1000, 1),
          records: topology?.counters.records_read ?? 0,
          lag: source?.lag() ?? 0,
          backlog: produced - (topology?.counters.records_read ?? 0),
          cpuMs: (c.user + c.system) / 1000,
          rss: m.rss,
          heap: m.heapUsed,
        });
      }, 1000);
      const status = await monitor;
      clearInterval(timer);
      const tEnd = performance.now();
      producer.kill();
      const wall = (tEnd - tp) / 1000;
      const records = status.records;
      const cpu = process.cpuUsage(cpu0);
      const rate = records / wall;
      // The source's lag counts only what its fetches have seen; the backlog is produced − consumed.
      const maxLag = Math.max(...samples.map((s) => s.lag));
      const maxBacklog = Math.max(...samples.map((s) => s.backlog));
      const half = samples.slice(Math.floor(samples.length / 2));
      const lagSlope =
        half.length > 1 ? (half.at(-1)!.backlog - half[0]!.backlog) / (half.at(-1)!.s - half[0]!.s) : 0;
      ctx.log(
        `produced ≈ ${produced} (at ${RATE}/s), consumed ${records} in ${round(wall, 1)} s; alignment held a partition ${source?.held()} × 10 ms`,
      );
      ctx.log(
        `backlog (produced − consumed) / source lag every 5 s: ${samples
          .filter((_, i) => i % 5 === 4)
          .map((s) => `${s.s}s:${s.backlog}/${s.lag}`)
          .join(' ')}`,
      );
      ctx.report({
        name: 'end to end, consumed',
        value: round(rate),
        unit: 'events/s',
        target: `≥ ${RATE.toLocaleString('en-US')} events/s, lag bounded`,
        met: rate >= RATE * 0.98 && lagSlope < RATE * 0.02,
        note: `${seconds} s of production at ${RATE}/s; ${records} records${process.env.BENCH_SOURCE_ALIGNMENT ? '; source-side alignment ON (BENCH_SOURCE_ALIGNMENT=1)' : '; alignment in the topology (as deployed)'}`,
      });
      ctx.report({ name: 'backlog (produced − consumed), max', value: maxBacklog, unit: 'records' });
      ctx.report({
        name: 'consumer lag as kafkaSource.lag() reports it, max',
        value: maxLag,
        unit: 'records',
      });
      ctx.report({
        name: 'backlog growth, second half',
        value: round(lagSlope),
        unit: 'records/s',
        note: '0 = bounded',
      });
      ctx.report({
        name: 'monitor process CPU',
        value: round((cpu.user + cpu.system) / 1000 / ((tEnd - t0) / 1000) / 10, 1),
        unit: '% of one core',
        note: 'process.cpuUsage over the run, incl. chDB threads',
      });
      ctx.report({
        name: 'peak RSS (monitor process)',
        value: mib(process.resourceUsage().maxRSS * 1024),
        unit: 'MiB',
      });
      ctx.report({
        name: 'peak heap used (1 s samples)',
        value: mib(Math.max(...samples.map((s) => s.heap))),
        unit: 'MiB',
      });
      ctx.report({
        name: 'alerts published to the bus',
        value: h.publisher.totals.published,
        unit: 'alerts',
      });
    } finally {
      await h.stop();
    }
  },
};
