/**
 * A stop while the alert bus is gone for good: the live monitor (a child process, `run` on the
 * simulator) publishes its alerts to a private nats-server, the server is killed (SIGKILL, no
 * restart), and the monitor gets SIGINT. It must not wait for the bus: it exits within
 * YIBAO_SHUTDOWN_TIMEOUT_SECONDS, non-zero, saying how many alerts the bus did not confirm (they
 * are in alerts.jsonl; the source is not committed past them). Before the bus sink was interrupted
 * on a signal, the run loop waited for the bus past any bound and had to be killed.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.ts';
import { type PrivateNats, startPrivateNats } from '../support/private-nats.ts';

const BIN = join(import.meta.dirname, '../../processors/cli/bin.mjs');
const SHUTDOWN_S = 10;
/** The CLI exits a second after a failed stop (stdout drains): cli/run.ts. */
const EXIT_GRACE_MS = 1_000;
const dir = mkdtempSync(join(tmpdir(), 'alert-bus-stop-'));

type Status = {
  state: string;
  records: number;
  alert_bus: { published: number; in_flight: number; outage: { pending: number } | null } | null;
};

let nats: PrivateNats;
let monitor: ChildProcessWithoutNullStreams;
let out = '';
let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
let stopMs = Number.NaN;
let outageSeen: Status | undefined;

async function status(port: number): Promise<Status | undefined> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(2_000) });
    return (await r.json()) as Status;
  } catch {
    return undefined;
  }
}

async function until(port: number, ok: (s: Status) => boolean, ms: number, what: string): Promise<Status> {
  const t0 = Date.now();
  for (;;) {
    if (monitor.exitCode !== null) throw new Error(`the monitor exited before ${what}:\n${out.slice(-3000)}`);
    const s = await status(port);
    if (s && ok(s)) return s;
    if (Date.now() - t0 > ms)
      throw new Error(`not ${what} within ${ms} ms: ${JSON.stringify(s)}\n${out.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  nats = await startPrivateNats();
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('YIBAO_')) env[k] = v;
  Object.assign(env, {
    YIBAO_ENV: 'test',
    YIBAO_LOG_LEVEL: 'warn',
    YIBAO_DATA_DIR: join(dir, 'data'),
    YIBAO_STATUS_PORT: String(port),
    YIBAO_NATS_URL: nats.url,
    YIBAO_SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_S),
  });
  monitor = spawn(
    process.execPath,
    [BIN, 'run', '--source', 'simulator', '--days', '14', '--institutions', '150', '--json'],
    { env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  monitor.stdout.on('data', (d) => {
    out += d;
  });
  monitor.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<typeof exit>((resolve) =>
    monitor.once('exit', (code, signal) => resolve({ code, signal })),
  );

  // Alerts on the bus: then the server dies, and alerts wait for it.
  await until(port, (s) => (s.alert_bus?.published ?? 0) > 0, 90_000, 'publishing');
  await nats.kill('SIGKILL');
  outageSeen = await until(
    port,
    (s) => (s.alert_bus?.outage?.pending ?? 0) > 0,
    30_000,
    'waiting for the bus with alerts pending',
  );
  const t0 = performance.now();
  monitor.kill('SIGINT');
  // Bounded by the test, not by the monitor: a monitor that hangs is killed and the test says so.
  const killer = setTimeout(() => monitor.kill('SIGKILL'), (SHUTDOWN_S + 20) * 1000);
  exit = await exited;
  stopMs = performance.now() - t0;
  clearTimeout(killer);
  const said = out.split('\n').filter((l) => l.startsWith('yibao-monitor:') || l.startsWith('alert bus'));
  console.log(`alert bus stop: ${JSON.stringify({ stop_ms: Math.round(stopMs), exit, said })}`);
}, 180_000);

afterAll(async () => {
  if (monitor && monitor.exitCode === null && monitor.signalCode === null) monitor.kill('SIGKILL');
  await nats?.stop();
});

describe('SIGINT while the alert bus is gone', () => {
  it('ends within YIBAO_SHUTDOWN_TIMEOUT_SECONDS, non-zero, by itself', () => {
    expect(outageSeen?.alert_bus?.outage?.pending).toBeGreaterThan(0);
    expect(exit?.signal, `killed after ${Math.round(stopMs)} ms:\n${out.slice(-3000)}`).toBeNull();
    expect(exit?.code, out.slice(-3000)).toBe(1);
    expect(stopMs).toBeLessThan(SHUTDOWN_S * 1000 + EXIT_GRACE_MS);
  });

  it('says how many alerts the bus did not confirm, and that the source was not committed past them', () => {
    expect(out).toMatch(/stopping while the alert bus is unavailable: \d+ alerts not confirmed/);
    expect(out).toMatch(
      /alert bus: [1-9]\d* alerts not confirmed by the server within 5 s.*the source was not committed past them/,
    );
    const final = JSON.parse(
      out
        .split('\n')
        .filter((l) => l.startsWith('{"state"'))
        .at(-1) ?? '{}',
    ) as Status;
    expect(final.state).toBe('failed');
    expect(final.alert_bus?.outage).not.toBeNull();
  });
});
