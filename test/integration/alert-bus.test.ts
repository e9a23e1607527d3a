// The alert bus against the real nats-server: the stream and its server-side dedup (a replay after a
// crash stores nothing twice), JetStream as an event source with acks after durability, the KV
// buckets of acknowledgements and silences, and the `alerts` commands. Every stream, subject prefix
// and bucket is unique to this run and deleted at the end.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertPublisher, ensureAlertStream, publishAlert } from '../../processors/alerting/bus.ts';
import { AlertState } from '../../processors/alerting/state.ts';
import { addAlertsCommand } from '../../processors/cli/alerts.ts';
import { main } from '../../processors/cli/main.ts';
import { jetstreamSource } from '../../processors/io/sources/jetstream.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import { burst } from '../unit/alerting/fixtures.ts';

let nats: TestNats;
const buckets: AlertState[] = [];
const created: string[] = [];

beforeAll(async () => {
  nats = await startNats();
});

afterAll(async () => {
  for (const b of buckets) await b.destroy().catch(() => undefined);
  for (const s of created) await nats.jsm.streams.delete(s).catch(() => undefined);
  await nats?.stop();
});

/** A stream of our own: name and subject prefix unique to this test. */
function names(tag: string) {
  const name = nats.uniqueName(`ALERTS_${tag}`);
  created.push(name);
  return { name, prefix: `it_${name.toLowerCase()}` };
}

describe('the alert stream', () => {
  it('is created with its subjects and duplicate window, and a second ensure changes nothing', async () => {
    const { name, prefix } = names('ensure');
    const info = await ensureAlertStream(nats.jsm, {
      name,
      subjects: [`${prefix}.>`],
      duplicate_window_ms: 3_600_000,
    });
    expect(info.config.subjects).toEqual([`${prefix}.>`]);
    expect(info.config.duplicate_window).toBe(nanos(3_600_000));
    expect(info.config.max_age).toBe(nanos(30 * 24 * 3_600_000));
    const again = await ensureAlertStream(nats.jsm, { name });
    expect(again.config.duplicate_window).toBe(nanos(3_600_000));
    const longer = await ensureAlertStream(nats.jsm, { name, duplicate_window_ms: 7_200_000 });
    expect(longer.config.duplicate_window).toBe(nanos(7_200_000));
  });

  it('a replay after a crash publishes nothing twice: the server drops repeated message ids', async () => {
    const { name, prefix } = names('dedup');
    await ensureAlertStream(nats.jsm, { name, subjects: [`${prefix}.>`] });
    const js = jetstream(nats.nc);
    const alerts = burst(10);

    const first = await Promise.all(alerts.map((a) => publishAlert(js, a, { prefix })));
    expect(first.every((r) => !r.duplicate)).toBe(true);
    expect(first[0]!.subject).toBe(`${prefix}.510104.key.split_admission`);

    // The "restarted" monitor replays from its last checkpoint: the same 10 alerts, then 5 new ones
    // and the resolve of the first.
    const publisher = new AlertPublisher(js, { prefix, maxInFlight: 4 });
    const resolved = { ...alerts[0]!, alert_id: 'alert-burst-0000-r', status: 'resolved' as const };
    await publisher.write([...alerts, ...burst(15).slice(10), resolved]);
    expect(publisher.totals).toEqual({ published: 6, duplicates: 10, retries: 0 });

    const info = await nats.jsm.streams.info(name);
    expect(info.state.messages).toBe(16);
    const again = await publishAlert(js, alerts[3]!, { prefix });
    expect(again).toMatchObject({ duplicate: true, seq: first[3]!.seq });
    expect((await nats.jsm.streams.info(name)).state.messages).toBe(16);
  });
});

