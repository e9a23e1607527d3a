/** `yibao-monitor simulate`, run as users run it: the executable in a child process. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSimulation } from '../../../processors/simulator/simulate.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'processors/cli/bin.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'yibao-simulate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YIBAO_')));
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...env, YIBAO_ENV: 'test' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SMALL = ['--days', '3', '--institutions', '150', '--events-per-day', '1500', '--seed', '5'];

describe('yibao-monitor simulate', () => {
  it('writes the feed and the labels, says what it wrote, and writes nothing on stderr when not a terminal', () => {
    const out = join(scratch, 'feed.ndjson');
    const labels = join(scratch, 'labels.ndjson');
    const { code, stdout, stderr } = run(['simulate', '--out', out, '--labels', labels, ...SMALL]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    const expected = [
      ...createSimulation({ days: 3, institutions: 150, eventsPerDay: 1500, seed: 5 }).lines(),
    ];
    expect(lines.slice(0, -1)).toEqual(expected);
    const labelLines = readFileSync(labels, 'utf8').trim().split('\n');
    expect(labelLines.length).toBeGreaterThan(5);
    for (const l of labelLines)
      expect(Object.keys(JSON.parse(l))).toEqual([
        'rule',
        'subject_kind',
        'subject_code',
        'from',
        'to',
        'detail',
      ]);
    expect(stdout).toMatch(
      new RegExp(
        `^${expected.length} records \\(150 institution, \\d+ practitioner, \\d+ settlement, .*\\) in ${out}; ${labelLines.length} labels in ${labels}\\n$`,
      ),
    );
  });

  it('two runs with the same options write byte-identical files', () => {
    const a = join(scratch, 'a.ndjson');
    const b = join(scratch, 'b.ndjson');
    expect(run(['simulate', '--out', a, '--labels', join(scratch, 'la'), ...SMALL]).code).toBe(0);
    expect(run(['simulate', '--out', b, '--labels', join(scratch, 'lb'), ...SMALL]).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(join(scratch, 'la')).equals(readFileSync(join(scratch, 'lb')))).toBe(true);
  });

  it('--no-inject writes normal traffic only and an empty labels file', () => {
    const labels = join(scratch, 'none.ndjson');
    const { code } = run([
      'simulate',
      '--out',
      join(scratch, 'plain.ndjson'),
      '--labels',
      labels,
      ...SMALL,
      '--no-inject',
    ]);
    expect(code).toBe(0);
    expect(readFileSync(labels, 'utf8')).toBe('');
  });

  it('--help lists every option', () => {
    const { code, stdout } = run(['simulate', '--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--out',
      '--labels',
      '--seed',
      '--days',
      '--start',
      '--institutions',
      '--persons',
      '--events-per-day',
      '--no-inject',
    ]) {
      expect(stdout).toContain(flag);
    }
    expect(run(['--help']).stdout).toMatch(/\n {2}simulate \[options\] +write a seeded synthetic feed/);
  });

  it('a bad option names the flag, the value and what was expected, writes no file, and exits 2', () => {
    const out = join(scratch, 'never.ndjson');
    const bad = run(['simulate', '--out', out, '--labels', join(scratch, 'never-labels'), '--days', 'many']);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toBe(
      'yibao-monitor: --days "many" is invalid: expected a whole number [CONFIG_INVALID]\n',
    );
    const low = run([
      'simulate',
      '--out',
      out,
      '--labels',
      join(scratch, 'never-labels'),
      '--start',
      '2026-13-01',
    ]);
    expect(low.stderr).toBe(
      'yibao-monitor: --start "2026-13-01" is invalid: expected a calendar date YYYY-MM-DD [CONFIG_INVALID]\n',
    );
    expect(() => readFileSync(out)).toThrow();
  });

  it('without --out or --labels it says which is missing', () => {
    const { code, stderr } = run(['simulate', '--labels', join(scratch, 'x')]);
    expect(stderr).toContain('simulate needs --out FILE (or --publish kafka|jetstream)');
    expect(code).toBe(2);
    const labels = run(['simulate', '--out', join(scratch, 'y')]);
    expect(labels.stderr).toContain('simulate needs --labels FILE');
  });
});
