/**
 * The alert bus goes away mid-stream: the live monitor (a child process, `run --source kafka` on
 * librdkafka's mock cluster) publishes its alerts to a private nats-server with JetStream; the
 * server is stopped with SIGTERM for a while and started again on the same port and store. While it
 * is gone the monitor stops reading (the run loop waits for the bus, the Kafka source's bounded
 * queue pauses its partitions), its memory stays flat, and nothing is dropped: once the server is
 * back every alert of the run is in the stream ALERTS exactly once (JetStream dedups the retried
 * publishes by message id), and the run finishes the feed.
 *
 * ClickHouse being unavailable is not covered here: the embedded store is chDB inside the monitor's
 * own process, so there is no server to stop, and there is no ClickHouse server on this machine to
 * put behind a proxy that refuses connections for a while.
 */
import { type ChildProcess, type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_STREAM } from '../../processors/alerting/bus.ts';
import { simulate } from '../../processors/simulator/simulate.ts';
import { chinaDate } from '../../rules/engine/time.ts';
import { produceKeyed, startKafka, type TestKafka } from '../support/kafka.ts';
import { freePort } from '../support/ports.ts';

const KEY = 'alert-bus-outage-key-0123456789ab';
const TOPIC = 'events';
const OUTAGE_MS = 12_000;
const NATS_SERVER = process.env.YIBAO_NATS_SERVER ?? '/usr/sbin/nats-server';
const BIN = join(import.meta.dirname, '../../processors/cli/bin.mjs');
const dir = mkdtempSync(join(tmpdir(), 'alert-bus-outage-'));
const natsStore = join(dir, 'nats');

type BusStatus = { in_flight: number; published: number; duplicates: number; retries: number };
type Status = { state: string; records: number; lag: number | null; alert_bus: BusStatus | null };
type Sample = { t: number; records: number; lag: number | null; bus: BusStatus | null; rssMiB: number };

/** nats-server with JetStream on `port`, its store in `natsStore`; resolves once it is ready. */
async function startNatsServer(port: number): Promise<ChildProcess> {
  const child = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', natsStore], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`nats-server not ready in 10 s: ${log}`)), 10_000);
    child.stderr?.on('data', (d) => {
      log += d;
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited (${code}) before it was ready: ${log}`));
    });
  });
  return child;
}

async function stopNatsServer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

let kafka: TestKafka;
let nats: ChildProcess | undefined;
let monitor: ChildProcessWithoutNullStreams;
let out = '';
let total = 0;
let exitCode: number | null = null;
let final: Status;
const beforeOutage: Sample[] = [];
const outage: Sample[] = [];
const after: Sample[] = [];
let stream: { ids: string[]; messages: number };
/** From the server being ready again to the first record read after it. */
let resumeMs: number | undefined;

async function status(port: number): Promise<Status | undefined> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(2_000) });
    return (await r.json()) as Status;
  } catch {
    return undefined;
  }
}

/** Samples the monitor every 250 ms into `into` until `until` says stop. */
async function sample(port: number, into: Sample[], until: (s: Sample, t: number) => boolean): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (monitor.exitCode !== null) return;
    if (Date.now() - t0 > 150_000)
      throw new Error(
        `still sampling after 150 s: ${JSON.stringify(into.at(-1))}; output:\n${out.slice(-3000)}`,
      );
    const s = await status(port);
    if (s) {
      const x = {
        t: Date.now() - t0,
        records: s.records,
        lag: s.lag,
        bus: s.alert_bus,
        rssMiB: rssMiB(monitor.pid!),
      };
      into.push(x);
      if (until(x, Date.now() - t0)) return;
    } else if (Date.now() - t0 > 60_000) throw new Error(`no status for 60 s; output:\n${out.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  const natsPort = await freePort();
  nats = await startNatsServer(natsPort);
  kafka = await startKafka({ topics: [{ name: TOPIC, partitions: 6 }], kind: 'mock' });
  const days = 14;
  const messages: { key: string; value: string }[] = [];
  for await (const raw of simulate({
    seed: 13,
    days,
    start: chinaDate(Date.now() - days * 86_400_000),
    institutions: 150,
  })) {
    const r = JSON.parse(raw) as Record<string, string>;
    messages.push({
      key: r.fixmedins_code ?? r.subject_code ?? r.practitioner_code ?? r.event_id ?? '',
      value: raw,
    });
  }
  total = messages.length;
  // gzip: the mock cluster keeps only a few MB per partition and drops the oldest beyond that.
  await produceKeyed(kafka.brokers, TOPIC, messages);

  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('YIBAO_')) env[k] = v;
  Object.assign(env, {
    YIBAO_ENV: 'test',
    YIBAO_LOG_LEVEL: 'warn',
    YIBAO_PSEUDONYM_KEY: KEY,
    YIBAO_DATA_DIR: join(dir, 'data'),
    YIBAO_STATUS_PORT: String(port),
    YIBAO_KAFKA_BROKERS: kafka.brokers.join(','),
    YIBAO_NATS_URL: `nats://127.0.0.1:${natsPort}`,
  });
  monitor = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--source',
      'kafka',
      '--topics',
      TOPIC,
      '--group',
      'bus-outage-it',
      '--stop-at-end',
      '--json',
    ],
    { env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  monitor.stdout.on('data', (d) => {
    out += d;
  });
  monitor.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => monitor.once('exit', (code) => resolve(code)));

  // Running, with alerts already on the bus: then the bus goes away.
  await sample(port, beforeOutage, (s) => s.records >= total * 0.25 && (s.bus?.published ?? 0) > 0);
  await stopNatsServer(nats);
  await sample(port, outage, (_, t) => t >= OUTAGE_MS);
  nats = await startNatsServer(natsPort);
  const frozen = outage.at(-1)?.records ?? 0;
  await sample(port, after, (s, t) => {
    if (resumeMs === undefined && s.records > frozen) resumeMs = t;
    return false;
  });
  exitCode = await exited;
  final = JSON.parse(
    out
      .split('\n')
      .filter((l) => l.startsWith('{"state"'))
      .at(-1) ?? '{}',
  ) as Status;

  const nc = await connect({ servers: `127.0.0.1:${natsPort}` });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(ALERT_STREAM);
    const ids: string[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(ALERT_STREAM, { seq });
      if (m) ids.push(m.header.get('Nats-Msg-Id'));
    }
    stream = { ids, messages: info.state.messages };
  } finally {
    await nc.close();
  }
  console.log(
    `alert bus outage: ${JSON.stringify({
      total,
      before: beforeOutage.at(-1),
      outage_first: outage[0],
      outage_last: outage.at(-1),
      resume_ms: resumeMs,
      final: { records: final.records, alert_bus: final.alert_bus },
      stream: stream.messages,
    })}`,
  );
}, 240_000);

