/**
 * deploy/alertmanager/alertmanager.yml as Alertmanager's own tool reads it: `amtool check-config`
 * (the file, its receivers, inhibit rules and template), and `amtool config routes test` for the
 * labels the pusher sends (payload.ts amLabels), so a renamed label or a broken matcher fails here.
 * Needs amtool (Debian's prometheus-alertmanager; .ci/run installs it); skipped, saying so, without.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { amLabels } from '../../../processors/alerting/alertmanager/payload.ts';
import type { Alert } from '../../../processors/outputs.ts';
import { alert } from '../alerting/fixtures.ts';
import { ROOT, read } from './files.ts';

const run = promisify(execFile);
const CONFIG = join(ROOT, 'deploy/alertmanager/alertmanager.yml');

function findAmtool(): string | undefined {
  for (const d of [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin']) {
    try {
      accessSync(join(d, 'amtool'), constants.X_OK);
      return join(d, 'amtool');
    } catch {
      // next
    }
  }
  return undefined;
}

const AMTOOL = findAmtool();
if (!AMTOOL)
  console.warn('amtool not found (apt-get install prometheus-alertmanager): alertmanager.yml checks skipped');

async function amtool(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(AMTOOL!, args, { timeout: 20_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** The receivers Alertmanager routes these labels to, in order. */
async function receivers(labels: Record<string, string>): Promise<string[]> {
  const r = await amtool(
    'config',
    'routes',
    'test',
    `--config.file=${CONFIG}`,
    ...Object.entries(labels).map(([k, v]) => `${k}=${v}`),
  );
  expect(r.code, r.out).toBe(0);
  const line = r.out.split('\n').find((l) => l.trim() !== '' && !l.startsWith('Warning:'));
  return (line ?? '').trim().split(',');
}

describe.skipIf(!AMTOOL)('deploy/alertmanager/alertmanager.yml (amtool)', () => {
  it('amtool check-config passes: the receivers, the inhibit rules and the template parse', async () => {
    const r = await amtool('check-config', CONFIG);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('SUCCESS');
    expect(r.out).toContain('2 inhibit rules');
    expect(r.out).toContain('1 templates');
  });

  it('a broken copy fails the same check (a route to a receiver that does not exist)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yibao-am-config-'));
    try {
      const doc = parse(read('deploy/alertmanager/alertmanager.yml')) as { route: { receiver: string } };
      doc.route.receiver = 'no-such-receiver';
      writeFileSync(join(dir, 'alertmanager.yml'), stringify(doc));
      copyFileSync(join(ROOT, 'deploy/alertmanager/yibao.tmpl'), join(dir, 'yibao.tmpl'));
      const r = await amtool('check-config', join(dir, 'alertmanager.yml'));
      expect(r.code).not.toBe(0);
      expect(r.out).toContain('no-such-receiver');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const cases: [string, Partial<Alert>, string[]][] = [
    [
      '重点 of 成都 锦江区',
      { severity: 'key', division: '510104' },
      ['chengdu-wecom', 'sichuan-dingtalk', 'ops-webhook'],
    ],
    ['一般 of 成都 锦江区', { severity: 'general', division: '510104' }, ['chengdu-wecom', 'ops-webhook']],
    ['重点 of 自贡', { severity: 'key', division: '510302' }, ['sichuan-dingtalk', 'ops-webhook']],
    ['一般 of 自贡', { severity: 'general', division: '510302' }, ['ops-webhook']],
    ['重点 of 重庆', { severity: 'key', division: '500237' }, ['ops-webhook']],
    ['提示 of 成都', { severity: 'info', division: '510104' }, ['dashboard-only']],
    [
      '重点 of a chain (no division)',
      { severity: 'key', division: null, subject_kind: 'chain', subject_code: 'CHAIN-1' },
      ['ops-webhook'],
    ],
  ];
  it.each(cases)('%s: routed to the expected receivers', async (_what, over, expected) => {
    expect(await receivers(amLabels(alert(over)))).toEqual(expected);
  });

  it('what is not the monitor’s (a Prometheus alert on the pipeline) goes to the ops webhook', async () => {
    expect(await receivers({ alertname: 'YibaoConsumerLagGrowing', severity: 'critical' })).toEqual([
      'ops-webhook',
    ]);
  });
});
