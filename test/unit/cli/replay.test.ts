/**
 * `replay` on test/fixtures/replay-sample.ndjson: every contract file of EVENTS.md, field by
 * field; byte-identical output on a second run; `--as-of`; the command line.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPLAY_FILES, replay } from '../../../processors/cli/replay.ts';
import { compilePacks } from '../../../rules/packs/index.ts';

const INPUT = join(import.meta.dirname, '../../fixtures/replay-sample.ndjson');
const KEY = 'replay-test-key-0123456789';
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const lines = (dir: string, f: string) =>
  read(dir, f)
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

let out: string;
beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'replay-'));
  await replay({ input: INPUT, out, pseudonymKey: KEY, packs: compilePacks(), progress: false });
});

describe('replay output contract', () => {
  it('summary.json counts the input and every output file', () => {
    const s = JSON.parse(read(out, 'summary.json'));
    expect(s).toMatchObject({
      input_records: 22,
      accepted: 19,
      rejected: 2,
      duplicates: 1,
      standings: 10,
      chains: 1,
    });
    for (const f of REPLAY_FILES) {
      const key = f.replace('.ndjson', '').replace('-', '_');
      expect(s[key], f).toBe(lines(out, f).length);
    }
  });

  it('standings.ndjson: one line per subject with pack, period, evaluated, scale, level, score, policy_in_force', () => {
    const st = lines(out, 'standings.ndjson');
    const by = (code: string) => st.find((s) => s.subject_code === code);
    expect(by('H50023700201')).toMatchObject({
      subject_kind: 'institution',
      pack: 'chongqing-wushan',
      period: 2026,
      evaluated: true,
      scale: 'grade',
      level: 'D',
      score: 55,
      policy_in_force: true,
    });
    expect(by('P32010200001')).toMatchObject({
      pack: 'jiangsu',
      evaluated: true,
      scale: 'dishonesty',
      level: 'severe',
      policy_in_force: true,
    });
    expect(by('H44010400001')).toMatchObject({
      pack: 'guangdong',
      scale: 'grade',
      level: 'E',
      policy_in_force: true,
    });
    expect(by('H65010200001')).toMatchObject({ pack: 'xinjiang', scale: 'list', level: 'black' });
    expect(by('P51010700201')).toMatchObject({ pack: 'sichuan', scale: 'grade', level: 'D' });
    expect(by('H11010500001')).toMatchObject({
      pack: null,
      evaluated: false,
      excluded_reason: 'no_pack_for_division',
      level: null,
    });
    for (const s of st) {
      for (const k of [
        'subject_kind',
        'subject_code',
        'pack',
        'period',
        'evaluated',
        'scale',
        'level',
        'policy_in_force',
      ])
        expect(s, `${s.subject_code}.${k}`).toHaveProperty(k);
      if (!s.evaluated) expect(typeof s.excluded_reason).toBe('string');
    }
  });

  it('grade-changes.ndjson: each change with at, from, to and reasons citing an article or an assumption', () => {
    const gc = lines(out, 'grade-changes.ndjson');
    const wushan = gc.filter((c) => c.subject_code === 'H50023700201').map((c) => `${c.from}→${c.to}`);
    expect(wushan).toEqual(['A→B', 'B→C', 'C→D']);
    expect(gc.find((c) => c.subject_code === 'H65010200001' && c.to === 'black')).toMatchObject({
      pack: 'xinjiang',
      from: 'grey',
      at: '2026-06-01T12:00:00.000+08:00',
    });
    for (const c of gc) {
      expect(c.reasons.length).toBeGreaterThan(0);
      for (const r of c.reasons)
        expect(r.article !== undefined || r.assumption !== undefined, JSON.stringify(r)).toBe(true);
    }
  });

  it('chains.ndjson: branches, share at D or below, and the Sichuan trigger at exactly 20%', () => {
    expect(lines(out, 'chains.ndjson')).toEqual([
      expect.objectContaining({
        chain_id: 'CHAIN-A',
        pack: 'sichuan',
        branches: 5,
        at_or_below_d: 1,
        share: 0.2,
        triggers: ['sichuan.chain.d_rectify'],
      }),
    ]);
  });

  it('alerts.ndjson: alert_id, rule, severity, subject, raised_at and reasons', () => {
    const alerts = lines(out, 'alerts.ndjson');
    expect(alerts.find((a) => a.rule === 'sichuan.chain.d_rectify')).toMatchObject({
      severity: 'key',
      subject_kind: 'chain',
      subject_code: 'CHAIN-A',
      raised_at: '2026-06-15T12:00:00.000+08:00',
    });
    for (const a of alerts) {
      expect(a.alert_id).toMatch(/^alert-/);
      expect(['key', 'general', 'info']).toContain(a.severity);
      expect(a.reasons.length).toBeGreaterThan(0);
    }
  });

  it('inspections.ndjson: every branch of the triggered brand gets a task citing 第三十四条(七)', () => {
    const tasks = lines(out, 'inspections.ndjson').filter((t) => t.reason_rule === 'sichuan.chain.d_rectify');
    expect(tasks.map((t) => t.subject_code).sort()).toEqual([
      'P51010700201',
      'P51010700202',
      'P51010700203',
      'P51010700204',
      'P51010700205',
    ]);
    for (const t of tasks)
      expect(t).toMatchObject({ subject_kind: 'institution', basis: 'sichuan 第三十四条(七)' });
  });

  it('rejected.ndjson: line, raw text (personal data pseudonymised) and the error naming the field', () => {
    const rej = lines(out, 'rejected.ndjson');
    expect(rej.map((r) => r.line)).toEqual([20, 22]);
    expect(rej[0].error).toMatch(/^record: .* is not JSON/);
    expect(rej[1].error).toBe('settlement.fund_pay_sumamt: 250 is larger than medfee_sumamt 200');
    for (const r of rej) expect(r.raw).not.toContain('510107199001010011');
    expect(rej[1].raw).toContain('"fund_pay_sumamt":250');
  });

  it('the same input gives byte-identical files', async () => {
    const again = mkdtempSync(join(tmpdir(), 'replay-'));
    await replay({ input: INPUT, out: again, pseudonymKey: KEY, packs: compilePacks(), progress: false });
    for (const f of [...REPLAY_FILES, 'summary.json']) expect(read(again, f), f).toBe(read(out, f));
  });

  it('--as-of reads standings at that instant and does not apply later records', async () => {
    const asOf = mkdtempSync(join(tmpdir(), 'replay-'));
    const s = await replay({
      input: INPUT,
      out: asOf,
      asOf: '2026-04-30T23:59:59+08:00',
      pseudonymKey: KEY,
      packs: compilePacks(),
      progress: false,
    });
    expect(s.after_as_of).toBeGreaterThan(0);
    const st = lines(asOf, 'standings.ndjson');
    expect(st.find((x) => x.subject_code === 'H50023700201')).toMatchObject({
      level: 'C',
      score: 60,
      as_of: '2026-04-30T23:59:59.000+08:00',
    });
    expect(lines(asOf, 'chains.ndjson')[0]).toMatchObject({ at_or_below_d: 0, triggers: [] });
  });

  it('the command line writes the same files and prints a summary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-cli-'));
    const stdout = execFileSync(
      process.execPath,
      ['processors/cli/bin.mjs', 'replay', '--input', INPUT, '--out', dir],
      { encoding: 'utf8', env: { ...process.env, YIBAO_PSEUDONYM_KEY: KEY } },
    );
    expect(stdout).toMatch(/^22 records \(2 rejected, 1 duplicates\) → 10 standings/);
    expect(read(dir, 'standings.ndjson')).toBe(read(out, 'standings.ndjson'));
  });
});
