/** `yibao-monitor migrate`, run as operators run it: the executable in a child process, on chDB. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorageClient } from '../../processors/storage/client.ts';
import { loadMigrations } from '../../processors/storage/migration-files.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'processors/cli/bin.mjs');
const dataDir = mkdtempSync(join(tmpdir(), 'yibao-migrate-cli-'));
const chdbDir = join(dataDir, 'chdb');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The command with no YIBAO_ variable of the developer's shell leaking in. */
function run(args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YIBAO_')));
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...env, YIBAO_ENV: 'test', YIBAO_DATA_DIR: dataDir, YIBAO_CLICKHOUSE_DATABASE: 'yibao_cli' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('yibao-monitor migrate', () => {
  const files = loadMigrations().map((f) => f.file);

  it('--help says what it does and where', () => {
    const r = run(['migrate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: yibao-monitor migrate');
    expect(r.stdout).toContain('apply the numbered ClickHouse migrations');
    expect(r.stdout).toContain('YIBAO_CLICKHOUSE_URL');
  });

  it('applies every migration to the embedded store, then skips them all on the next run', () => {
    const first = run(['migrate']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines.slice(0, -1).map((l) => l.replace(/\(\d+ statements, \d+ ms\)/, '(…)'))).toEqual(
      files.map((f) => `applied ${f} (…)`),
    );
    expect(lines.at(-1)).toBe(`yibao_cli at ${chdbDir}: ${files.length} applied, 0 already applied`);

    const second = run(['migrate']);
    expect(second.code).toBe(0);
    const again = second.stdout.trim().split('\n');
    expect(again.slice(0, -1).map((l) => l.replace(/\(applied [^)]+\)/, '(…)'))).toEqual(
      files.map((f) => `skipped ${f} (…)`),
    );
    expect(again.at(-1)).toBe(`yibao_cli at ${chdbDir}: 0 applied, ${files.length} already applied`);
  });

  it('while another process holds the embedded store, it stops with what to do (exit 2)', async () => {
    const store = await createStorageClient({ YIBAO_DATA_DIR: dataDir });
    try {
      const rs = await store.client.query({
        query: 'SELECT count() AS n FROM yibao_cli.schema_migrations FINAL',
        format: 'JSONEachRow',
      });
      expect(Number((await rs.json<{ n: string | number }>())[0]?.n)).toBe(files.length);
      const r = run(['migrate']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(
        `yibao-monitor: cannot open the embedded ClickHouse store (chDB) at ${chdbDir}`,
      );
      expect(r.stderr).toContain('only one process can use it at a time');
      expect(r.stderr).toContain('[SINK_UNAVAILABLE]');
    } finally {
      await store.close();
    }
  });
});
