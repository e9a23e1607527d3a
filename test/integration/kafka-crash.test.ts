/**
 * Crash and restart over Kafka (librdkafka's mock cluster): the live monitor runs as a child
 * process (`yibao-monitor run --source kafka`) on the simulator's feed over a 6-partition topic, is
 * killed with SIGKILL mid-stream, and is started again with the same consumer group and data
 * directory. The second run rebuilds its state from the start of the log and finishes the feed;
 * the store then holds what `replay` of the same feed gives: the same standings, alerts, level
 * changes and inspection tasks, none lost and none doubled (deterministic ids, ReplacingMergeTree);
 * dead letters and indicator snapshots too.
 * The restart gets its partitions within a few seconds: the dead member's session (6 s here) ends
 * and the group rebalances without it (processors/io/sources/kafka.ts says why this once took a minute).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay } from '../../processors/cli/replay.ts';
import { loadConfig } from '../../processors/config.ts';
import { MALFORMATIONS, malform } from '../../processors/io/sources/malformed.ts';
import { createStorageClient, type StorageClient } from '../../processors/storage/client.ts';
import { compilePacks } from '../../rules/packs/index.ts';
import { recentFeed } from '../support/feed.ts';
import { produceKeyed, startKafka, type TestKafka } from '../support/kafka.ts';
import { freePort } from '../support/ports.ts';

const KEY = 'kafka-crash-test-key-0123456789ab';
const TOPIC = 'events';
const GROUP = 'monitor-crash-it';
const SESSION_TIMEOUT_MS = 6_000;
const BIN = join(import.meta.dirname, '../../processors/cli/bin.mjs');
const dir = mkdtempSync(join(tmpdir(), 'kafka-crash-'));
const dataDir = join(dir, 'data');
const lines = (f: string) =>
  readFileSync(join(dir, 'replay', f), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

function keyOf(raw: string): string {
  const r = JSON.parse(raw) as Record<string, string>;
  return r.fixmedins_code ?? r.subject_code ?? r.practitioner_code ?? r.event_id ?? '';
}

type Status = { state: string; records: number; rejected: number; late: number; duplicates: number };

type Monitor = {
  child: ChildProcessWithoutNullStreams;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: string | null }>;
  status(): Promise<Status | undefined>;
};

/** `yibao-monitor run --source kafka` as a child process, its environment built from scratch. */
async function startMonitor(brokers: string[]): Promise<Monitor> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('YIBAO_')) env[k] = v;
  Object.assign(env, {
    YIBAO_ENV: 'test',
    YIBAO_LOG_LEVEL: 'warn',
    YIBAO_PSEUDONYM_KEY: KEY,
    YIBAO_DATA_DIR: dataDir,
    YIBAO_STATUS_PORT: String(port),
    YIBAO_KAFKA_BROKERS: brokers.join(','),
    YIBAO_KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
  });
  const child = spawn(
    process.execPath,
    [BIN, 'run', '--source', 'kafka', '--topics', TOPIC, '--group', GROUP, '--stop-at-end', '--json'],
    { env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    port,
    output: () => out,
    exited,
    async status() {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(2_000) });
        return (await r.json()) as Status;
      } catch {
        return undefined; // not listening yet, or gone
      }
    },
  };
}

