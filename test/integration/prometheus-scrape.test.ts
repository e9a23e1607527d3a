/**
 * A real Prometheus (the Debian package `prometheus`, which .ci/run installs) scrapes a running
 * monitor's /metrics every second, with the pipeline rules of deploy/prometheus/rules.yml loaded.
 * The monitor reads a Kafka topic (librdkafka's mock cluster; Apache Kafka where Docker exists),
 * so records arrive as Buffers and the source knows its lag. Through Prometheus' HTTP API: the
 * target is up; yibao_event_time_seconds is the newest event time of the feed (it was always 0);
 * the lag, process and Node series are there; every rule evaluates without error. And
 * `promtool check metrics` finds nothing to say about the /metrics text.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../processors/config.ts';
import { kafkaSource } from '../../processors/io/sources/kafka.ts';
import { type RunStatus, runMonitor } from '../../processors/run.ts';
import { recentFeed } from '../support/feed.ts';
import { produceKeyed, startKafka, subjectKeyOf, type TestKafka, testKafkaClient } from '../support/kafka.ts';
import { freePort } from '../support/ports.ts';

const RULES = resolve(import.meta.dirname, '../../deploy/prometheus/rules.yml');
const TOPIC = 'events';
const absent = ['prometheus', 'promtool'].filter((b) => spawnSync(b, ['--version']).error !== undefined);
const SKIP = absent.length > 0;
if (SKIP)
  console.warn(
    `prometheus-scrape: skipped, ${absent.join(' and ')} not found (install the Debian package prometheus, as .ci/run does)`,
  );

type Sample = { metric: Record<string, string>; value: [number, string] };

let kafka: TestKafka;
let source: ReturnType<typeof kafkaSource>;
let running: Promise<RunStatus> | undefined;
let prometheus: ChildProcess | undefined;
let prometheusLog = '';
let statusPort: number;
let api: string;
let newest: number;
let lines: string[];

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(
        `${what}: not within ${ms / 1000} s (${String(last ?? '')})\nprometheus:\n${prometheusLog.slice(-3000)}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function query(expr: string): Promise<Sample[]> {
  const r = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await r.json()) as { status: string; data: { result: Sample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}

const status = async () => (await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as RunStatus;

beforeAll(async () => {
  if (SKIP) return;
  kafka = await startKafka({ topics: [{ name: TOPIC, partitions: 3 }], kind: 'mock' });
  lines = await recentFeed(17, 3);
  newest = Math.max(...lines.map((l) => Date.parse((JSON.parse(l) as { occurred_at: string }).occurred_at)));
  await produceKeyed(
    kafka.brokers,
    TOPIC,
    lines.map((value) => ({ key: subjectKeyOf(value), value })),
  );
  statusPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-scrape-'));
  const config = loadConfig({
    YIBAO_ENV: 'test',
    YIBAO_PSEUDONYM_KEY: 'prometheus-scrape-test-key-0123456789',
    YIBAO_DATA_DIR: join(dir, 'data'),
    YIBAO_STATUS_PORT: String(statusPort),
  });
  source = kafkaSource({
    kafka: testKafkaClient(kafka.brokers, 'prometheus-scrape'),
    groupId: 'prometheus-scrape',
    topics: [TOPIC],
    fromStart: true,
  });
  running = runMonitor({ config, source, print: () => {}, statusEveryMs: 60_000, idlePartitionMs: 2_000 });

  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(RULES)}]`,
      'scrape_configs:',
      '  - job_name: yibao-monitor',
      `    static_configs: [{ targets: ["127.0.0.1:${statusPort}"] }]`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const s of [prometheus.stdout!, prometheus.stderr!])
    s.on('data', (d) => {
      prometheusLog += d;
    });
  await until('the monitor read the feed', 120_000, async () =>
    (await status()).records === lines.length ? true : undefined,
  );
}, 240_000);

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  source?.stop?.();
  await running;
  await kafka?.stop();
});

describe.skipIf(SKIP)('Prometheus scraping a running monitor', () => {
  it('the target is up (/api/v1/targets, and up == 1)', async () => {
    const target = await until('the target up', 60_000, async () => {
      const r = (await (await fetch(`${api}/api/v1/targets`)).json()) as {
        data: { activeTargets: { health: string; scrapeUrl: string; lastError: string }[] };
      };
      const t = r.data.activeTargets[0];
      return t?.health === 'up' ? t : undefined;
    });
    expect(target.scrapeUrl).toBe(`http://127.0.0.1:${statusPort}/metrics`);
    expect(target.lastError).toBe('');
    expect((await query('up{job="yibao-monitor"}'))[0]?.value[1]).toBe('1');
  });

  it('yibao_event_time_seconds is the newest event time of the feed', async () => {
    const got = await until('the event time scraped', 30_000, async () => {
      const v = Number((await query('yibao_event_time_seconds'))[0]?.value[1]);
      return v === newest / 1000 ? v : undefined;
    }).catch(async (err) => {
      throw new Error(
        `${(err as Error).message}; last: ${JSON.stringify(await query('yibao_event_time_seconds'))}`,
      );
    });
    expect(got).toBeGreaterThan(0);
    expect(Date.parse((await status()).event_time!)).toBe(newest);
    // The recording rule of rules.yml: the feed ends within its last day, up to now.
    const behind = await until('yibao:event_time_behind:seconds', 30_000, async () => {
      const v = Number((await query('yibao:event_time_behind:seconds'))[0]?.value[1]);
      return Number.isNaN(v) ? undefined : v;
    });
    expect(behind).toBeGreaterThanOrEqual(-1);
    expect(behind).toBeLessThan(86_400 + 60);
  });

  it('the consumer lag series: one per source, as the status line shows it, and its sum recorded', async () => {
    const lag = await until('the lag scraped', 30_000, async () => {
      const r = await query('yibao_consumer_lag');
      return r.length > 0 ? r : undefined;
    });
    expect(lag.map((s) => s.metric.source)).toEqual([source.name]);
    expect(Number(lag[0]!.value[1])).toBe((await status()).lag); // read to the end: both 0
    await until('yibao:consumer_lag:sum', 30_000, async () =>
      (await query('yibao:consumer_lag:sum')).length === 1 ? true : undefined,
    );
  });

  it("prom-client's default process and Node metrics are scraped", async () => {
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      const r = await query(`${name}{job="yibao-monitor"}`);
      expect(r, name).toHaveLength(1);
      expect(Number(r[0]!.value[1]), name).toBeGreaterThan(0);
    }
    expect(await query('yibao_sink_max_buffered_rows{sink="clickhouse"}')).toHaveLength(1);
  });

  it('every rule of deploy/prometheus/rules.yml evaluates without error', async () => {
    type Rule = { name: string; health: string; lastError?: string; lastEvaluation: string };
    const rules = await until('every rule evaluated', 30_000, async () => {
      const r = (await (await fetch(`${api}/api/v1/rules`)).json()) as {
        data: { groups: { rules: Rule[] }[] };
      };
      const all = r.data.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((x) => !x.lastEvaluation.startsWith('0001')) ? all : undefined;
    });
    expect(rules.length).toBeGreaterThan(10);
    for (const r of rules)
      expect({ rule: r.name, health: r.health, error: r.lastError ?? '' }).toEqual({
        rule: r.name,
        health: 'ok',
        error: '',
      });
    // Nothing in the pipeline is wrong here: no alert of rules.yml is firing.
    const alerts = (await (await fetch(`${api}/api/v1/alerts`)).json()) as { data: { alerts: unknown[] } };
    expect(alerts.data.alerts).toEqual([]);
  });

  it('promtool check metrics finds nothing in the /metrics text', async () => {
    const text = await (await fetch(`http://127.0.0.1:${statusPort}/metrics`)).text();
    expect(text).toMatch(/^yibao_event_time_seconds /m);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.status).toBe(0);
  });
});
