// Acknowledgements and silences reach ClickHouse for the dashboards' work queue: `yibao-monitor
// alerts ack | silence | unsilence` against the real nats-server write the KV as before and the
// same record into alert_acks / alert_silences (chDB here, migrated as the monitor migrates); a
// failed ClickHouse write leaves the KV record in force, says so and exits 1; `alerts sync-store`
// copies the buckets and records as lifted a silence the bucket no longer holds. Then the queue
// panel reads the acknowledgement the CLI made.
import { jetstream } from '@nats-io/jetstream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relativeTime } from '../../dashboards/macros.ts';
import { resolveVariables, runCheck, runSql } from '../../dashboards/panel-queries.ts';
import { DASHBOARDS } from '../../dashboards/src/index.ts';
import { ACK_STATES } from '../../dashboards/src/queue.ts';
import { ensureAlertStream, publishAlert } from '../../processors/alerting/bus.ts';
import { AlertState } from '../../processors/alerting/state.ts';
import type { AlertStateStore } from '../../processors/alerting/state-store.ts';
import { addAlertsCommand } from '../../processors/cli/alerts.ts';
import { createClickHouseSink } from '../../processors/storage/clickhouse-sink.ts';
import { keepDeduplicationTokenPerInsert } from '../../processors/storage/client.ts';
import { migrate } from '../../processors/storage/migrate.ts';
import { createTestClickHouse, type TestClickHouse } from '../support/clickhouse.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import { burst } from '../unit/alerting/fixtures.ts';

const DATABASE = 'yibao_ack';

let nats: TestNats;
let ch: TestClickHouse;
let buckets: { acksBucket: string; silencesBucket: string };
let stream: { name: string; prefix: string };
const out: string[] = [];
let code = 0;

beforeAll(async () => {
  nats = await startNats();
  ch = await createTestClickHouse();
  keepDeduplicationTokenPerInsert(ch.client);
  await migrate(ch.client, DATABASE);
  buckets = { acksBucket: nats.uniqueName('ACKS_STORE'), silencesBucket: nats.uniqueName('SILENCES_STORE') };
  const name = nats.uniqueName('ALERTS_STORE');
  stream = { name, prefix: `it_${name.toLowerCase()}` };
  await ensureAlertStream(nats.jsm, { name, subjects: [`${stream.prefix}.>`] });
}, 120_000);

afterAll(async () => {
  if (nats) {
    await (await AlertState.open(nats.nc, buckets)).destroy().catch(() => undefined);
    await nats.jsm.streams.delete(stream.name).catch(() => undefined);
    await nats.stop();
  }
  await ch?.close();
});

const store = (database = DATABASE): AlertStateStore => ({
  client: ch.client,
  database,
  close: async () => undefined,
});

function cli(opts: { store?: () => Promise<AlertStateStore | undefined> } = {}): Command {
  const root = new Command('yibao-monitor').exitOverride();
  addAlertsCommand(root, {
    config: () => ({ YIBAO_NATS_URL: nats.url }),
    print: (l) => out.push(l),
    setCode: (c) => {
      code = c;
    },
    buckets,
    stream: stream.name,
    subjectPrefix: stream.prefix,
    store: opts.store ?? (async () => store()),
  });
  return root;
}

const rows = async (sql: string) => (await runSql(ch.client, sql)).rows;