/** Polls the monitor's status port until `done` holds; fails with its output after `ms`. */
async function waitFor(m: Monitor, done: (s: Status) => boolean, ms: number, what: string): Promise<Status> {
  const until = Date.now() + ms;
  for (;;) {
    const s = await m.status();
    if (s && done(s)) return s;
    if (m.child.exitCode !== null || Date.now() > until)
      throw new Error(`${what}: last status ${JSON.stringify(s)}; output:\n${m.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let kafka: TestKafka;
let store: StorageClient;
let total = 0;
let malformed = 0;
let atKill: Status;
let restartToFirstRecordMs = 0;
let final: Status;
const query = async <T>(sql: string): Promise<T[]> =>
  (await (await store.client.query({ query: sql, format: 'JSONEachRow' })).json()) as T[];
const count = async (sql: string) => Number((await query<{ n: string }>(sql))[0]!.n);

beforeAll(async () => {
  kafka = await startKafka({ topics: [{ name: TOPIC, partitions: 6 }], kind: 'mock' });
  const days = 14;
  const good = await recentFeed(11, days);
  writeFileSync(join(dir, 'feed.ndjson'), `${good.join('\n')}\n`);
  await replay({
    input: join(dir, 'feed.ndjson'),
    out: join(dir, 'replay'),
    pseudonymKey: KEY,
    packs: compilePacks(),
    progress: false,
  });
  const messages: { key: string; value: string }[] = [];
  good.forEach((raw, i) => {
    messages.push({ key: keyOf(raw), value: raw });
    if (i % 500 === 250) {
      messages.push({
        key: keyOf(raw),
        value: malform(raw, MALFORMATIONS[malformed % MALFORMATIONS.length]!),
      });
      malformed++;
    }
  });
  total = messages.length;
  // gzip: the mock cluster keeps only a few MB per partition and drops the oldest beyond that.
  await produceKeyed(kafka.brokers, TOPIC, messages);

  // First run: killed once it has read a good part of the feed, flushed sinks and committed at
  // least once (the run loop commits every 10 s), so the restart meets rows and offsets it wrote.
  const first = await startMonitor(kafka.brokers);
  atKill = await waitFor(first, (s) => s.records >= total * 0.45, 90_000, 'first run never got far enough');
  first.child.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');

  const second = await startMonitor(kafka.brokers);
  const t0 = Date.now();
  await waitFor(second, (s) => s.records > 0, 60_000, 'the restarted monitor read nothing');
  restartToFirstRecordMs = Date.now() - t0;
  const { code } = await second.exited;
  const out = second.output();
  expect(code, out.slice(-3000)).toBe(0);
  const statusLines = out.split('\n').filter((l) => l.startsWith('{"state"'));
  final = JSON.parse(statusLines.at(-1)!) as Status;
  console.log(
    `kafka crash: ${JSON.stringify({ total, killed_at: atKill.records, restart_to_first_record_ms: restartToFirstRecordMs, final })}`,
  );
  store = await createStorageClient(loadConfig({ YIBAO_ENV: 'test', YIBAO_DATA_DIR: dataDir }));
}, 240_000);

afterAll(async () => {
  await store?.close();
  await kafka?.stop();
});

describe('the monitor over Kafka, killed with SIGKILL mid-stream and started again', () => {
  it('was killed mid-stream, and the restart got its partitions within about one session timeout', () => {
    expect(atKill.records).toBeGreaterThan(total * 0.4);
    expect(atKill.records).toBeLessThan(total);
    // Start-up (tsx, chDB, migrations) plus the dead member's session: not the 30 s default.
    expect(restartToFirstRecordMs).toBeLessThan(SESSION_TIMEOUT_MS + 12_000);
  });

  it('the restart read the whole log again: every record once, the malformed ones rejected', () => {
    expect(final.state).toBe('stopped');
    expect(final.records).toBe(total);
    expect(final.rejected).toBe(malformed);
    expect(final.late).toBeLessThanOrEqual(Math.ceil(total / 1000));
  });

  it('gives the same final standings as replay, one row per subject', async () => {
    const files = lines('standings.ndjson');
    const rows = await query<{ subject_kind: string; subject_code: string; level: string }>(
      'SELECT subject_kind, subject_code, level FROM yibao.standings_current FINAL',
    );
    const live = new Map(rows.map((r) => [`${r.subject_kind}:${r.subject_code}`, r.level || null]));
    expect(rows).toHaveLength(files.length);
    for (const s of files)
      expect(live.get(`${s.subject_kind}:${s.subject_code}`), s.subject_code).toBe(s.level);
  });

  it('holds the alerts of institutions, practitioners, persons and packs of replay, none lost, none doubled', async () => {
    await store.client.command({ query: 'OPTIMIZE TABLE yibao.alerts FINAL' });
    const alerts = lines('alerts.ndjson').filter((a) => a.subject_kind !== 'chain');
    expect(alerts.length).toBeGreaterThan(5);
    const firing = await query<{ alert_id: string }>(
      "SELECT alert_id FROM yibao.alerts WHERE status = 'firing' AND subject_kind != 'chain' ORDER BY alert_id",
    );
    expect(firing.map((r) => r.alert_id)).toEqual(alerts.map((a) => a.alert_id as string).sort());
    // Raw rows after the merge equal distinct keys: what the killed run wrote collapsed.
    expect(await count('SELECT count() AS n FROM yibao.alerts')).toBe(
      await count('SELECT uniqExact(alert_id, status) AS n FROM yibao.alerts'),
    );
  });

  it('raises chain alerts on the same (rule, chain) pairs as replay', async () => {
    // Chain alerts follow branch level changes from every partition; their instants depend on how
    // partitions interleave (see the level-change test below), so only the pairs are compared.
    const files = [
      ...new Set(
        lines('alerts.ndjson')
          .filter((a) => a.subject_kind === 'chain')
          .map((a) => `${a.rule}|${a.subject_code}`),
      ),
    ].sort();
    const rows = await query<{ k: string }>(
      "SELECT DISTINCT concat(rule, '|', subject_code) AS k FROM yibao.alerts FINAL WHERE status = 'firing' AND subject_kind = 'chain' ORDER BY k",
    );
    expect(files.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.k)).toEqual(files);
  });

  it('holds every level change and inspection task of replay, and no other', async () => {
    const changes = await query<Record<string, string>>(
      'SELECT DISTINCT subject_kind, subject_code, `from` AS f, `to` AS t, event_id FROM yibao.level_changes',
    );
    expect(
      new Set(changes.map((c) => [c.subject_kind, c.subject_code, c.f, c.t, c.event_id].join('|'))),
    ).toEqual(
      new Set(
        lines('grade-changes.ndjson').map((c) =>
          [c.subject_kind, c.subject_code, c.from, c.to, c.event_id ?? ''].join('|'),
        ),
      ),
    );
    const tasks = await query<Record<string, string>>(
      'SELECT DISTINCT subject_kind, subject_code, reason_rule, detail FROM yibao.inspection_tasks',
    );
    expect(
      new Set(tasks.map((t) => [t.subject_kind, t.subject_code, t.reason_rule, t.detail].join('|'))),
    ).toEqual(
      new Set(
        lines('inspections.ndjson').map((t) =>
          [t.subject_kind, t.subject_code, t.reason_rule, t.detail].join('|'),
        ),
      ),
    );
  });

  // Issue 6: the topology applies credit records in event-time order, so the killed run and the
  // restart stamp a level change with the same instant; change_id and the inspection task_id are
  // the same and ReplacingMergeTree keeps one row of each.
  it("level changes and inspection tasks written by the killed run collapse into the restart's", async () => {
    for (const t of ['level_changes', 'inspection_tasks'])
      await store.client.command({ query: `OPTIMIZE TABLE yibao.${t} FINAL` });
    expect(await count('SELECT count() AS n FROM yibao.level_changes')).toBe(
      lines('grade-changes.ndjson').length,
    );
    expect(await count('SELECT count() AS n FROM yibao.inspection_tasks')).toBe(
      lines('inspections.ndjson').length,
    );
  });

  it('every malformed record is a dead letter, with its Kafka position', async () => {
    const rows = await query<{ source: string }>('SELECT DISTINCT source FROM yibao.dead_letters');
    expect(rows).toHaveLength(malformed);
    for (const r of rows) expect(r.source).toMatch(/^events\/\d@\d+$/);
  });

  // Issue 6: dead_letters and indicator_snapshots are ReplacingMergeTree on their identity
  // (schemas/clickhouse/003): what the killed run wrote and the restart wrote again collapse.
  it("dead letters and indicator snapshots the killed run wrote collapse into the restart's", async () => {
    expect(await count('SELECT count() AS n FROM yibao.dead_letters FINAL')).toBe(malformed);
    const snapshots = await count(
      'SELECT uniqExact(subject_kind, subject_code, indicator, `window`, at) AS n FROM yibao.indicator_snapshots',
    );
    expect(snapshots).toBeGreaterThan(1000);
    expect(await count('SELECT count() AS n FROM yibao.indicator_snapshots FINAL')).toBe(snapshots);
    // Raw rows after the merge equal distinct keys, as for the other tables.
    for (const t of ['dead_letters', 'indicator_snapshots'])
      await store.client.command({ query: `OPTIMIZE TABLE yibao.${t} FINAL` });
    expect(await count('SELECT count() AS n FROM yibao.dead_letters')).toBe(malformed);
    expect(await count('SELECT count() AS n FROM yibao.indicator_snapshots')).toBe(snapshots);
  });
});
