// The store end to end: migrations, the ClickHouse sink and the rollups, through @clickhouse/client
// on chDB (always) and on a server in a container (when a Docker engine is reachable).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, InspectionTask } from '../../processors/outputs.ts';
import {
  clickhouseInsert,
  createClickHouseSink,
  createSink,
} from '../../processors/storage/clickhouse-sink.ts';
import { migrate } from '../../processors/storage/migrate.ts';
import { loadMigrations, parseMigration } from '../../processors/storage/migration-files.ts';
import {
  chainStatuses,
  openAlertsBySeverity,
  riskiestInstitutions,
} from '../../processors/storage/queries.ts';
import {
  chinaDateTime,
  levelChangeId,
  type StorageRecord,
  TABLES,
  type TableName,
} from '../../processors/storage/rows.ts';
import type { ChainStatus } from '../../rules/chains.ts';
import type { LevelChange } from '../../rules/engine/standing.ts';
import { MonitorError } from '../../schemas/errors.ts';
import { createTestClickHouse, type TestClickHouse } from '../support/clickhouse.ts';
import { describeWithDocker } from '../support/docker.ts';

const N = 3_000;
const DIVISIONS = ['320102', '320583', '510104', '650102', '500237'];
const RULES = ['ew.fund_spike', 'ew.readmission', 'ew.many_institutions', 'jiangsu.general_warning'];
const SEVERITIES = ['key', 'general', 'info'] as const;
const LEVELS = ['none', 'general', 'severe', 'joint'];
const DAY_MS = 86_400_000;
const CHINA_MS = 8 * 3_600_000;
/**
 * Yesterday 22:30 China time: the data crosses midnight, so days and hours both split, and it is
 * recent enough for the tables' TTLs (ClickHouse drops rows already past their TTL on insert).
 */
const BASE = Math.floor((Date.now() + CHINA_MS) / DAY_MS) * DAY_MS - CHINA_MS - 1.5 * 3_600_000;
const iso = (ms: number) => new Date(ms + CHINA_MS).toISOString().replace('Z', '+08:00');
const institution = (i: number) => `H${DIVISIONS[i % DIVISIONS.length]}${String(i % 997).padStart(5, '0')}`;

function alerts(): Alert[] {
  const out: Alert[] = [];
  for (let i = 0; i < N; i++) {
    const a: Alert = {
      kind: 'alert',
      alert_id: `alert-${i}`,
      rule: RULES[i % RULES.length]!,
      severity: SEVERITIES[i % SEVERITIES.length]!,
      title: '信用风险预警',
      subject_kind: 'institution',
      subject_code: institution(i),
      division: DIVISIONS[i % DIVISIONS.length]!,
      pack: 'jiangsu',
      raised_at: iso(BASE + i * 7_000),
      status: 'firing',
      reasons: [{ rule: RULES[i % RULES.length]!, article: '第三条', event_id: `ev-${i}` }],
      evidence: [`ev-${i}`],
    };
    out.push(a);
    if (i % 10 === 0) out.push({ ...a, status: 'resolved', raised_at: iso(BASE + i * 7_000 + 60_000) });
  }
  return out;
}

function levelChanges(): LevelChange[] {
  return Array.from({ length: N }, (_, i) => ({
    kind: 'level_change' as const,
    subject_kind: 'institution' as const,
    subject_code: institution(i),
    pack: i % 2 === 0 ? 'jiangsu' : 'xinjiang',
    division: DIVISIONS[i % DIVISIONS.length]!,
    at: iso(BASE + i * 11_000),
    from: LEVELS[i % 4]!,
    to: LEVELS[(i + 1) % 4]!,
    scale: 'dishonesty' as const,
    ...(i % 3 === 0 && { score: 60 + (i % 40) }),
    reasons: [{ rule: 'r', article: '第十三条' }],
    ...(i % 5 !== 0 && { event_id: `ev-${i}` }),
    consequences: [],
  }));
}