afterAll(async () => {
  if (monitor && monitor.exitCode === null) monitor.kill('SIGKILL');
  await stopNatsServer(nats);
  await kafka?.stop();
});

describe('the monitor while its alert bus (NATS JetStream) is down', () => {
  it('stops reading: records stand still with the feed unread, instead of dropping alerts', () => {
    expect(outage.length).toBeGreaterThan(20);
    // The loop may finish what it holds before it meets the next alert; after that, nothing moves.
    const settled = outage.filter((s) => s.t >= OUTAGE_MS / 2);
    const records = new Set(settled.map((s) => s.records));
    expect(records.size, JSON.stringify(settled.map((s) => s.records))).toBe(1);
    expect(settled[0]!.records).toBeLessThan(total);
    for (const s of settled) expect(s.lag ?? 0).toBeGreaterThan(0);
    // The publisher is retrying, with a bounded number of publishes in flight.
    const last = outage.at(-1)!;
    expect(last.bus!.retries).toBeGreaterThan(0);
    for (const s of outage) expect(s.bus!.in_flight).toBeLessThanOrEqual(256);
  });

  it('keeps its memory flat while it waits', () => {
    const settled = outage.filter((s) => s.t >= OUTAGE_MS / 2).map((s) => s.rssMiB);
    expect(Math.max(...settled) - Math.min(...settled)).toBeLessThan(32);
  });

  it('resumes once the bus is back and finishes the feed', () => {
    expect(exitCode, out.slice(-3000)).toBe(0);
    // nats.js reconnects every 2 s; the publish waiting for its ack (5 s timeout) or its backoff
    // then goes through, and the loop reads on.
    expect(resumeMs).toBeDefined();
    expect(resumeMs!).toBeLessThan(20_000);
    expect(final.records).toBe(total);
  });

  it('every alert of the run is in the stream ALERTS exactly once', () => {
    const file = readFileSync(join(dir, 'data', 'alerts.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { alert_id: string; status: string });
    const expected = file.map((a) => `${a.alert_id}:${a.status}`);
    expect(new Set(expected).size).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(5);
    expect(stream.messages).toBe(expected.length);
    expect([...stream.ids].sort()).toEqual([...expected].sort());
    expect(final.alert_bus!.published).toBe(expected.length);
  });
});
