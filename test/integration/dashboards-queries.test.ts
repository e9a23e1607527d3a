// Every query of every dashboard, as Grafana and the ClickHouse plugin would send it, on chDB
// loaded by a simulator run through the real topology and ClickHouse sink (ARCHITECTURE.md,
// Grafana: no Grafana server here). For each target: the declared columns and ClickHouse types;
// rows where the data has them; and, with a variable narrowed from All, no more rows than on All,
// all inside the selection. The queries run as the read-only user would (readonly = 1).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relativeTime, type TemplateVariable } from '../../dashboards/macros.ts';
import { resolveVariables, runCheck, runSql, type Selection } from '../../dashboards/panel-queries.ts';
import type { BuiltDashboard, TargetCheck } from '../../dashboards/src/builder.ts';
import { FUND_INDICATOR, HIGH_RISK } from '../../dashboards/src/divisions.ts';
import { DASHBOARDS } from '../../dashboards/src/index.ts';
import { PIPELINE_METRICS } from '../../dashboards/src/pipeline.ts';
import { ACK_STATES } from '../../dashboards/src/queue.ts';
import { type AlertAck, buildSilence, type Silence } from '../../processors/alerting/silences.ts';
import {
  type AlertStateStore,
  recordAcks,
  recordLifted,
  recordSilences,
} from '../../processors/alerting/state-store.ts';
import type { Alert } from '../../processors/outputs.ts';
import { MIN_INSTITUTIONS } from '../../processors/simulator/population.ts';
import { simulate } from '../../processors/simulator/simulate.ts';
import { createClickHouseSink } from '../../processors/storage/clickhouse-sink.ts';
import { keepDeduplicationTokenPerInsert } from '../../processors/storage/client.ts';
import { migrate } from '../../processors/storage/migrate.ts';
import { LEVEL_RISK } from '../../processors/storage/queries.ts';
import {
  type AlertRow,
  alertRow,
  chinaDateTime,
  type LevelChangeRow,
  levelChangeRow,
  type PipelineMetric,
  type StandingRow,
  standingRow,
} from '../../processors/storage/rows.ts';
import { createTopology } from '../../processors/topology.ts';
import { compilePacks } from '../../rules/packs/index.ts';
import { createTestClickHouse, type TestClickHouse } from '../support/clickhouse.ts';

const DATABASE = 'yibao';
const DAYS = 10;
const DAY_MS = 86_400_000;
const CHINA_MS = 8 * 3_600_000;
/** Every this many input lines: a truncated copy (a dead letter) and a pipeline-metrics snapshot. */
const EVERY = 3_000;

let ch: TestClickHouse;
let now: number;

/** What the sink wrote, row by row, for the expected values of the division overview and queue. */
const written = {
  alerts: new Map<string, AlertRow>(),
  changes: new Map<string, LevelChangeRow>(),
  standings: new Map<string, StandingRow>(),
  acks: [] as AlertAck[],
  /** Silences with when they were lifted, if they were. */
  silences: [] as { silence: Silence; liftedAt?: number }[],
};

/**
 * The simulator's days end yesterday (China time), so the dashboards' default ranges (now-6h …
 * now-30d) hold them, and ClickHouse keeps every row (it drops rows already past their TTL on
 * insert). Standings and chain statuses are written at the end, as replay and run do; pipeline
 * metrics as run.ts's snapshots write them (its `pipelineMetrics` is not exported: the same five
 * figures, by the names in PIPELINE_METRICS). Every EVERY lines a truncated copy of a record
 * stands for a broken producer, so the dead-letter panels have rows.
 */
