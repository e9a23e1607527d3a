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
import { DASHBOARDS } from '../../dashboards/src/index.ts';
import { PIPELINE_METRICS } from '../../dashboards/src/pipeline.ts';
import { MIN_INSTITUTIONS } from '../../processors/simulator/population.ts';
import { simulate } from '../../processors/simulator/simulate.ts';
import { createClickHouseSink } from '../../processors/storage/clickhouse-sink.ts';
import { keepDeduplicationTokenPerInsert } from '../../processors/storage/client.ts';
import { migrate } from '../../processors/storage/migrate.ts';
import type { PipelineMetric } from '../../processors/storage/rows.ts';
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
  for await (const line of simulate({ seed: 1, days: DAYS, institutions, start })) {
    lines++;
    const outs = topology.process(line, { source: 'simulator', line: lines });
    alertsRaised += outs.filter((o) => o.kind === 'alert' && o.status === 'firing').length;
    await sink.write(outs);
    if (lines % EVERY === 0) {
      await sink.write(topology.process(line.slice(0, 40), { source: 'simulator', line: lines }));
      await sink.write(snapshot());
    }
  }
  await sink.write(topology.finish());
  const at = new Date().toISOString();
  await sink.write(topology.standings().map((standing) => ({ kind: 'standing' as const, standing })));
  await sink.write(topology.chains().map((status) => ({ kind: 'chain_status' as const, at, status })));
  await sink.write(snapshot());
  await sink.close();
  // The datasource's jsonData.defaultDatabase resolves the dashboards' unqualified table names;
  // readonly = 1 is the read-only user's profile (dashboards/provisioning/readonly-user.sql).
  await ch.client.command({ query: `USE ${DATABASE}` });
  await ch.client.command({ query: 'SET readonly = 1' });
  now = Date.now();
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
