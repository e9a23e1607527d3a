/**
 * What Alertmanager does with a burst, against the real binary, to decide which parts of the
 * channel dispatcher stay needed once it routes (the report of issue 18, item 1):
 *
 *   node --import tsx test/bench/alertmanager-burst.ts [alerts=100] [dingtalk: only step 4]
 *
 * 1. `alerts` 重点 alerts of as many institutions of 成都 (510104) go on the bus → the pusher →
 *    Alertmanager with deploy/alertmanager/alertmanager.yml's routes (group_by [subject]; receivers
 *    rewritten to a local webhook named after each). Counted: notifications per receiver and the
 *    alerts they carry — what a WeCom/DingTalk robot (20 messages a minute) would be sent.
 * 2. The same with the robot routes grouped by [division, severity] instead.
 * 3. Every alert posted again five times (the pusher's re-sends, a redelivered bus message): the
 *    notifications that adds (Alertmanager's notification log deduplicates them).
 * 4. A `dingtalk_configs` receiver given to `amtool check-config` (is DingTalk native?).
 *
 * Needs NATS with JetStream (test/support/nats.ts) and prometheus-alertmanager with amtool.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jetstream } from '@nats-io/jetstream';
import { parse, stringify } from 'yaml';
import {
  destroyAlertmanagerState,
  startAlertmanagerPusher,
} from '../../processors/alerting/alertmanager/pusher.ts';
import { AlertPublisher, ensureAlertStream } from '../../processors/alerting/bus.ts';
import { startNats } from '../support/nats.ts';
import { freePort } from '../support/ports.ts';
import { alert } from '../unit/alerting/fixtures.ts';
import { read } from '../unit/deploy/files.ts';

const N = Number(process.argv[2] ?? 100);
const BIN = process.env.YIBAO_ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
const GROUP_WAIT_S = 2;
const GROUP_INTERVAL_S = 5;

type Route = { receiver?: string; group_by?: string[]; routes?: Route[]; [k: string]: unknown };

function config(base: string, robotGroupBy?: string[]): string {
  const doc = parse(read('deploy/alertmanager/alertmanager.yml')) as {
    global?: unknown;
    templates?: unknown;
    route: Route;
    receivers: { name: string }[];
  };
  doc.global = { resolve_timeout: '5m' };
  delete doc.templates;
  Object.assign(doc.route, {
    group_wait: `${GROUP_WAIT_S}s`,
    group_interval: `${GROUP_INTERVAL_S}s`,
    repeat_interval: '1h',
  });
  if (robotGroupBy)
    for (const r of doc.route.routes?.[0]?.routes ?? [])
      if (r.receiver === 'chengdu-wecom' || r.receiver === 'sichuan-dingtalk') r.group_by = robotGroupBy;
  doc.receivers = doc.receivers.map((r) =>
    r.name === 'dashboard-only'
      ? { name: r.name }
      : { name: r.name, webhook_configs: [{ url: `${base}/${r.name}`, send_resolved: true }] },
  );
  return stringify(doc);
}

async function scenario(label: string, robotGroupBy?: string[]) {
  const posts: { path: string; alerts: number; at: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts: unknown[] };
      posts.push({ path: req.url ?? '/', alerts: body.alerts.length, at: Date.now() });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const rx = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'yibao-am-bench-'));
  writeFileSync(join(dir, 'am.yml'), config(rx, robotGroupBy));
  const port = await freePort();
  const am = spawn(
    BIN,
    [
      `--config.file=${join(dir, 'am.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  while (
    !(await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    ))
  )
    await new Promise((r) => setTimeout(r, 100));

  const nats = await startNats();
  const stream = nats.uniqueName('ALERTS_AMB');
  const prefix = `bench_${stream.toLowerCase()}`;
  await ensureAlertStream(nats.jsm, { name: stream, subjects: [`${prefix}.>`] });
  const bucket = nats.uniqueName('AMB');
  const pusher = await startAlertmanagerPusher(nats.nc, {
    urls: [url],
    stream,
    subjectPrefix: prefix,
    durable: nats.uniqueName('notify-amb'),
    bucket,
    resendMs: 60_000,
  });
  const now = new Date().toISOString();
  const alerts = Array.from({ length: N }, (_, i) =>
    alert({
      alert_id: `alert-bench-${i}`,
      severity: 'key',
      subject_code: `H510104${String(i).padStart(5, '0')}`,
      raised_at: now,
    }),
  );
  const t0 = Date.now();
  await new AlertPublisher(jetstream(nats.nc), { prefix }).write(alerts);
  const settle = (GROUP_WAIT_S + GROUP_INTERVAL_S + 2) * 1000;
  await new Promise((r) => setTimeout(r, settle));
  const count = (path: string) => {
    const p = posts.filter((x) => x.path === path);
    return `${p.length} notifications carrying ${p.reduce((s, x) => s + x.alerts, 0)} alerts`;
  };
  console.log(`\n${label}: ${N} 重点 alerts of ${N} institutions of 510104 published at t0`);
  for (const r of ['/chengdu-wecom', '/sichuan-dingtalk', '/ops-webhook'])
    console.log(`  ${r}: ${count(r)} within ${settle / 1000} s`);
  const first = posts.length ? Math.min(...posts.map((p) => p.at)) - t0 : Number.NaN;
  const last = posts.length ? Math.max(...posts.map((p) => p.at)) - t0 : Number.NaN;
  console.log(`  first notification ${first} ms after publishing, last ${last} ms`);

  const before = posts.length;
  for (let i = 0; i < 5; i++) {
    pusher.resendNow();
    await new Promise((r) => setTimeout(r, 300));
  }
  await new Promise((r) => setTimeout(r, (GROUP_INTERVAL_S + 2) * 1000));
  const s = pusher.stats().targets[0]!;
  console.log(
    `  every alert posted 5 more times (${s.resends} full re-sends, ${s.alerts} alerts posted in all): ` +
      `${posts.length - before} more notifications`,
  );

  await pusher.stop();
  await destroyAlertmanagerState(nats.nc, bucket);
  await nats.jsm.streams.delete(stream);
  await nats.stop();
  am.kill('SIGTERM');
  await new Promise((r) => am.once('exit', r));
  server.close();
  rmSync(dir, { recursive: true, force: true });
}

async function dingtalkNative() {
  const dir = mkdtempSync(join(tmpdir(), 'yibao-am-ding-'));
  writeFileSync(
    join(dir, 'am.yml'),
    'route: {receiver: d}\nreceivers:\n  - name: d\n    dingtalk_configs:\n      - url: http://x/robot/send\n',
  );
  try {
    await promisify(execFile)('amtool', ['check-config', join(dir, 'am.yml')]);
    console.log('\namtool check-config with dingtalk_configs: accepted');
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    const line = `${e.stdout ?? ''}${e.stderr ?? ''}`
      .split('\n')
      .find((l) => /field dingtalk_configs/.test(l));
    console.log(`\namtool check-config with dingtalk_configs: refused: ${line?.trim()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const only = process.argv[3];
if (only !== 'dingtalk') {
  await scenario('group_by [subject] (as shipped)');
  await scenario('robot routes group_by [division, severity]', ['division', 'severity']);
}
await dingtalkNative();