async function seed(): Promise<void> {
  await migrate(ch.client, DATABASE);
  const sink = createClickHouseSink({ client: ch.client, database: DATABASE, maxRows: 5_000 });
  const topology = createTopology({
    pseudonymKey: 'dashboards-test-key-0123456789abcdef',
    packs: compilePacks(),
  });
  const todayChina = Math.floor((Date.now() + CHINA_MS) / DAY_MS) * DAY_MS;
  const start = new Date(todayChina - DAYS * DAY_MS).toISOString().slice(0, 10);
  const institutions = Math.max(120, MIN_INSTITUTIONS);
  let lines = 0;
  let alertsRaised = 0;
  const started = performance.now();
  const snapshot = (): PipelineMetric[] => {
    const at = new Date().toISOString();
    const m = (k: keyof typeof PIPELINE_METRICS, value: number): PipelineMetric => ({
      kind: 'pipeline_metric',
      at,
      ...PIPELINE_METRICS[k],
      value,
    });
    return [
      m('records', topology.counters.records_read),
      m('throughput', Math.round((lines * 1000) / Math.max(1, performance.now() - started))),
      m('deadLetters', topology.counters.rejected),
      m('late', topology.state().late),
      m('alertsRaised', alertsRaised),
    ];
  };
  const keep = (outs: readonly { kind: string }[]) => {
    for (const o of outs) {
      if (o.kind === 'alert') {
        const r = alertRow(o as Alert);
        written.alerts.set(`${r.alert_id}|${r.status}`, r);
      } else if (o.kind === 'level_change') {
        const r = levelChangeRow(o as Parameters<typeof levelChangeRow>[0]);
        written.changes.set(r.change_id, r);
      }
    }
  };
  for await (const line of simulate({ seed: 1, days: DAYS, institutions, start })) {
    lines++;
    const outs = topology.process(line, { source: 'simulator', line: lines });
    alertsRaised += outs.filter((o) => o.kind === 'alert' && o.status === 'firing').length;
    keep(outs);
    await sink.write(outs);
    if (lines % EVERY === 0) {
      await sink.write(topology.process(line.slice(0, 40), { source: 'simulator', line: lines }));
      await sink.write(snapshot());
    }
  }
  const finished = topology.finish();
  keep(finished);
  await sink.write(finished);
  const at = new Date().toISOString();
  const standings = topology.standings().map((standing) => ({ kind: 'standing' as const, standing }));
  for (const r of standings.map(standingRow)) {
    const key = `${r.pack}|${r.subject_kind}|${r.subject_code}`;
    if ((written.standings.get(key)?.version ?? -1) <= r.version) written.standings.set(key, r);
  }
  await sink.write(standings);
  await sink.write(topology.chains().map((status) => ({ kind: 'chain_status' as const, at, status })));
  await sink.write(snapshot());
  const spikes = amountSpikes();
  keep(spikes);
  await sink.write(spikes);
  await sink.close();
  await seedAlertState();
  // The datasource's jsonData.defaultDatabase resolves the dashboards' unqualified table names;
  // readonly = 1 is the read-only user's profile (dashboards/provisioning/readonly-user.sql).
  await ch.client.command({ query: `USE ${DATABASE}` });
  await ch.client.command({ query: 'SET readonly = 1' });
  now = Date.now();
}

/**
 * The simulator's spike alerts resolve within the run, so no open one would carry a fund amount:
 * two amount-spike alerts on a Sichuan institution, one that escalates and stays open (the fund
 * is the escalation's: 6 × 20 000) and one raised and resolved (no fund), in the last days.
 */
function amountSpikes(): Alert[] {
  const code = [...written.standings.values()].find(
    (s) => s.subject_kind === 'institution' && s.division === '510104',
  )!.subject_code;
  const day = (n: number) => new Date(Date.now() - n * DAY_MS).toISOString();
  const spike = (
    id: string,
    severity: Alert['severity'],
    at: string,
    status: Alert['status'],
    value: number,
  ) =>
    ({
      kind: 'alert',
      alert_id: id,
      rule: 'amount_spike',
      severity,
      title: '24小时基金支付额陡增',
      subject_kind: 'institution',
      subject_code: code,
      division: '510104',
      pack: 'sichuan',
      raised_at: at,
      status,
      reasons: [{ rule: 'amount_spike', detail: 'test' }],
      explanation: {
        indicator: FUND_INDICATOR,
        value,
        threshold: 3,
        window: '24h vs trailing 7d',
        baseline: 20_000,
      },
    }) satisfies Alert;
  return [
    spike('alert-test-spike-raise', 'general', day(3), 'firing', 3.5),
    spike('alert-test-spike-escalated', 'key', day(2), 'firing', 6),
    { ...spike('alert-test-other-raise', 'general', day(3), 'firing', 4), rule: 'peer_outlier' },
    { ...spike('alert-test-other-resolve', 'general', day(1), 'resolved', 1), rule: 'peer_outlier' },
  ];
}

