/**
 * /metrics of a running monitor says what its status line says (issue 18): the lag the status
 * shows (not a sample taken at commit), the newest event time (the gauge was never set), the
 * sink latency once per source batch (it was observed per write of a 200-record slice), and
 * prom-client's process and Node metrics. The source hands out Buffers, as Kafka does, in
 * batches of its own, and reports a lag that never reaches a commit.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../processors/config.ts';
import type { Source, SourceRecord } from '../../processors/io/sources/source.ts';
import { type RunStatus, runMonitor } from '../../processors/run.ts';
import { recentFeed } from '../support/feed.ts';
import { freePort } from '../support/ports.ts';

const BATCH = 1_000;
const LAG = 24_180;

/** The feed in batches of BATCH Buffers, then open (no commit, no end) until `stop`. */
function heldSource(lines: readonly string[]): Source & { stop(): void } {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  async function* batches(): AsyncGenerator<readonly SourceRecord[]> {
    for (let i = 0; i < lines.length; i += BATCH)
      yield lines.slice(i, i + BATCH).map((raw, j) => ({ raw: Buffer.from(raw), line: i + j + 1 }));
    await stopped;
  }
  async function* none(): AsyncGenerator<SourceRecord> {}
  return { name: 'held', records: none(), batches: batches(), lag: () => LAG, stop };
}

/** `name{labels} value` lines of the text format, by series. */
function parse(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const l of text.split('\n')) {
    if (l === '' || l.startsWith('#')) continue;
    const at = l.lastIndexOf(' ');
    series.set(l.slice(0, at), Number(l.slice(at + 1)));
  }
  return series;
}

let lines: string[];
let port: number;
let source: ReturnType<typeof heldSource>;
let running: Promise<RunStatus>;
let status: RunStatus;
let metrics: Map<string, number>;
let metricsText: string;

beforeAll(async () => {
  lines = await recentFeed(11, 3);
  port = await freePort();
  const config = loadConfig({
    YIBAO_ENV: 'test',
    YIBAO_PSEUDONYM_KEY: 'metrics-live-test-key-0123456789',
    YIBAO_DATA_DIR: mkdtempSync(join(tmpdir(), 'metrics-live-')),
    YIBAO_STATUS_PORT: String(port),
  });
  source = heldSource(lines);
  running = runMonitor({ config, source, print: () => {}, statusEveryMs: 60_000 });
  const until = Date.now() + 90_000;
  for (;;) {
    const s = await fetch(`http://127.0.0.1:${port}/status`)
      .then((r) => r.json() as Promise<RunStatus>)
      .catch(() => undefined);
    if (s && s.records === lines.length) {
      status = s;
      break;
    }
    if (Date.now() > until) throw new Error(`the monitor did not read the feed: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  metricsText = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  metrics = parse(metricsText);
}, 120_000);

afterAll(async () => {
  source?.stop();
  await running;
});

describe('/metrics of a running monitor', () => {
  it('yibao_consumer_lag is the lag the status shows, before any commit', () => {
    expect(status.lag).toBe(LAG);
    expect(metrics.get('yibao_consumer_lag{source="held"}')).toBe(LAG);
  });

  it('yibao_event_time_seconds is the status event time: the newest in the feed (Buffers, as Kafka delivers)', () => {
    const newest = Math.max(
      ...lines.map((l) => Date.parse((JSON.parse(l) as { occurred_at: string }).occurred_at)),
    );
    expect(status.event_time).not.toBeNull();
    expect(Date.parse(status.event_time!)).toBe(newest);
    expect(metrics.get('yibao_event_time_seconds')).toBe(newest / 1000);
  });

  it('yibao_sink_latency_seconds is observed once per source batch and sink', () => {
    const batches = Math.ceil(lines.length / BATCH);
    expect(lines.length).toBeGreaterThan(2 * BATCH);
    for (const sink of ['clickhouse', 'alert_file'])
      expect(metrics.get(`yibao_sink_latency_seconds_count{sink="${sink}"}`), sink).toBe(batches);
  });

  it("the store's unconfirmed rows and their bound (YIBAO_CLICKHOUSE_MAX_BUFFERED_ROWS)", () => {
    expect(metrics.get('yibao_sink_unconfirmed_rows{sink="clickhouse"}')).toBeGreaterThanOrEqual(0);
    expect(metrics.get('yibao_sink_max_buffered_rows{sink="clickhouse"}')).toBe(100_000);
  });

  it("prom-client's default process and Node metrics", () => {
    expect(metrics.get('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(metrics.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(metrics.get('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(metricsText).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });
});
