/**
 * `npm start` (the embedded default: `yibao-monitor run`), stopped after 30 seconds, leaves rows in
 * every table and prints a clear summary. Runs the real command in a child process against chDB
 * in a fresh data directory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStorageClient } from '../../processors/storage/client.ts';
import { freePort } from '../support/ports.ts';

const TABLES = [
  'alerts',
  'chain_status',
  'dead_letters',
  'indicator_snapshots',
  'inspection_tasks',
  'level_changes',
  'pipeline_metrics',
  'standings_current',
  'alerts_per_day',
  'level_changes_per_day',
];

/** The running monitor's /status, retried for up to 20 s (start-up is slower on a loaded machine). */
async function statusOf(port: number, output: () => string): Promise<{ state: string; records: number }> {
  const until = Date.now() + 20_000;
  for (;;) {
    try {
      return (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as {
        state: string;
        records: number;
      };
    } catch (err) {
      if (Date.now() > until) throw new Error(`${(err as Error).message}; output so far:\n${output()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

describe('npm start (the embedded default)', () => {
  it('stopped with SIGINT after 30 seconds, leaves rows in every table and prints where the data is', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'yibao-start-'));
    const port = await freePort();
    const child = spawn('npm', ['start', '--silent'], {
      env: { ...process.env, YIBAO_DATA_DIR: dataDir, YIBAO_STATUS_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    await new Promise((r) => setTimeout(r, 30_000));
    const status = await statusOf(port, () => out);
    expect(status.state).toBe('running');
    expect(status.records).toBeGreaterThan(10_000);
    // Ctrl-C on a terminal signals the whole foreground process group: npm, sh and node alike.
    process.kill(-child.pid!, 'SIGINT');
    const started = Date.now();
    const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
      child.on('exit', (c, s) => r([c, s])),
    );
    expect(Date.now() - started, 'graceful stop takes under 20 s').toBeLessThan(20_000);
    expect(out).toContain('Stopped.');
    expect(out).toMatch(/Data: chDB \(embedded ClickHouse\) in .*yibao-start-.*chdb/);
    expect(out).toContain('Riskiest institutions:');
    expect(out).toMatch(/\[running\] \d+ records, \d+\/s/);
    // npm itself reports the interrupt (exit 130 or the signal); the monitor printed its summary above.
    expect(code === 0 || code === 130 || signal === 'SIGINT', `npm exit ${code} ${signal}`).toBe(true);

    const store = await createStorageClient({ YIBAO_DATA_DIR: dataDir } as never);
    try {
      for (const table of TABLES) {
        const r = await store.client.query({
          query: `SELECT count() AS n FROM yibao.${table}`,
          format: 'JSONEachRow',
        });
        const rows = (await r.json()) as { n: number | string }[];
        expect(Number(rows[0]?.n), table).toBeGreaterThan(0);
      }
    } finally {
      await store.close();
    }
  }, 120_000);
});
