/** `yibao-monitor validate FILE`, run as integrators run it: the executable in a child process. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_PSEUDONYM_KEY } from '../../../processors/config.ts';
import { createPseudonymiser } from '../../../schemas/pseudonymise.ts';
import { EXAMPLE_LINES, SHARED_EXAMPLES_PATH } from '../schemas/examples.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'processors/cli/bin.mjs');
const MIXED = join(ROOT, 'test/fixtures/validate-mixed.ndjson');

const scratch = mkdtempSync(join(tmpdir(), 'yibao-validate-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The examples: the shared design file when it is there, else the copy the unit tests carry. */
function examplesFile(): string {
  if (existsSync(SHARED_EXAMPLES_PATH)) return SHARED_EXAMPLES_PATH;
  const path = join(scratch, 'examples.ndjson');
  writeFileSync(path, `${EXAMPLE_LINES.join('\n')}\n`);
  return path;
}

/** The command with no YIBAO_ variable of the developer's shell leaking in. */
function run(args: string[], extraEnv: Record<string, string> = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YIBAO_')));
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...env, YIBAO_ENV: 'test', ...extraEnv },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Line 6 is cut off after its psn_no: shown as the first 60 chars of the redacted text, quoted. */
function truncatedLineMessage(): string {
  const token = createPseudonymiser(DEVELOPMENT_PSEUDONYM_KEY)('51000019800101000009');
  const quoted = JSON.stringify(`{"type":"settlement","psn_no":"${token}","setl_id":`);
  return (
    `record: ${quoted.slice(0, 60)}… (${quoted.length} chars) is not JSON (Unexpected end of JSON input): ` +
    'expected one JSON object'
  );
}

describe('yibao-monitor validate', () => {
  it('reports each rejected line of a mixed feed by its editor line number, a summary, and exits 1', () => {
    const { code, stdout, stderr } = run(['validate', MIXED]);
    expect(stdout.split('\n')).toEqual([
      'line 4: settlement.fund_pay_sumamt: 286.41 is larger than medfee_sumamt 286.4',
      `line 6: ${truncatedLineMessage()}`,
      'line 7: type: "refund" is not a known record type: expected one of institution, practitioner, ' +
        'settlement, settlement_reversal, claim_audit, supervision',
      'line 9: institution.colour: unknown field: expected only the fields EVENTS.md lists for institution',
      'line 10: practitioner.practitioner_code: "X5101070000123" is invalid: ' +
        'expected a practitioner_code: D, N, HY or HJ + 6-digit division + serial (14 chars)',
      'line 13: settlement_reversal.psn_no: <personal data> is invalid: expected a psn_no of 1–30 chars',
      'line 15: settlement.endtime: is missing: expected a discharge time for inpatient med_type 21',
      '14 records, 7 rejected',
      '',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });

  it('never prints a psn_no of the mixed feed in clear', () => {
    const { stdout } = run(['validate', MIXED]);
    for (const psn of ['51000019800101000009', '5100001990050500000300000000013', '51000019800101000001']) {
      expect(stdout).not.toContain(psn);
    }
  });

  it('accepts every record of examples.ndjson and exits 0', () => {
    const { code, stdout, stderr } = run(['validate', examplesFile()]);
    expect(stdout).toBe(`${EXAMPLE_LINES.length} records, 0 rejected\n`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('an empty file is 0 records and exits 0', () => {
    const empty = join(scratch, 'empty.ndjson');
    writeFileSync(empty, '');
    expect(run(['validate', empty])).toEqual({ code: 0, stdout: '0 records, 0 rejected\n', stderr: '' });
  });

  it('--help lists the validate command and exits 0', () => {
    const { code, stdout } = run(['--help']);
    expect(stdout).toMatch(/^Usage: yibao-monitor /);
    expect(stdout).toMatch(/\n {2}validate <file> +check an NDJSON feed against the input contract/);
    expect(code).toBe(0);
  });

  it('a missing file is a clear INPUT_UNREADABLE error on stderr and exit 2', () => {
    const missing = join(scratch, 'no-such-feed.ndjson');
    const { code, stdout, stderr } = run(['validate', missing]);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `yibao-monitor: cannot read ${missing}: ENOENT: no such file or directory, stat '${missing}' [INPUT_UNREADABLE]\n`,
    );
    expect(code).toBe(2);
  });

  it('validate without a file names the missing argument and exits non-zero', () => {
    const { code, stderr } = run(['validate']);
    expect(stderr).toContain("error: missing required argument 'file'");
    expect(code).toBe(1);
  });

  it('a misspelt YIBAO_ variable stops validate before it reads the feed', () => {
    const { code, stdout, stderr } = run(['validate', MIXED], { YIBAO_LOG_LEVL: 'debug' });
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^yibao-monitor: YIBAO_LOG_LEVL is not a setting of the monitor: .*\[CONFIG_INVALID\]\n$/,
    );
    expect(code).toBe(2);
  });
});

describe('no silent development key (issue 16)', () => {
  const out = join(scratch, 'replay-dev-key');
  it.each([
    ['validate', ['validate', MIXED]],
    ['replay', ['replay', '--input', MIXED, '--out', out]],
    ['run --source file', ['run', '--source', 'file', '--input', MIXED, '--duration', '1']],
  ])('%s on real records refuses the development key, saying what to set', (what, args) => {
    const { code, stdout, stderr } = run(args, { YIBAO_ENV: 'development' });
    expect(stdout).toBe('');
    expect(stderr).toContain(`yibao-monitor: ${what} reads real records, and YIBAO_PSEUDONYM_KEY is not set`);
    expect(stderr).toContain('YIBAO_ALLOW_DEVELOPMENT_KEY=1');
    expect(stderr).toMatch(/\[CONFIG_MISSING\]\n$/);
    expect(code).toBe(2);
  });

  it('YIBAO_ALLOW_DEVELOPMENT_KEY=1 lets it run; a secret key needs nothing', () => {
    expect(
      run(['validate', MIXED], { YIBAO_ENV: 'development', YIBAO_ALLOW_DEVELOPMENT_KEY: '1' }).code,
    ).toBe(1);
    const keyed = run(['validate', MIXED], {
      YIBAO_ENV: 'development',
      YIBAO_PSEUDONYM_KEY: 'a-real-secret-0123456789',
    });
    expect(keyed.stdout).toMatch(/^line 4: /);
    expect(keyed.code).toBe(1);
  });
});