/** 1,000 subjects with 3 standings each, written newest-first for some so "last written" ≠ "latest". */
function standings(): StorageRecord[] {
  const out: StorageRecord[] = [];
  for (const round of [2, 0, 1]) {
    for (let s = 0; s < N / 3; s++) {
      out.push({
        kind: 'standing',
        standing: {
          subject_kind: 'institution',
          subject_code: `P${DIVISIONS[s % 5]}${String(s).padStart(5, '0')}`,
          pack: 'sichuan',
          division: DIVISIONS[s % 5]!,
          period: 2025,
          evaluated: true,
          scale: 'grade',
          level: ['A', 'B', 'C', 'D', 'E'][(s + round) % 5]!,
          score: 100 - round,
          policy_in_force: true,
          as_of: iso(BASE + round * DAY_MS),
          reasons: [],
          consequences: [],
        },
      });
    }
  }
  return out;
}

function chainRecords(): StorageRecord[] {
  const out: StorageRecord[] = [];
  for (let t = 0; t < 30; t++) {
    for (let c = 0; c < N / 30; c++) {
      const status: ChainStatus = {
        chain_id: `chain-${c}`,
        pack: 'sichuan',
        branches: 20,
        evaluated_branches: 20,
        at_or_below_d: (c + t) % 6,
        share: ((c + t) % 6) / 20,
        triggers: (c + t) % 6 >= 4 ? ['sichuan.chain_20pct'] : [],
        trigger_articles: [],
        branches_to_trigger: {},
        branch_codes: [],
      };
      out.push({ kind: 'chain_status', at: iso(BASE + t * 3_600_000), status });
    }
  }
  return out;
}

function otherRecords(): StorageRecord[] {
  const out: StorageRecord[] = [];
  for (let i = 0; i < N; i++) {
    const task: InspectionTask = {
      kind: 'inspection',
      task_id: `task-${i}`,
      subject_kind: 'institution',
      subject_code: institution(i),
      reason_rule: RULES[i % RULES.length]!,
      basis: '四川 第三十四条(七)',
      created_at: iso(BASE + i * 13_000),
      division: DIVISIONS[i % 5]!,
      pack: 'sichuan',
    };
    out.push(
      task,
      {
        kind: 'indicator_snapshot',
        at: iso(BASE + i * 1_000),
        subject_kind: 'institution',
        subject_code: institution(i),
        division: DIVISIONS[i % 5]!,
        institution_kind: i % 2 === 0 ? 'hospital' : 'pharmacy',
        indicator: 'fund_pay_sum',
        window: '30d',
        value: i * 1.25,
      },
      i % 2 === 0
        ? { kind: 'rejected', line: i + 1, raw: `{"n":${i}`, error: 'not JSON', path: '' }
        : {
            kind: 'dead_letter',
            received_at: iso(BASE + i),
            source: 'kafka',
            topic: 'settlements',
            partition: i % 4,
            offset: String(2n ** 53n + BigInt(i)),
            raw: `{"n":${i}}`,
            error: 'type: expected one of …',
            path: 'type',
          },
      { kind: 'pipeline_metric', at: iso(BASE + i * 1_000), stage: 'institution', metric: 'lag', value: i },
    );
  }
  return out;
}

const ALL: StorageRecord[] = [
  ...alerts(),
  ...levelChanges(),
  ...standings(),
  ...chainRecords(),
  ...otherRecords(),
];

async function select<T>(
  ch: TestClickHouse,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const rs = await ch.client.query({ query, format: 'JSONEachRow', query_params: params });
  return rs.json<T>();
}
async function count(ch: TestClickHouse, from: string): Promise<number> {
  const [r] = await select<{ n: string | number }>(ch, `SELECT count() AS n FROM ${from}`);
  return Number(r?.n);
}

/** Columns and table definitions of a database, to compare before and after. */
async function schema(ch: TestClickHouse, db: string) {
  const columns = await select(
    ch,
    `SELECT table, name, type, position, default_kind, default_expression, comment
     FROM system.columns WHERE database = {db:String} ORDER BY table, position`,
    { db },
  );
  const tables = await select(
    ch,
    `SELECT name, engine, create_table_query FROM system.tables WHERE database = {db:String} ORDER BY name`,
    { db },
  );
  return { columns, tables };
}