/** Open alerts as the dashboards define them (dashboards/src/sql.ts OPEN_ALERTS), from the rows. */
function openAlerts(): {
  alert: AlertRow;
  openedAt: string;
  raiseIds: string[];
}[] {
  const groups = new Map<string, AlertRow[]>();
  for (const r of written.alerts.values()) {
    const key = `${r.rule}|${r.subject_kind}|${r.subject_code}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].flatMap((rows) => {
    const resolvedAt =
      rows
        .filter((r) => r.status === 'resolved')
        .map((r) => r.raised_at)
        .sort()
        .at(-1) ?? '';
    const raises = rows
      .filter((r) => r.status === 'firing' && r.raised_at >= resolvedAt)
      .sort((a, b) => a.raised_at.localeCompare(b.raised_at));
    if (raises.length === 0) return [];
    return [
      { alert: raises.at(-1)!, openedAt: raises[0]!.raised_at, raiseIds: raises.map((r) => r.alert_id) },
    ];
  });
}

/**
 * Acknowledgements and silences as `yibao-monitor alerts ack | silence | unsilence` record them
 * (state-store.ts), on open alerts chosen from the rows: the oldest one acknowledged twice (the
 * newer wins); one raised again since its acknowledgement; one silenced by subject; one whose
 * silence was lifted; one whose silence ended.
 */
async function seedAlertState(): Promise<void> {
  const store: AlertStateStore = { client: ch.client, database: DATABASE, close: async () => undefined };
  const open = openAlerts()
    .filter((o) => o.alert.division.length === 6)
    .sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.alert.alert_id.localeCompare(b.alert.alert_id));
  const t = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const [first, ...rest] = open;
  const again = rest.find((o) => o.raiseIds.length > 1)!;
  const others = rest.filter((o) => o !== again);
  expect(first && again && others.length >= 3, 'open alerts to acknowledge and silence').toBeTruthy();
  written.acks.push(
    { alert_id: first!.alert.alert_id, by: '张三', at: iso(t - 2 * 3_600_000) },
    { alert_id: first!.alert.alert_id, by: '李四', at: iso(t - 600_000), note: '交接：已约谈' },
    { alert_id: again.raiseIds[0]!, by: '王五', at: iso(t - 3_600_000), note: '核查中' },
  );
  await recordAcks(store, written.acks);
  const silenced = buildSilence(
    {
      subject: `${others[0]!.alert.subject_kind}:${others[0]!.alert.subject_code}`,
      forMs: 4 * 3_600_000,
      by: '赵六',
      why: '现场检查中',
    },
    'sil-test-subject',
    t - 60_000,
  );
  const lifted = buildSilence(
    {
      rule: others[1]!.alert.rule,
      division: others[1]!.alert.division.slice(0, 4),
      forMs: 4 * 3_600_000,
      by: '赵六',
      why: '误报',
    },
    'sil-test-lifted',
    t - 120_000,
  );
  const ended = buildSilence(
    { subject: others[2]!.alert.subject_code, forMs: 3_600_000, by: '赵六', why: '已过期' },
    'sil-test-ended',
    t - 3 * 3_600_000,
  );
  await recordSilences(store, [silenced, lifted, ended]);
  await recordLifted(store, lifted, t - 30_000);
  written.silences.push({ silence: silenced }, { silence: lifted, liftedAt: t - 30_000 }, { silence: ended });
}

beforeAll(async () => {
  ch = await createTestClickHouse();
  // chDB keeps settings on its session: each insert must carry its own dedup token (client.ts).
  keepDeduplicationTokenPerInsert(ch.client);
  await seed();
}, 300_000);

afterAll(async () => {
  await ch?.close();
});

const rangeOf = (d: BuiltDashboard) => ({
  from: relativeTime(d.spec.time.from, now),
  to: relativeTime(d.spec.time.to, now),
});

/**
 * The institution page needs institutions with data, and no one institution has it all: the
 * readmission indicator is for inpatient care, the repeat-purchase one exists only at a pharmacy
 * where people bought several times a day (the simulator's injected pattern). So three picks: that
 * pharmacy, the hospital with the most indicators, and an institution whose level changed, with
 * the most alerts and inspection tasks besides.
 */
async function institutionPicks(): Promise<{ code: string; kind: string; division: string }[]> {
  const { rows } = await runSql(
    ch.client,
    `WITH
       k AS (SELECT subject_code, any(kind) AS kind, any(division) AS division, uniqExact(indicator) AS indicators,
                    countIf(indicator = 'purchases_per_person_per_day') > 0 AS repeat_purchases
             FROM indicator_snapshots WHERE subject_kind = 'institution' GROUP BY subject_code),
       a AS (SELECT subject_code, count() AS n FROM alerts WHERE subject_kind = 'institution' GROUP BY subject_code),
       c AS (SELECT subject_code, count() AS n FROM level_changes WHERE subject_kind = 'institution' GROUP BY subject_code),
       t AS (SELECT subject_code, count() AS n FROM inspection_tasks WHERE subject_kind = 'institution' GROUP BY subject_code),
       scored AS (
         SELECT subject_code AS code, kind, division, indicators, repeat_purchases,
                c.n > 0 AS changed, (a.n > 0) + (t.n > 0) AS activity
         FROM k LEFT JOIN a USING (subject_code) LEFT JOIN c USING (subject_code) LEFT JOIN t USING (subject_code)
       )
     SELECT * FROM
     (
       SELECT * FROM (SELECT 1 AS pick, * FROM scored WHERE kind = 'pharmacy'
                      ORDER BY repeat_purchases DESC, indicators DESC, code LIMIT 1)
       UNION ALL
       SELECT * FROM (SELECT 2 AS pick, * FROM scored WHERE kind = 'hospital'
                      ORDER BY indicators DESC, changed + activity DESC, code LIMIT 1)
       UNION ALL
       SELECT * FROM (SELECT 3 AS pick, * FROM scored ORDER BY changed DESC, activity DESC, indicators DESC, code LIMIT 1)
     )
     ORDER BY pick`,
  );
  const picks = rows.map((r) => ({
    code: String(r.code),
    kind: String(r.kind),
    division: String(r.division),
  }));
  return picks.filter((p, i) => picks.findIndex((q) => q.code === p.code) === i);
}

/** A base scenario, or one narrowed from the base named `of`. */
type Scenario = { readonly name: string; readonly selection: Selection; readonly of?: string };

/**
 * All, then each multi variable narrowed to its first value and to its last two. On the
 * institution page the bases are the picked institutions, and a narrowed division or kind keeps
 * the institution's own (else Grafana would move the institution variable to another one).
 */
async function scenarios(d: BuiltDashboard): Promise<Scenario[]> {
  const range = rangeOf(d);
  const all = await resolveVariables(ch.client, d, range, {});
  const options = (name: string) => all.find((x) => x.name === name)!.options;
  const multi = d.spec.variables.filter((x) => x.multi).map((x) => x.name);
  if (!d.spec.variables.some((v) => v.name === 'institution')) {
    return [
      { name: 'All', selection: {} },
      ...multi.flatMap((name) =>
        [options(name).slice(0, 1), options(name).slice(-2)]
          .filter((values) => values.length > 0)
          .map((values) => ({
            name: `${name} = ${values.join(',')}`,
            selection: { [name]: values },
            of: 'All',
          })),
      ),
    ];
  }
  const picks = await institutionPicks();
  const own = (p: (typeof picks)[number], name: string) => (name === 'admdvs' ? p.division : p.kind);
  return picks.flatMap((p) => {
    const base = { institution: [p.code] };
    const name = `institution ${p.code} (${p.kind})`;
    return [
      { name, selection: base },
      ...multi.flatMap((v) =>
        [
          [own(p, v)],
          [
            own(p, v),
            ...options(v)
              .filter((o) => o !== own(p, v))
              .slice(0, 1),
          ],
        ].map((values) => ({
          name: `${name}, ${v} = ${values.join(',')}`,
          selection: { ...base, [v]: values },
          of: name,
        })),
      ),
    ];
  });
}

function selected(variables: readonly TemplateVariable[], name: string): readonly string[] | undefined {
  const value = variables.find((v) => v.name === name)?.current.value;
  if (value === undefined || value === '$__all' || (Array.isArray(value) && value[0] === '$__all'))
    return undefined;
  return Array.isArray(value) ? value : [value as string];
}

async function checkTarget(d: BuiltDashboard, check: TargetCheck, runs: readonly Scenario[]): Promise<void> {
  const range = rangeOf(d);
  const baseRows = new Map<string, number>();
  for (const s of runs) {
    const variables = await resolveVariables(ch.client, d, range, s.selection);
    const where = `${d.spec.uid} / ${check.title} / ${check.refId} [${s.name}]`;
    const result = await runCheck(ch.client, check, range, variables);
    expect(result.columns, `${where}\n${result.sql}`).toEqual(check.expect.columns);
    if (check.format === 'timeseries') {
      // sqlds turns a long frame into series only when it is sorted by time.
      const times = result.rows.map((r) => String(r[check.expect.columns[0]![0]]));
      expect(times, where).toEqual([...times].sort());
    }
    if (s.of === undefined) {
      baseRows.set(s.name, result.rows.length);
      continue;
    }
    expect(result.rows.length, `${where}: a narrower selection cannot add rows`).toBeLessThanOrEqual(
      baseRows.get(s.of)!,
    );
    for (const [variable, column] of Object.entries(check.expect.filters ?? {})) {
      const values = selected(variables, variable);
      if (values === undefined) continue;
      for (const r of result.rows) expect(values, `${where}: ${column}`).toContain(String(r[column]));
    }
  }
  if (check.expect.mayBeEmpty === undefined) {
    expect(
      Math.max(...baseRows.values()),
      `${d.spec.uid} / ${check.title}: no rows over the seeded data`,
    ).toBeGreaterThan(0);
  }
}

describe('the seeded store', () => {
  it('has rows in every table the dashboards read', async () => {
    for (const table of [
      'standings_current',
      'level_changes',
      'level_changes_per_day',
      'alerts',
      'alerts_per_hour',
      'alerts_per_day',
      'inspection_tasks',
      'indicator_snapshots',
      'chain_status',
      'pipeline_metrics',
      'dead_letters',
      'alert_acks',
      'alert_silences',
    ]) {
      const { rows } = await runSql(ch.client, `SELECT count() AS n FROM ${table}`);
      expect(Number(rows[0]!.n), table).toBeGreaterThan(0);
    }
  });

  it('parses the read-only user statements (chDB has no user store to apply them to)', async () => {
    const sql = readFileSync(
      join(import.meta.dirname, '..', '..', 'dashboards/provisioning/readonly-user.sql'),
      'utf8',
    )
      .replace(/--.*$/gm, '')
      .replaceAll('{{database}}', DATABASE)
      .replaceAll('{{password}}', 'not-a-secret');
    const statements = sql
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean);
    expect(statements).toHaveLength(3);
    for (const s of statements) {
      const { rows } = await runSql(ch.client, `EXPLAIN AST ${s}`);
      expect(rows.length, s).toBeGreaterThan(0);
    }
  });

  it('refuses writes, as the read-only profile does', async () => {
    await expect(ch.client.command({ query: 'CREATE TABLE t (a Int8) ENGINE = Memory' })).rejects.toThrow(
      /readonly/i,
    );
  });
});

describe.each(DASHBOARDS.map((d) => [d.spec.title, d] as const))('%s', (_title, d) => {
  let runs: Scenario[];

  beforeAll(async () => {
    runs = await scenarios(d);
  });

  it.each(d.checks.filter((c) => c.panelId === 0).map((c) => [c.title, c] as const))(
    '%s lists values as one string column',
    async (_t, check) => {
      await checkTarget(d, check, runs);
    },
  );

  it.each(
    d.checks.filter((c) => c.panelId > 0).map((c) => [`${c.panelId} ${c.title} ${c.refId}`, c] as const),
  )('panel %s returns its columns', async (_t, check) => {
    await checkTarget(d, check, runs);
  });
});

/**
 * The two pages a supervisor opens first, value by value against what the sink wrote (the rows
 * kept in `written`), not only their columns: the division overview on All and on two divisions,
 * its links, and the work queue with the acknowledgements and silences of `seedAlertState`.
 */
describe('the division overview and the alert work queue hold the expected values', () => {
  const dashboard = (uid: string) => DASHBOARDS.find((d) => d.spec.uid === uid)!;
  const panel = (d: BuiltDashboard, title: string) => d.checks.find((c) => c.title === title)!;
  const run = async (d: BuiltDashboard, title: string, selection: Selection = {}) => {
    const range = rangeOf(d);
    const variables = await resolveVariables(ch.client, d, range, selection);
    return (await runCheck(ch.client, panel(d, title), range, variables)).rows;
  };
  const num = (v: unknown) => Number(v);
  const risk = (scale: string, level: string) => LEVEL_RISK[`${scale}:${level}`] ?? -1;
  const codesOf = (division: string) => [...new Set([division.slice(0, 2), division.slice(0, 4), division])];

  /** The division table as it must read, from the rows, for the divisions in `only` (all if absent). */
  function expectedDivisions(only?: readonly string[]) {
    const d = dashboard('yibao-divisions');
    const range = rangeOf(d);
    const from = chinaDateTime(Math.floor(range.from / 1000) * 1000);
    const to = chinaDateTime(Math.floor(range.to / 1000) * 1000);
    const keep = (division: string) => division.length === 6 && (!only || only.includes(division));
    const inst = new Map<string, { division: string; risk: number }>();
    for (const s of written.standings.values()) {
      if (s.subject_kind !== 'institution' || !keep(s.division)) continue;
      const r = risk(s.scale, s.level);
      const known = inst.get(s.subject_code);
      inst.set(s.subject_code, { division: s.division, risk: Math.max(r, known?.risk ?? -1) });
    }
    const open = openAlerts().filter((o) => keep(o.alert.division));
    const changes = [...written.changes.values()].filter(
      (c) => keep(c.division) && c.at >= from && c.at <= to,
    );
    const rows = new Map<string, Record<string, number | string>>();
    const row = (code: string) => {
      if (!rows.has(code))
        rows.set(code, {
          行政区划: code,
          定点机构: 0,
          重点预警: 0,
          未处置预警: 0,
          等级变动: 0,
          其中降级: 0,
          高风险机构: 0,
          涉险机构: 0,
          '涉险基金（元）': 0,
          divisions: '',
        });
      return rows.get(code)!;
    };
    const add = (division: string, field: string, n = 1) => {
      for (const code of codesOf(division)) {
        const r = row(code);
        r[field] = Number(r[field]) + n;
        r.divisions = [...new Set([...String(r.divisions).split(',').filter(Boolean), division])]
          .sort()
          .join(',');
      }
    };
    const atRisk = new Map<string, string>();
    for (const [code, i] of inst) {
      add(i.division, '定点机构');
      if (i.risk >= HIGH_RISK) {
        add(i.division, '高风险机构');
        atRisk.set(code, i.division);
      }
    }
    for (const o of open) {
      add(o.alert.division, '未处置预警');
      if (o.alert.severity === 'key') add(o.alert.division, '重点预警');
      if (o.alert.subject_kind !== 'institution') continue;
      atRisk.set(o.alert.subject_code, o.alert.division);
      const e = JSON.parse(o.alert.explanation) as { indicator?: string; value?: number; baseline?: number };
      if (e.indicator === FUND_INDICATOR) add(o.alert.division, '涉险基金（元）', e.value! * e.baseline!);
    }
    for (const division of atRisk.values()) add(division, '涉险机构');
    for (const c of changes) {
      add(c.division, '等级变动');
      const f = c.from === '' ? -1 : risk(c.scale, c.from);
      if (f >= 0 && risk(c.scale, c.to) > f) add(c.division, '其中降级');
    }
    return [...rows.values()]
      .sort((a, b) => String(a.行政区划).localeCompare(String(b.行政区划)))
      .map(
        (r): Record<string, number | string> => ({
          ...r,
          '涉险基金（元）': Math.round(Number(r['涉险基金（元）']) * 100) / 100,
        }),
      );
  }

  const asRead = (rows: readonly Record<string, unknown>[]) =>
    rows.map((r) => ({
      行政区划: r.行政区划,
      定点机构: num(r.定点机构),
      重点预警: num(r.重点预警),
      未处置预警: num(r.未处置预警),
      等级变动: num(r.等级变动),
      其中降级: num(r.其中降级),
      高风险机构: num(r.高风险机构),
      涉险机构: num(r.涉险机构),
      '涉险基金（元）': num(r['涉险基金（元）']),
      divisions: String(r.admdvs_vars).replaceAll('var-admdvs=', '').split('&').join(','),
    }));

  it('区划总览 lists every 2-, 4- and 6-digit division with the counts and fund the rows give', async () => {
    const d = dashboard('yibao-divisions');
    const rows = await run(d, '各区划风险概况');
    const expected = expectedDivisions();
    expect(asRead(rows)).toEqual(expected);
    expect(rows.map((r) => [String(r.行政区划).length, r.层级])).toEqual(
      expected.map((r) => [
        String(r.行政区划).length,
        { 2: '省级', 4: '地市级', 6: '区县级' }[String(r.行政区划).length],
      ]),
    );
    // Not vacuous: the seeded store has open key alerts, changes in the week, high-risk
    // institutions, and the escalated spike's fund (the escalation's 6 × 20 000) in 510104.
    const total = (f: string) =>
      expected.filter((r) => String(r.行政区划).length === 2).reduce((n, r) => n + Number(r[f]), 0);
    for (const f of ['重点预警', '等级变动', '高风险机构', '涉险机构'])
      expect(total(f), f).toBeGreaterThan(0);
    for (const code of ['51', '5101', '510104'])
      expect(rows.find((r) => r.行政区划 === code)?.['涉险基金（元）'], code).toBe(120_000);
    // Some changes of the simulated 10 days fall outside the default 7-day range.
    expect(total('等级变动')).toBeLessThan(
      [...written.changes.values()].filter((c) => c.division.length === 6).length,
    );
  });

  it('区划总览 on two divisions: their own rows and parents only, and the totals are theirs', async () => {
    const d = dashboard('yibao-divisions');
    const picked = ['440104', '510104'];
    const rows = await run(d, '各区划风险概况', { admdvs: picked });
    expect(asRead(rows)).toEqual(expectedDivisions(picked));
    expect(rows.map((r) => r.行政区划)).toEqual(['44', '4401', '440104', '51', '5101', '510104']);
    const [stat] = await run(d, '所选区划合计', { admdvs: picked });
    const six = expectedDivisions(picked).filter((r) => String(r.行政区划).length === 6);
    const sum = (f: string) => six.reduce((n, r) => n + Number(r[f]), 0);
    expect({
      重点预警: num(stat!.重点预警),
      等级变动: num(stat!.等级变动),
      高风险机构: num(stat!.高风险机构),
      涉险机构: num(stat!.涉险机构),
      '涉险基金（元）': num(stat!['涉险基金（元）']),
    }).toEqual({
      重点预警: sum('重点预警'),
      等级变动: sum('等级变动'),
      高风险机构: sum('高风险机构'),
      涉险机构: sum('涉险机构'),
      '涉险基金（元）': sum('涉险基金（元）'),
    });
  });

  it('a division row links to 机构画像 filtered to its districts, and that page has their institutions', async () => {
    const d = dashboard('yibao-divisions');
    const rows = await run(d, '各区划风险概况');
    const prefecture = rows.find((r) => r.行政区划 === '5101')!;
    const vars = String(prefecture.admdvs_vars);
    expect(vars).toMatch(/^var-admdvs=5101\d\d(&var-admdvs=5101\d\d)+$/);
    const link = JSON.stringify(d.json.panels);
    expect(link).toContain(`/d/yibao-institution?\${__data.fields.admdvs_vars}&\${__url_time_range}`);
    // What Grafana does with that URL: the institution page's admdvs takes the values, and its
    // institution variable offers only institutions of those districts.
    const page = dashboard('yibao-institution');
    const admdvs = [...new URLSearchParams(vars).getAll('var-admdvs')];
    const variables = await resolveVariables(ch.client, page, rangeOf(page), { admdvs });
    const institution = variables.find((v) => v.name === 'institution')!;
    expect(institution.options.length).toBeGreaterThan(0);
    for (const code of institution.options) expect(admdvs).toContain(code.slice(1, 7));
  });

  /** The queue as it must read: open alerts oldest first with the seeded acknowledgements and silences. */
  function expectedQueue() {
    const t = Date.now();
    const inForce = written.silences.filter(
      (s) =>
        s.liftedAt === undefined && Date.parse(s.silence.created_at) <= t && Date.parse(s.silence.until) > t,
    );
    const rank = { key: 3, general: 2, info: 1 } as Record<string, number>;
    return openAlerts()
      .sort(
        (a, b) =>
          a.openedAt.localeCompare(b.openedAt) ||
          rank[b.alert.severity]! - rank[a.alert.severity]! ||
          a.alert.alert_id.localeCompare(b.alert.alert_id),
      )
      .map((o) => {
        const acks = written.acks
          .filter((a) => o.raiseIds.includes(a.alert_id))
          .sort((a, b) => a.at.localeCompare(b.at));
        const last = acks.at(-1);
        const a = o.alert;
        const silence = inForce.find(
          ({ silence: s }) =>
            (s.rule === undefined || s.rule === a.rule) &&
            a.division.startsWith(s.division ?? '') &&
            (s.subject === undefined ||
              s.subject === a.subject_code ||
              s.subject === `${a.subject_kind}:${a.subject_code}`),
        );
        return {
          预警编号: a.alert_id,
          首次触发: o.openedAt,
          触发次数: o.raiseIds.length,
          确认状态: !last
            ? ACK_STATES.none
            : last.alert_id === a.alert_id
              ? ACK_STATES.acked
              : ACK_STATES.earlier,
          确认人: last?.by ?? '',
          确认备注: last?.note ?? '',
          静默: silence?.silence.id ?? '',
        };
      });
  }

  it('预警工作队列 lists the open alerts oldest first with their acknowledgement and silence', async () => {
    const d = dashboard('yibao-queue');
    const rows = await run(d, '预警工作队列（最早的在前）');
    const expected = expectedQueue();
    expect(
      rows.map((r) => ({
        预警编号: r.预警编号,
        首次触发: r.首次触发,
        触发次数: num(r.触发次数),
        确认状态: r.确认状态,
        确认人: r.确认人,
        确认备注: r.确认备注,
        静默: String(r.静默).split(' ')[0],
      })),
    ).toEqual(expected);
    // Each state is there, and the silence that was lifted or ended silences nothing.
    expect(new Set(expected.map((e) => e.确认状态))).toEqual(new Set(Object.values(ACK_STATES)));
    expect(expected.filter((e) => e.静默 !== '').map((e) => e.静默)).toEqual(['sil-test-subject']);
    expect(rows.find((r) => r.确认状态 === ACK_STATES.acked)?.确认人).toBe('李四');
    // Age: from the first raise to now, in seconds.
    for (const r of rows) {
      const opened = Date.parse(`${String(r.首次触发).replace(' ', 'T')}+08:00`);
      expect(Math.abs(num(r.已持续) - (Date.now() - opened) / 1000), String(r.预警编号)).toBeLessThan(120);
      expect(r.确认时间 === null).toBe(r.确认状态 === ACK_STATES.none);
    }
  });

  it('预警工作队列 narrowed to 未确认 and its counts; the silences panel shows the one in force', async () => {
    const d = dashboard('yibao-queue');
    const expected = expectedQueue();
    const none = await run(d, '预警工作队列（最早的在前）', { ack_state: [ACK_STATES.none] });
    expect(none.map((r) => r.预警编号)).toEqual(
      expected.filter((e) => e.确认状态 === ACK_STATES.none).map((e) => e.预警编号),
    );
    const [stat] = await run(d, '待处置');
    const count = (state: string) => expected.filter((e) => e.确认状态 === state).length;
    expect({
      未解除: num(stat!.未解除),
      [ACK_STATES.none]: num(stat![ACK_STATES.none]),
      [ACK_STATES.earlier]: num(stat![ACK_STATES.earlier]),
      [ACK_STATES.acked]: num(stat![ACK_STATES.acked]),
      静默中: num(stat!.静默中),
    }).toEqual({
      未解除: expected.length,
      [ACK_STATES.none]: count(ACK_STATES.none),
      [ACK_STATES.earlier]: count(ACK_STATES.earlier),
      [ACK_STATES.acked]: count(ACK_STATES.acked),
      静默中: 1,
    });
    const oldest = expected.find((e) => e.确认状态 === ACK_STATES.none)!;
    const age = (Date.now() - Date.parse(`${oldest.首次触发.replace(' ', 'T')}+08:00`)) / 1000;
    expect(Math.abs(num(stat!.最久未确认) - age)).toBeLessThan(120);
    const silences = await run(d, '生效中的静默');
    expect(silences.map((r) => [r.静默编号, r.对象, r.设置人, r.原因])).toEqual([
      ['sil-test-subject', written.silences[0]!.silence.subject, '赵六', '现场检查中'],
    ]);
  });
});