describe('yibao-monitor alerts with a ClickHouse store', () => {
  it('ack writes the KV and alert_acks; a second ack adds a row; the queue shows the newest', async () => {
    const [raised] = burst(1, { alert_id: 'alert-store-0001', division: '510104' });
    await publishAlert(jetstream(nats.nc), raised!, { prefix: stream.prefix });
    const sink = createClickHouseSink({ client: ch.client, database: DATABASE });
    await sink.write([raised!]);
    await sink.close();

    out.length = 0;
    await cli().parseAsync(['alerts', 'ack', raised!.alert_id, '--by', '李四', '--note', '已安排检查'], {
      from: 'user',
    });
    expect(out.at(-2)).toMatch(/^acknowledged alert-store-0001 \(firing, .*\) by 李四 at \S+: 已安排检查$/);
    expect(out.at(-1)).toBe(`recorded in ${DATABASE}.alert_acks for the dashboards`);
    const state = await AlertState.open(nats.nc, buckets);
    const kv = await state.getAck(raised!.alert_id);
    expect(kv).toMatchObject({ by: '李四', note: '已安排检查' });
    const acked = await rows(
      `SELECT alert_id, acked_by, note, toUnixTimestamp64Milli(at) AS ms FROM ${DATABASE}.alert_acks FINAL`,
    );
    expect(acked.map((r) => ({ ...r, ms: Number(r.ms) }))).toEqual([
      { alert_id: 'alert-store-0001', acked_by: '李四', note: '已安排检查', ms: Date.parse(kv!.at) },
    ]);

    await new Promise((r) => setTimeout(r, 5));
    await cli().parseAsync(['alerts', 'ack', raised!.alert_id, '--by', '王五'], { from: 'user' });
    expect(
      (await rows(`SELECT acked_by FROM ${DATABASE}.alert_acks FINAL ORDER BY at`)).map((r) => r.acked_by),
    ).toEqual(['李四', '王五']);

    // The work queue, as Grafana would run it on this store.
    const queue = DASHBOARDS.find((d) => d.spec.uid === 'yibao-queue')!;
    const check = queue.checks.find((c) => c.title === '预警工作队列（最早的在前）')!;
    await ch.client.command({ query: `USE ${DATABASE}` });
    const now = Date.now();
    const range = { from: relativeTime(queue.spec.time.from, now), to: now };
    const result = await runCheck(ch.client, check, range, await resolveVariables(ch.client, queue, range));
    expect(result.rows.map((r) => [r.预警编号, r.确认状态, r.确认人, r.确认备注])).toEqual([
      ['alert-store-0001', ACK_STATES.acked, '王五', ''],
    ]);
  });

  it('silence and unsilence write alert_silences; the lifted row wins', async () => {
    out.length = 0;
    await cli().parseAsync(
      ['alerts', 'silence', '--subject', 'H51010400001', '--for', '2h', '--by', '张三', '--why', '现场检查'],
      { from: 'user' },
    );
    const id = /^silenced: (sil-[0-9a-f]{8})/.exec(out.find((l) => l.startsWith('silenced:'))!)![1]!;
    expect(out.at(-1)).toBe(`recorded in ${DATABASE}.alert_silences for the dashboards`);
    const read = () =>
      rows(
        `SELECT silence_id, rule, division, subject, set_by, why, breadth, forced, lifted_at IS NULL AS open, version,
                toUnixTimestamp64Milli(until) - toUnixTimestamp64Milli(created_at) AS ms
         FROM ${DATABASE}.alert_silences FINAL WHERE silence_id = '${id}'`,
      );
    expect((await read()).map((r) => ({ ...r, ms: Number(r.ms) }))).toEqual([
      {
        silence_id: id,
        rule: '',
        division: '',
        subject: 'H51010400001',
        set_by: '张三',
        why: '现场检查',
        breadth: 'subject',
        forced: false,
        open: 1,
        version: 1,
        ms: 2 * 3_600_000,
      },
    ]);
    out.length = 0;
    await cli().parseAsync(['alerts', 'unsilence', id], { from: 'user' });
    expect(out).toEqual([
      `silence ${id} lifted`,
      `recorded in ${DATABASE}.alert_silences for the dashboards`,
    ]);
    expect(await read()).toMatchObject([{ silence_id: id, open: 0, version: 2 }]);
  });

  it('a failed ClickHouse write leaves the KV record in force, says so, exits 1', async () => {
    const [raised] = burst(1, { alert_id: 'alert-store-0002' });
    await publishAlert(jetstream(nats.nc), raised!, { prefix: stream.prefix });
    out.length = 0;
    code = 0;
    // A database the migrations never ran on: the insert is refused.
    await cli({ store: async () => store('yibao_never_migrated') }).parseAsync(
      ['alerts', 'ack', raised!.alert_id, '--by', '李四'],
      { from: 'user' },
    );
    expect(code).toBe(1);
    expect(out.at(-1)).toMatch(
      /^the acknowledgement of alert-store-0002 is in effect \(NATS KV\) but not recorded in ClickHouse: cannot write yibao_never_migrated\.alert_acks: .*; the dashboards miss it until `yibao-monitor alerts sync-store` copies it$/,
    );
    expect(await (await AlertState.open(nats.nc, buckets)).getAck(raised!.alert_id)).toMatchObject({
      by: '李四',
    });
  });

  it('sync-store copies what the store missed and records as lifted a silence gone from the bucket', async () => {
    const state = await AlertState.open(nats.nc, buckets);
    // Made straight on the KV, as before migration 005: the store has neither.
    await state.ack('alert-store-0003', { by: '赵六', note: '旧确认' });
    const kept = await state.silence({ division: '5101', forMs: 3_600_000, by: '赵六', why: '保留' });
    // Known to the store, then lifted on the KV alone (the store was down at the time).
    out.length = 0;
    await cli().parseAsync(
      [
        'alerts',
        'silence',
        '--rule',
        'off_hours_share',
        '--division',
        '510104',
        '--for',
        '1h',
        '--by',
        '赵六',
        '--why',
        '误报',
      ],
      { from: 'user' },
    );
    const gone = /^silenced: (sil-[0-9a-f]{8})/.exec(out.find((l) => l.startsWith('silenced:'))!)![1]!;
    expect(await state.unsilence(gone)).toBe(true);

    out.length = 0;
    code = 0;
    await cli().parseAsync(['alerts', 'sync-store'], { from: 'user' });
    expect(code).toBe(0);
    expect(out).toEqual([
      `3 acknowledgements and 1 silences copied to ${DATABASE}; 1 silences no longer in the bucket recorded as lifted`,
    ]);
    expect(
      await rows(
        `SELECT alert_id, acked_by, note FROM ${DATABASE}.alert_acks FINAL WHERE alert_id = 'alert-store-0003'`,
      ),
    ).toEqual([{ alert_id: 'alert-store-0003', acked_by: '赵六', note: '旧确认' }]);
    const silences = await rows(
      `SELECT silence_id, lifted_at IS NULL AS open FROM ${DATABASE}.alert_silences FINAL
       WHERE silence_id IN ('${kept.id}', '${gone}') ORDER BY open`,
    );
    expect(silences).toEqual([
      { silence_id: gone, open: 0 },
      { silence_id: kept.id, open: 1 },
    ]);
    // Run again: nothing doubles (same rows collapse), nothing more is lifted.
    out.length = 0;
    await cli().parseAsync(['alerts', 'sync-store'], { from: 'user' });
    expect(out.at(-1)).toMatch(/; 0 silences no longer in the bucket recorded as lifted$/);
    const [again] = await rows(
      `SELECT count() AS n FROM ${DATABASE}.alert_acks FINAL WHERE alert_id = 'alert-store-0003'`,
    );
    expect(Number(again!.n)).toBe(1);
  });

  it('sync-store without a ClickHouse server says what to set', async () => {
    await expect(
      cli({ store: async () => undefined }).parseAsync(['alerts', 'sync-store'], { from: 'user' }),
    ).rejects.toThrow(/^alerts sync-store needs a ClickHouse server: set YIBAO_CLICKHOUSE_URL/);
  });
});