function writeAll(
  sink: { write(r: readonly StorageRecord[]): Promise<void> },
  records: readonly StorageRecord[],
) {
  return (async () => {
    for (let i = 0; i < records.length; i += 250) await sink.write(records.slice(i, i + 250));
  })();
}

/** Expected rollup rows computed in JS from the alerts written. */
function alertRollup(bucket: (chinaTime: string) => string) {
  const m = new Map<string, { n: number; ids: Set<string> }>();
  for (const r of ALL) {
    if (r.kind !== 'alert' || r.status !== 'firing') continue;
    const key = [bucket(chinaDateTime(r.raised_at)), r.division, r.rule, r.severity].join('|');
    const e = m.get(key) ?? { n: 0, ids: new Set<string>() };
    e.n++;
    e.ids.add(r.alert_id);
    m.set(key, e);
  }
  return [...m.entries()].map(([k, v]) => `${k}|${v.n}|${v.ids.size}`).sort();
}

function storageSuite(kind: 'chdb' | 'server') {
  let ch: TestClickHouse;
  const DB = 'yibao_it';

  beforeAll(async () => {
    ch = await createTestClickHouse({ kind });
    process.stderr.write(`storage.test: ${ch.kind} ${ch.version}\n`);
  }, 180_000);

  afterAll(async () => {
    await ch?.close();
  });

  it('migrations run twice leave the same schema and one ledger row per version', async () => {
    const files = loadMigrations();
    const first = await migrate(ch.client, DB);
    expect(first.steps.map((s) => [s.file, s.status])).toEqual(files.map((f) => [f.file, 'applied']));
    const before = await schema(ch, DB);
    const second = await migrate(ch.client, DB);
    expect(second.steps.map((s) => [s.file, s.status])).toEqual(files.map((f) => [f.file, 'skipped']));
    expect(second.unknown).toEqual([]);
    expect(await schema(ch, DB)).toEqual(before);
    const ledger = await select<{ version: number; name: string; checksum: string; n: string | number }>(
      ch,
      `SELECT version, name, checksum, count() AS n FROM ${DB}.schema_migrations GROUP BY version, name, checksum ORDER BY version`,
    );
    expect(ledger.map((r) => [Number(r.version), r.name, r.checksum, Number(r.n)])).toEqual(
      files.map((f) => [f.version, f.name, f.checksum, 1]),
    );
    expect(before.tables.map((t) => (t as { name: string }).name)).toEqual(
      expect.arrayContaining([...TABLES, 'schema_migrations', 'alerts_per_minute', 'alerts_per_minute_mv']),
    );
  });

  it('a changed applied migration is refused, naming the file and what to do', async () => {
    const files = loadMigrations();
    const changed = [parseMigration('001_base.sql', `${files[0]!.sql}\n-- edited\n`), ...files.slice(1)];
    const err = await migrate(ch.client, DB, { migrations: changed }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MonitorError);
    expect((err as MonitorError).code).toBe('CONFIG_INVALID');
    expect((err as Error).message).toMatch(
      /^migration 001_base\.sql was applied to yibao_it on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} with checksum [0-9a-f]{12}…, but the file now has [0-9a-f]{12}…: an applied migration must not change\. Restore the file and put the change in a new numbered migration$/,
    );
  });

  it('a new numbered file is applied alone; an older monitor then reports it as unknown', async () => {
    const db = 'yibao_it_next';
    const files = loadMigrations();
    await migrate(ch.client, db);
    // The version after the shipped ones.
    const version = files.length + 1;
    const file = `${String(version).padStart(3, '0')}_extra.sql`;
    const next = parseMigration(
      file,
      'CREATE TABLE IF NOT EXISTS {{database}}.extra (x UInt8)\nENGINE = MergeTree ORDER BY x;\n',
    );
    const r = await migrate(ch.client, db, { migrations: [...files, next] });
    expect(r.steps.filter((s) => s.status === 'applied').map((s) => s.file)).toEqual([file]);
    expect(await count(ch, `${db}.extra`)).toBe(0);
    const older = await migrate(ch.client, db);
    expect(older.unknown).toEqual([{ version, name: 'extra' }]);
  });

  it('the sink writes thousands of rows of each kind; every batch sent twice is stored once', async () => {
    // Each batch reaches ClickHouse, then its answer is "lost": the sink sends it again with the
    // same token, as after a timeout. Counts are taken without FINAL, so Replacing ids do not hide
    // a double insert.
    // Background merges would collapse Replacing duplicates and hide a double insert.
    for (const table of TABLES) await ch.client.command({ query: `SYSTEM STOP MERGES ${DB}.${table}` });
    const insert = clickhouseInsert(ch.client, DB);
    const answered = new Set<string>();
    let lost = 0;
    const sink = createSink(
      async (table, rows, token) => {
        await insert(table, rows, token);
        if (!answered.has(token)) {
          answered.add(token);
          lost++;
          throw new MonitorError('SINK_UNAVAILABLE', 'answer lost');
        }
      },
      { maxRows: 500, maxDelayMs: 50, maxBufferedRows: 2_000, retry: { initialDelayMs: 1, maxDelayMs: 5 } },
    );
    await writeAll(sink, ALL);
    await sink.close();
    const stats = sink.stats();
    expect(stats.retries).toBe(lost);
    expect(lost).toBe(stats.batches);

    const expected: Record<TableName, number> = {
      alerts: N + N / 10,
      level_changes: N,
      standings_current: N,
      chain_status: N,
      inspection_tasks: N,
      indicator_snapshots: N,
      dead_letters: N,
      pipeline_metrics: N,
    };
    expect(stats.rows_written).toEqual(expected);
    for (const table of TABLES) {
      expect(await count(ch, `${DB}.${table}`), table).toBe(expected[table]);
    }
    for (const table of TABLES) await ch.client.command({ query: `SYSTEM START MERGES ${DB}.${table}` });
  });

  it('ReplacingMergeTree keeps the newest standing per subject and one row per id (FINAL)', async () => {
    expect(await count(ch, `${DB}.standings_current FINAL`)).toBe(N / 3);
    const [s] = await select<{ level: string; score: number; as_of: string; version: string | number }>(
      ch,
      `SELECT level, score, toString(as_of) AS as_of, version FROM ${DB}.standings_current FINAL
       WHERE subject_code = {code:String}`,
      { code: 'P32010200000' },
    );
    expect({ ...s, version: Number(s?.version) }).toEqual({
      level: 'C',
      score: 98,
      as_of: chinaDateTime(BASE + 2 * DAY_MS),
      version: BASE + 2 * DAY_MS,
    });
    const [lc] = await select<Record<string, unknown>>(
      ch,
      `SELECT change_id, \`from\`, \`to\`, score, event_id, toString(at) AS at FROM ${DB}.level_changes FINAL
       WHERE subject_code = {code:String} AND pack = 'jiangsu' ORDER BY at LIMIT 1`,
      { code: institution(0) },
    );
    const first = levelChanges()[0]!;
    expect(lc).toEqual({
      change_id: levelChangeId(first),
      from: 'none',
      to: 'general',
      score: 60,
      event_id: '',
      at: chinaDateTime(BASE),
    });
    const [dl] = await select<Record<string, unknown>>(
      ch,
      `SELECT toString(\`offset\`) AS o, \`partition\` AS p, topic FROM ${DB}.dead_letters WHERE raw = '{"n":1}'`,
    );
    expect(dl).toEqual({ o: String(2n ** 53n + 1n), p: 1, topic: 'settlements' });
  });

  it('alert rollups per minute, hour and day hold the counts computed in JS', async () => {
    const cases = [
      ['alerts_per_minute', 'minute', (t: string) => `${t.slice(0, 16)}:00`],
      ['alerts_per_hour', 'hour', (t: string) => `${t.slice(0, 13)}:00:00`],
      ['alerts_per_day', 'day', (t: string) => t.slice(0, 10)],
    ] as const;
    for (const [table, bucket, inJs] of cases) {
      const got = await select<{ k: string }>(
        ch,
        `SELECT concat(toString(${bucket}), '|', division, '|', rule, '|', severity, '|',
                       toString(sum(alerts)), '|', toString(uniqExactMerge(alert_ids))) AS k
         FROM ${DB}.${table} GROUP BY ${bucket}, division, rule, severity`,
      );
      expect(got.map((r) => r.k).sort(), table).toEqual(alertRollup(inJs));
    }
    const [days] = await select<{ d: string | number }>(
      ch,
      `SELECT uniqExact(day) AS d FROM ${DB}.alerts_per_day`,
    );
    expect(Number(days?.d)).toBe(2);
  });

  it('the level-change rollup per day, pack, division and new level holds the counts computed in JS', async () => {
    const want = new Map<string, number>();
    for (const c of levelChanges()) {
      const k = [chinaDateTime(c.at).slice(0, 10), c.pack, c.division, c.scale, c.to].join('|');
      want.set(k, (want.get(k) ?? 0) + 1);
    }
    const got = await select<{ k: string }>(
      ch,
      `SELECT concat(toString(day), '|', pack, '|', division, '|', scale, '|', to_level, '|',
                     toString(sum(changes)), '|', toString(uniqExactMerge(change_ids))) AS k
       FROM ${DB}.level_changes_per_day GROUP BY day, pack, division, scale, to_level`,
    );
    expect(got.map((r) => r.k).sort()).toEqual([...want.entries()].map(([k, n]) => `${k}|${n}|${n}`).sort());
  });

  it('alerts written again in other batches collapse in the table; the rollup id counts stay exact', async () => {
    const again = ALL.filter((r) => r.kind === 'alert' && r.status === 'firing').slice(0, 100);
    const sink = createClickHouseSink({ client: ch.client, database: DB, maxRows: 37, maxDelayMs: 20 });
    await sink.write(again);
    await sink.close();
    expect(await count(ch, `${DB}.alerts FINAL`)).toBe(N + N / 10);
    const [r] = await select<{ n: string | number; u: string | number }>(
      ch,
      `SELECT sum(alerts) AS n, uniqExactMerge(alert_ids) AS u
       FROM (SELECT alerts, alert_ids FROM ${DB}.alerts_per_day)`,
    );
    // `alerts` counts inserted rows (the replay shows); uniqExactMerge(alert_ids) is exact.
    expect([Number(r?.n), Number(r?.u)]).toEqual([N + 100, N]);
  });

  it('queries: riskiest institutions, open alerts by severity, chain statuses', async () => {
    const db = 'yibao_it_q';
    await migrate(ch.client, db);
    const at = '2025-05-01T10:00:00+08:00';
    const alert = (
      id: string,
      code: string,
      severity: Alert['severity'],
      status: Alert['status'],
      rule = 'r',
      raisedAt = at,
    ): Alert => ({
      kind: 'alert',
      alert_id: id,
      rule,
      severity,
      title: 't',
      subject_kind: 'institution',
      subject_code: code,
      division: code.slice(1, 7),
      pack: 'sichuan',
      raised_at: raisedAt,
      status,
      reasons: [],
    });
    const standing = (code: string, level: string, asOf = at): StorageRecord => ({
      kind: 'standing',
      standing: {
        subject_kind: 'institution',
        subject_code: code,
        pack: 'sichuan',
        division: code.slice(1, 7),
        period: 2025,
        evaluated: true,
        scale: 'grade',
        level,
        policy_in_force: true,
        as_of: asOf,
        reasons: [],
        consequences: [],
      },
    });
    const chain = (id: string, t: string, low: number): StorageRecord => ({
      kind: 'chain_status',
      at: t,
      status: {
        chain_id: id,
        pack: 'sichuan',
        branches: 10,
        evaluated_branches: 10,
        at_or_below_d: low,
        share: low / 10,
        triggers: low >= 2 ? ['sichuan.chain_20pct'] : [],
        trigger_articles: [],
        branches_to_trigger: {},
        branch_codes: [],
      },
    });
    const sink = createClickHouseSink({ client: ch.client, database: db });
    await sink.write([
      standing('H51010400001', 'B'),
      standing('H51010400002', 'E', '2025-04-01T00:00:00+08:00'),
      standing('H51010400002', 'D'), // newer: D replaces E
      standing('H51010400003', 'D'),
      standing('H51010400004', 'A'),
      alert('a1', 'H51010400003', 'general', 'firing'),
      alert('a2', 'H51010400003', 'key', 'firing', 'r2'),
      // A resolve has its own id (status and time are in it): it ends the raise of its rule and subject.
      alert('a3', 'H51010400002', 'key', 'firing'),
      alert('a3-resolved', 'H51010400002', 'key', 'resolved', 'r', '2025-05-02T08:00:00+08:00'),
      // Raised again after a resolve: open again, once.
      alert('a6', 'H51010400001', 'general', 'firing', 'r2', '2025-04-30T08:00:00+08:00'),
      alert('a6-resolved', 'H51010400001', 'general', 'resolved', 'r2', '2025-05-01T07:00:00+08:00'),
      alert('a6-again', 'H51010400001', 'general', 'firing', 'r2', '2025-05-02T08:00:00+08:00'),
      alert('a4', 'H65010200009', 'info', 'firing'), // no standing: still listed
      alert('a5', 'H51010400001', 'general', 'firing'),
      chain('chain-1', '2025-05-01T08:00:00+08:00', 1),
      chain('chain-1', '2025-05-01T09:00:00+08:00', 3),
      chain('chain-2', '2025-05-01T09:00:00+08:00', 0),
    ]);
    await sink.close();

    const top = await riskiestInstitutions(ch.client, db, { limit: 10 });
    expect(
      top.map((r) => [r.subject_code, r.level, r.level_risk, r.open_alerts, r.worst_open_severity]),
    ).toEqual([
      ['H51010400003', 'D', 3, 2, 'key'],
      ['H51010400002', 'D', 3, 0, null],
      ['H51010400001', 'B', 1, 2, 'general'],
      ['H65010200009', '', 0, 1, 'info'],
      ['H51010400004', 'A', 0, 0, null],
    ]);
    expect(top[3]).toMatchObject({ division: '650102', score: null, pack: '' });
    expect((await riskiestInstitutions(ch.client, db, { limit: 1 })).map((r) => r.subject_code)).toEqual([
      'H51010400003',
    ]);
    expect(
      (await riskiestInstitutions(ch.client, db, { division: '650102' })).map((r) => r.subject_code),
    ).toEqual(['H65010200009']);

    expect(await openAlertsBySeverity(ch.client, db)).toEqual([
      { severity: 'key', open_alerts: 1, subjects: 1 },
      { severity: 'general', open_alerts: 3, subjects: 2 },
      { severity: 'info', open_alerts: 1, subjects: 1 },
    ]);
    expect(await openAlertsBySeverity(ch.client, db, { division: '650102' })).toEqual([
      { severity: 'info', open_alerts: 1, subjects: 1 },
    ]);

    expect(await chainStatuses(ch.client, db)).toEqual([
      {
        chain_id: 'chain-1',
        pack: 'sichuan',
        at: '2025-05-01 09:00:00.000',
        branches: 10,
        evaluated_branches: 10,
        at_or_below_d: 3,
        share: 0.3,
        triggers: ['sichuan.chain_20pct'],
      },
      {
        chain_id: 'chain-2',
        pack: 'sichuan',
        at: '2025-05-01 09:00:00.000',
        branches: 10,
        evaluated_branches: 10,
        at_or_below_d: 0,
        share: 0,
        triggers: [],
      },
    ]);
  });

  it('a store that was never migrated: the sink says to run migrate', async () => {
    const sink = createClickHouseSink({ client: ch.client, database: 'yibao_never_migrated' });
    await sink.write([alerts()[0]!]);
    const err = await sink.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MonitorError);
    expect((err as MonitorError).code).toBe('CONFIG_MISSING');
    expect((err as Error).message).toContain('run `yibao-monitor migrate` on this store first');
  });
}

describe('the store on chDB: migrations, sink, rollups, queries', () => storageSuite('chdb'));

await describeWithDocker('the store on a ClickHouse server in a container', () => storageSuite('server'));