describe('JetStream as an event source', () => {
  it('records are acknowledged only when the caller says so (ack, ackThrough, commit); the rest come back to the next reader', async () => {
    const { name, prefix } = names('source');
    await nats.addStream({ name: `${name}_EV`, subjects: [`${prefix}.ev.>`] });
    const js = jetstream(nats.nc);
    for (let i = 1; i <= 20; i++) await js.publish(`${prefix}.ev.settlement`, JSON.stringify({ n: i }));
    const durable = nats.uniqueName('monitor');

    // Messages the server had in flight to a reader when it closed come back after the ack wait
    // (a pull cannot be cancelled); what the reader held, it hands back at once.
    const src = jetstreamSource(js, {
      stream: `${name}_EV`,
      durable,
      subjects: [`${prefix}.ev.>`],
      batch: 8,
      ackWaitMs: 2_000,
    });
    const seen: number[] = [];
    for await (const r of src.records) {
      expect(Buffer.isBuffer(r.raw)).toBe(true);
      expect(r.origin).toBe(`${name}_EV#${r.seq}`);
      seen.push((JSON.parse(r.raw.toString('utf8')) as { n: number }).n);
      if (r.seq <= 5) r.ack(); // outputs of 1–5 durable one by one
      if (r.seq === 12) {
        src.ackThrough(10); // a batch: 6–10 durable together; 11 and 12 are not
        break;
      }
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(src.unacked).toBeGreaterThanOrEqual(2);
    await src.close();

    const next = jetstreamSource(js, { stream: `${name}_EV`, durable, subjects: [`${prefix}.ev.>`] });
    const after: number[] = [];
    for await (const r of next.records) {
      after.push(r.seq);
      if (after.length === 10) break;
    }
    expect(next.unacked).toBe(10);
    await next.commit(); // the run loop's call once the sinks flushed: all handed out, confirmed
    expect(next.unacked).toBe(0);
    await next.close();
    expect(after.sort((a, b) => a - b)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    await expect
      .poll(async () => (await nats.jsm.consumers.info(`${name}_EV`, durable)).ack_floor.stream_seq, {
        timeout: 5_000,
      })
      .toBe(20);
  });
});

describe('acknowledgements and silences in KV', () => {
  let state: AlertState;

  beforeAll(async () => {
    state = await AlertState.open(nats.nc, {
      acksBucket: nats.uniqueName('ALERT_ACKS'),
      silencesBucket: nats.uniqueName('ALERT_SILENCES'),
    });
    buckets.push(state);
  });

  it('an acknowledgement records who, when and the note', async () => {
    const ack = await state.ack(
      'alert-AbC123_xyz-0000001',
      { by: '李四', note: '已安排现场检查' },
      Date.parse('2025-03-04T02:00:00Z'),
    );
    expect(ack).toEqual({
      alert_id: 'alert-AbC123_xyz-0000001',
      by: '李四',
      at: '2025-03-04T02:00:00.000Z',
      note: '已安排现场检查',
    });
    expect(await state.getAck('alert-AbC123_xyz-0000001')).toEqual(ack);
    expect(await state.getAck('alert-never')).toBeNull();
    await expect(state.ack('not an id', { by: 'x' })).rejects.toThrow('"not an id" is not an alert id');
  });

  it('silences are listed while in force, seen by a watch, and lifted', async () => {
    const watch = await state.watchSilences();
    const now = Date.now();
    const s = await state.silence(
      { rule: 'split_admission', division: '5101', forMs: 2 * 3_600_000, by: '张三', why: '试点' },
      now,
    );
    const old = await state.silence(
      { subject: 'H51010400009', forMs: 1_000, by: '张三', why: '误报' },
      now - 10_000,
    );
    expect(s.id).toMatch(/^sil-[0-9a-f]{8}$/);
    expect((await state.listSilences({ now })).map((x) => x.id)).toEqual([s.id]);
    expect((await state.listSilences({ now, includeExpired: true })).map((x) => x.id)).toEqual([
      old.id,
      s.id,
    ]);
    await expect
      .poll(
        () =>
          watch
            .list()
            .map((x) => x.id)
            .sort(),
        { timeout: 5_000 },
      )
      .toEqual([s.id, old.id].sort());

    expect(await state.unsilence(s.id)).toBe(true);
    expect(await state.unsilence(s.id)).toBe(false);
    expect(await state.unsilence('sil-nothere')).toBe(false);
    await expect.poll(() => watch.list().map((x) => x.id), { timeout: 5_000 }).toEqual([old.id]);
    await watch.stop();

    const late = await state.watchSilences(); // a new watch loads what is there
    expect(late.list().map((x) => x.id)).toEqual([old.id]);
    await late.stop();
  });
});

describe('yibao-monitor alerts', () => {
  const out: string[] = [];
  let code = 0;
  let cliBuckets: { acksBucket: string; silencesBucket: string };

  function cli(stream?: { name: string; prefix: string }): Command {
    const root = new Command('yibao-monitor').exitOverride();
    addAlertsCommand(root, {
      config: () => ({ YIBAO_NATS_URL: nats.url }),
      print: (l) => out.push(l),
      setCode: (c) => {
        code = c;
      },
      buckets: cliBuckets,
      ...(stream && { stream: stream.name, subjectPrefix: stream.prefix }),
    });
    return root;
  }

  beforeAll(() => {
    cliBuckets = { acksBucket: nats.uniqueName('CLI_ACKS'), silencesBucket: nats.uniqueName('CLI_SILENCES') };
  });

  afterAll(async () => {
    buckets.push(await AlertState.open(nats.nc, cliBuckets));
  });

  it('ack, silence, list-silences and unsilence', async () => {
    const stream = names('ack');
    await ensureAlertStream(nats.jsm, { name: stream.name, subjects: [`${stream.prefix}.>`] });
    const [raised] = burst(1);
    await publishAlert(jetstream(nats.nc), raised!, { prefix: stream.prefix });
    out.length = 0;
    await cli(stream).parseAsync(['alerts', 'ack', raised!.alert_id, '--by', '李四', '--note', '已处理'], {
      from: 'user',
    });
    expect(out.at(-1)).toMatch(
      new RegExp(
        `^acknowledged ${raised!.alert_id} \\(firing, ${stream.prefix}\\.510104\\.key\\.split_admission\\) by 李四 at \\S+: 已处理$`,
      ),
    );
    // An id that is not on the bus is refused, and nothing is recorded for it (issue 16).
    await expect(
      cli(stream).parseAsync(['alerts', 'ack', 'alert-never-raised', '--by', '李四'], { from: 'user' }),
    ).rejects.toThrow(
      `alert "alert-never-raised" is not on the alert bus (stream ${stream.name}): expected the id of an alert raised there, as in the notification (告警编号) or alerts.jsonl`,
    );
    const acks = await AlertState.open(nats.nc, cliBuckets);
    expect(await acks.getAck('alert-never-raised')).toBeNull();
    expect(await acks.getAck(raised!.alert_id)).toMatchObject({ by: '李四', note: '已处理' });

    await cli().parseAsync(
      [
        'alerts',
        'silence',
        '--rule',
        'off_hours_share',
        '--division',
        '510104',
        '--for',
        '2h',
        '--by',
        '张三',
        '--why',
        '夜间门诊试点',
      ],
      { from: 'user' },
    );
    const id =
      /silenced: (sil-[0-9a-f]{8}) {2}rule=off_hours_share division=510104\* {2}until \S+ \(120 min left\) {2}\[district, 2h\] {2}by 张三 at \S+: 夜间门诊试点/.exec(
        out.at(-2)!,
      )?.[1];
    expect(id).toBeDefined();
    expect(out.at(-1)).toBe(`lift it early with: yibao-monitor alerts unsilence ${id}`);

    out.length = 0;
    await cli().parseAsync(['alerts', 'list-silences', '--json'], { from: 'user' });
    expect(out.map((l) => JSON.parse(l).id)).toEqual([id]);

    out.length = 0;
    await cli().parseAsync(['alerts', 'unsilence', id!], { from: 'user' });
    expect(out).toEqual([`silence ${id} lifted`]);
    await cli().parseAsync(['alerts', 'unsilence', id!], { from: 'user' });
    expect(code).toBe(1);
    await cli().parseAsync(['alerts', 'list-silences'], { from: 'user' });
    expect(out.at(-1)).toBe('no silences in force');
  });

  it("the issue's silences are refused: every division starting with 5 for a year, a rule no alert has", async () => {
    const silence = (args: string[]) =>
      cli().parseAsync(['alerts', 'silence', ...args, '--by', 'x', '--why', 'y'], { from: 'user' });
    await expect(silence(['--division', '5', '--for', '366d'])).rejects.toThrow(
      /^division "5": expected a division code of 2, 4 or 6 digits/,
    );
    await expect(silence(['--division', '51', '--for', '1d'])).rejects.toThrow(
      /^a silence of the whole province 51 \(division=51\*\) is broader than one prefecture/,
    );
    await expect(silence(['--division', '5101', '--for', '31d'])).rejects.toThrow(
      /^silence duration 31d is longer than 30 days: expected 30d or less, or --force/,
    );
    await expect(silence(['--rule', 'no_such_rule', '--division', '5101', '--for', '1h'])).rejects.toThrow(
      /^rule "no_such_rule": no alert carries this rule id: expected one of /,
    );
    out.length = 0;
    await silence(['--division', '51', '--for', '31d', '--force']);
    expect(out[0]).toMatch(
      /^silenced: sil-[0-9a-f]{8} {2}division=51\* {2}until \S+ \(\d+ min left\) {2}\[province, 31d, forced: broader than one prefecture, longer than 30 days\] {2}by x at \S+: y$/,
    );
    await cli().parseAsync(['alerts', 'unsilence', /sil-[0-9a-f]{8}/.exec(out[0]!)![0]], { from: 'user' });
  });

  it('a silence without a matcher or with a bad duration is refused before anything is written', async () => {
    await expect(
      cli().parseAsync(['alerts', 'silence', '--for', '2h', '--by', 'x', '--why', 'y'], { from: 'user' }),
    ).rejects.toThrow('alerts silence needs --rule, --division or --subject');
    const stderr: string[] = [];
    const root = cli();
    root.commands
      .find((c) => c.name() === 'alerts')!
      .commands.forEach((c) => {
        c.configureOutput({ writeErr: (s) => stderr.push(s) });
      });
    await expect(
      root.parseAsync(['alerts', 'silence', '--rule', 'r', '--for', '2x', '--by', 'x', '--why', 'y'], {
        from: 'user',
      }),
    ).rejects.toThrow(/argument '2x' is invalid\. duration "2x": expected e\.g\. 30m, 2h, 1d or 1h30m/);
  });

  it('publish puts an alerts file on the bus; publishing it again stores nothing twice', async () => {
    const { name, prefix } = names('cli');
    // Created first with this run's prefix: `publish` keeps an existing stream's subjects.
    await ensureAlertStream(nats.jsm, { name, subjects: [`${prefix}.>`] });
    const dir = mkdtempSync(join(tmpdir(), 'yibao-alerts-'));
    try {
      const file = join(dir, 'alerts.ndjson');
      const lines = burst(4).map((a) => {
        const { kind: _kind, ...rest } = a;
        return JSON.stringify(rest);
      });
      writeFileSync(file, `${[...lines, '{"not":"an alert"}'].join('\n')}\n`);
      out.length = 0;
      await cli({ name, prefix }).parseAsync(['alerts', 'publish', file], { from: 'user' });
      expect(out).toEqual([
        `${file}:5: not an alert: alert_id: Invalid input: expected string, received undefined`,
        `4 alerts published to ${name}, 0 already there, 1 rejected`,
      ]);
      expect(code).toBe(1);
      await cli({ name, prefix }).parseAsync(['alerts', 'publish', file], { from: 'user' });
      expect(out.at(-1)).toBe(`0 alerts published to ${name}, 4 already there, 1 rejected`);
      expect((await nats.jsm.streams.info(name)).state.messages).toBe(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('yibao-monitor alerts without a NATS server', () => {
  it('says which URL failed and what to do, and exits 2', async () => {
    const err: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => err.push(s) > 0) as typeof process.stderr.write;
    const before = process.env.YIBAO_NATS_URL;
    process.env.YIBAO_NATS_URL = 'nats://127.0.0.1:1';
    try {
      expect(await main(['alerts', 'list-silences'])).toBe(2);
    } finally {
      process.stderr.write = write;
      if (before === undefined) delete process.env.YIBAO_NATS_URL;
      else process.env.YIBAO_NATS_URL = before;
    }
    expect(err.join('')).toMatch(
      /^yibao-monitor: cannot reach NATS at nats:\/\/127\.0\.0\.1:1 \(.+\): start nats-server with JetStream \(nats-server -js\) or set YIBAO_NATS_URL to a server that runs \[SINK_UNAVAILABLE\]\n$/,
    );
  });
});
