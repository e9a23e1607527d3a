// The dashboards as committed: equal to what dashboards/src builds, valid against the fields of
// Grafana's dashboard model we emit (schema version from @grafana/schema), wired to the provisioned
// datasource, with every variable they reference, and queries that expand without leftovers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDashboard, type Panel } from '@grafana/schema';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { expandQuery, type TemplateVariable } from '../../../dashboards/macros.ts';
import { DATASOURCE, SCHEMA_VERSION } from '../../../dashboards/src/builder.ts';
import { DASHBOARDS, renderJson } from '../../../dashboards/src/index.ts';
import { PACK_LABELS } from '../../../dashboards/src/labels.ts';
import { DATASOURCES, PROVISIONING_FILES, READER_USER } from '../../../dashboards/src/provisioning.ts';
import { RULES } from '../../../rules/early-warning/definitions.ts';
import { PACKS } from '../../../rules/packs/index.ts';
import { checkDashboardsAgainstSchema, type SchemaProblem } from '../../support/grafana-schema.ts';

const DIR = join(import.meta.dirname, '..', '..', '..', 'dashboards');
const read = (file: string) => readFileSync(join(DIR, file), 'utf8');

const datasourceRef = z.object({ type: z.literal(DATASOURCE.type), uid: z.literal(DATASOURCE.uid) }).strict();
const target = z
  .object({
    refId: z.string().regex(/^[A-Z]$/),
    datasource: datasourceRef,
    editorType: z.literal('sql'),
    queryType: z.enum(['timeseries', 'table']),
    format: z.union([z.literal(0), z.literal(1)]),
    rawSql: z.string().min(1),
  })
  .strict()
  .refine((t) => t.format === (t.queryType === 'timeseries' ? 0 : 1), 'format must match queryType');
const gridPos = z
  .object({
    x: z.number().int().min(0),
    y: z.number().int().min(0),
    w: z.number().int().min(1),
    h: z.number().int().min(1),
  })
  .strict()
  .refine((g) => g.x + g.w <= 24, 'a panel must fit the 24-column grid');
const panel = z.object({
  id: z.number().int().positive(),
  type: z.enum(['timeseries', 'table', 'stat', 'barchart', 'bargauge', 'piechart']),
  title: z.string().min(1),
  description: z.string().min(1),
  gridPos,
  datasource: datasourceRef,
  interval: z.string().optional(),
  targets: z.array(target).min(1),
  fieldConfig: z.object({ defaults: z.record(z.string(), z.unknown()), overrides: z.array(z.unknown()) }),
  options: z.record(z.string(), z.unknown()),
});
const variable = z.object({
  type: z.literal('query'),
  name: z.string().regex(/^\w+$/),
  label: z.string().min(1),
  datasource: datasourceRef,
  query: z.object({
    refId: z.string(),
    queryType: z.literal('sql'),
    editorType: z.literal('sql'),
    rawSql: z.string(),
  }),
  refresh: z.union([z.literal(1), z.literal(2)]),
  includeAll: z.boolean(),
  multi: z.boolean(),
});
const dashboard = z.object({
  uid: z.string().regex(/^yibao-[a-z]+$/),
  title: z.string().regex(/\p{Script=Han}/u, 'a Chinese title'),
  schemaVersion: z.literal(SCHEMA_VERSION),
  timezone: z.literal('Asia/Shanghai'),
  time: z.object({ from: z.string().regex(/^now(-\d+[smhdw])?$/), to: z.literal('now') }),
  templating: z.object({ list: z.array(variable) }),
  panels: z.array(panel).min(1),
});

describe('the committed dashboards', () => {
  it.each(DASHBOARDS.map((d) => [d.spec.file, d] as const))('%s is what dashboards/src builds', (file, d) => {
    expect(JSON.parse(read(join('json', file)))).toEqual(JSON.parse(renderJson(d)));
  });

  it('the provisioning YAML is what dashboards/src/provisioning.ts writes', () => {
    for (const [file, text] of Object.entries(PROVISIONING_FILES)) expect(read(file)).toBe(text);
  });

  it.each(DASHBOARDS.map((d) => [d.spec.uid, d] as const))('%s fits the dashboard model', (_uid, d) => {
    const parsed = dashboard.safeParse(JSON.parse(read(join('json', d.spec.file))));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it("uses @grafana/schema's current schema version", () => {
    expect(SCHEMA_VERSION).toBe(defaultDashboard.schemaVersion);
  });

  it('has unique uids, and unique, non-overlapping panels in each dashboard', () => {
    expect(new Set(DASHBOARDS.map((d) => d.spec.uid)).size).toBe(DASHBOARDS.length);
    for (const d of DASHBOARDS) {
      const panels = d.json.panels ?? [];
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      const cells = new Set<string>();
      for (const p of panels) {
        const g = p.gridPos!;
        for (let x = g.x; x < g.x + g.w; x++)
          for (let y = g.y; y < g.y + g.h; y++) {
            expect(cells.has(`${x},${y}`), `${d.spec.uid} panel ${p.id} overlaps at ${x},${y}`).toBe(false);
            cells.add(`${x},${y}`);
          }
      }
    }
  });

  it('declares the expected columns of every target; a time series starts with its time column', () => {
    for (const d of DASHBOARDS) {
      const targets = (d.json.panels ?? []).reduce(
        (n, p) => n + ((p as { targets?: unknown[] }).targets?.length ?? 0),
        0,
      );
      expect(d.checks.filter((c) => c.panelId > 0)).toHaveLength(targets);
      for (const c of d.checks) {
        expect(c.expect.columns.length, `${c.dashboard} ${c.title}`).toBeGreaterThan(0);
        if (c.format === 'timeseries') expect(c.expect.columns[0]![1]).toMatch(/^DateTime/);
      }
    }
  });
});

/**
 * Each committed file type-checked against @grafana/schema (test/support/grafana-model.ts): the
 * dashboard, its panels, targets and templating as Grafana's types say, each panel's options and
 * custom field config as its plugin's, partial where Grafana fills in the plugin defaults. The
 * broken copies show the check is not vacuous: each one breaks one thing and must be refused
 * there, with the compiler's reason. One compiler run serves both (a few seconds).
 */
describe('the committed dashboards against @grafana/schema', () => {
  type Dash = {
    panels: {
      type: string;
      options: Record<string, unknown>;
      gridPos: Record<string, unknown>;
      targets: Record<string, unknown>[];
      fieldConfig: { defaults: Record<string, Record<string, unknown>>; overrides: unknown[] };
    }[];
    templating: { list: Record<string, unknown>[] };
    [k: string]: unknown;
  };
  const queueFile = join('json', 'queue.json');
  const table = (d: Dash) => d.panels.find((p) => p.type === 'table')!;
  /** One thing broken each, and the words the compiler must say about it. */
  const BROKEN: readonly (readonly [string, (d: Dash) => void, RegExp])[] = [
    [
      'an unknown table option',
      (d) => void (table(d).options.showHeaders = true),
      /'"?showHeaders"?' does not exist/,
    ],
    ['a table row height outside the enum', (d) => void (table(d).options.cellHeight = 'tiny'), /"tiny"/],
    [
      'a variable refresh outside VariableRefresh',
      (d) => void (d.templating.list[0]!.refresh = 5),
      /VariableRefresh/,
    ],
    ['a target without refId', (d) => void delete d.panels[0]!.targets[0]!.refId, /refId/],
    ['a target format sqlds does not have', (d) => void (d.panels[0]!.targets[0]!.format = 7), /'7'/],
    [
      'a grid width as a string',
      (d) => void (d.panels[0]!.gridPos.w = '24'),
      /not assignable to type 'number'/,
    ],
    [
      'a misspelt custom field option',
      (d) => void (table(d).fieldConfig.defaults.custom!.algin = 'auto'),
      /algin/,
    ],
    [
      'an override of a custom option the table has not',
      (d) =>
        void table(d).fieldConfig.overrides.push({
          matcher: { id: 'byName', options: 'x' },
          properties: [{ id: 'custom.hidden', value: true }],
        }),
      /"custom\.hidden"/,
    ],
    ['an unknown panel type', (d) => void (d.panels[0]!.type = 'stats'), /"stats"/],
    ['graphTooltip outside DashboardCursorSync', (d) => void (d.graphTooltip = 9), /DashboardCursorSync/],
  ];

  let problems: SchemaProblem[];
  beforeAll(() => {
    const base = JSON.parse(read(queueFile)) as Dash;
    problems = checkDashboardsAgainstSchema([
      ...DASHBOARDS.map((d) => ({ name: d.spec.file, json: read(join('json', d.spec.file)) })),
      ...BROKEN.map(([name, breakIt]) => {
        const copy = structuredClone(base);
        breakIt(copy);
        return { name: `broken: ${name}`, json: JSON.stringify(copy, null, 2) };
      }),
    ]);
  }, 60_000);

  it.each(DASHBOARDS.map((d) => [d.spec.file] as const))('%s type-checks as a Grafana dashboard', (file) => {
    expect(problems.filter((p) => p.file === file)).toEqual([]);
  });

  it('no problem outside the files checked (the model itself compiles)', () => {
    const names = new Set([...DASHBOARDS.map((d) => d.spec.file), ...BROKEN.map(([n]) => `broken: ${n}`)]);
    expect(problems.filter((p) => !names.has(p.file))).toEqual([]);
  });

  it.each(BROKEN.map(([name, , why]) => [name, why] as const))('refuses a copy with %s', (name, why) => {
    const mine = problems.filter((p) => p.file === `broken: ${name}`);
    expect(mine.length, `${name}: no error`).toBeGreaterThan(0);
    expect(mine.map((p) => p.message).join('\n')).toMatch(why);
  });
});

describe('variables and queries', () => {
  const referenced = (sql: string) =>
    new Set(
      [...sql.matchAll(/\$(\w+)|\$\{(\w+)/g)].map((m) => m[1] ?? m[2]).filter((n) => !n!.startsWith('__')),
    );

  it('every variable a query references is defined before it is used', () => {
    for (const d of DASHBOARDS) {
      const names = d.spec.variables.map((v) => v.name);
      d.spec.variables.forEach((v, i) => {
        for (const n of referenced(v.sql)) expect(names.slice(0, i), `${d.spec.uid} ${v.name}`).toContain(n);
      });
      for (const c of d.checks)
        for (const n of referenced(c.rawSql)) expect(names, `${d.spec.uid} ${c.title}`).toContain(n);
    }
  });

  it('every query expands to SQL with no macro or variable left, on All and on a selection', () => {
    const range = { from: Date.parse('2026-11-01T00:00:00Z'), to: Date.parse('2026-11-08T00:00:00Z') };
    for (const d of DASHBOARDS) {
      for (const all of [true, false]) {
        const variables: TemplateVariable[] = d.spec.variables.map((v) => ({
          name: v.name,
          current: { value: all && v.includeAll ? ['$__all'] : v.multi ? ["it's", 'b'] : 'x' },
          options: ['a', 'b'],
        }));
        for (const c of d.checks) {
          const sql = expandQuery(c.rawSql, { range, intervalMs: 60_000, variables });
          expect(sql, `${d.spec.uid} ${c.title}`).not.toMatch(/\$__|\$\{|\$\w/);
          if (!all && sql.includes('IN (')) expect(sql).toContain("'it\\'s','b'");
        }
      }
    }
  });

  it('filters with $__conditionalAll only on variables that have All', () => {
    for (const d of DASHBOARDS) {
      const withAll = new Set(d.spec.variables.filter((v) => v.includeAll).map((v) => v.name));
      for (const c of [...d.checks.map((x) => x.rawSql), ...d.spec.variables.map((v) => v.sql)])
        for (const m of c.matchAll(/\$__conditionalAll\(.*?, \$(\w+)\)/gs)) expect(withAll).toContain(m[1]);
    }
  });
});

describe('thresholds and labels follow the code', () => {
  const panelByTitle = (uid: string, title: string) =>
    DASHBOARDS.find((d) => d.spec.uid === uid)!.spec.panels.find((p) => p.title === title)!;
  const steps = (p: {
    fieldConfig?: { defaults?: { thresholds?: { steps?: { value: number | null }[] } } };
  }) => p.fieldConfig?.defaults?.thresholds?.steps?.map((s) => s.value).filter((v) => v !== null);

  it('the institution indicators draw the early-warning rules’ default thresholds', () => {
    expect(steps(panelByTitle('yibao-institution', '夜间结算占比（7日）'))).toEqual([
      RULES.off_hours_share.thresholds.min_share,
    ]);
    expect(steps(panelByTitle('yibao-institution', '审减率（30日）'))).toEqual([
      RULES.claim_reduction_rate.thresholds.min_rate,
    ]);
    expect(steps(panelByTitle('yibao-institution', '24小时基金支付 / 前7日日均（倍）'))).toEqual([
      RULES.amount_spike.thresholds.ratio,
    ]);
    expect(steps(panelByTitle('yibao-institution', '15日内同病种再入院（30日）'))).toEqual([
      RULES.split_admission.thresholds.min_count,
    ]);
  });

  it('the chain panels draw the packs’ brand triggers, 15% and 20%', () => {
    const pcts = PACKS.flatMap((p) => p.chain_triggers.map((t) => t.min_share_pct / 100)).sort();
    expect(pcts).toEqual([0.15, 0.2]);
    expect(steps(panelByTitle('yibao-chains', 'D级及以下分店占比走势'))).toEqual(pcts);
    expect(steps(panelByTitle('yibao-chains', 'D级及以下分店占比（截至所选范围末）'))).toEqual(pcts);
  });

  it('every pack has a label', () => {
    expect(Object.keys(PACK_LABELS).sort()).toEqual(PACKS.map((p) => p.id).sort());
  });
});

describe('the division overview and the work queue', () => {
  const built = (uid: string) => DASHBOARDS.find((d) => d.spec.uid === uid)!;
  const overrides = (uid: string, title: string) =>
    ((built(uid).json.panels ?? []).find((p) => p.title === title) as Panel).fieldConfig!.overrides as {
      matcher: { options: string };
      properties: { id: string; value: unknown }[];
    }[];

  it('each division row links to 机构画像 with its districts and the time range, the query string hidden', () => {
    const o = overrides('yibao-divisions', '各区划风险概况');
    const link = o.find((x) => x.matcher.options === '行政区划')!.properties.find((p) => p.id === 'links')!;
    expect(link.value).toEqual([
      {
        title: '查看本区划机构画像',
        url: `/d/yibao-institution?\${__data.fields.admdvs_vars}&\${__url_time_range}`,
      },
    ]);
    expect(o.find((x) => x.matcher.options === 'admdvs_vars')!.properties).toEqual([
      { id: 'custom.hideFrom', value: { viz: true, legend: false, tooltip: false } },
    ]);
    // The link repeats var-admdvs: the institution page's admdvs must take several values.
    const admdvs = built('yibao-institution').spec.variables.find((v) => v.name === 'admdvs')!;
    expect(admdvs.multi).toBe(true);
  });

  it('the queue lists oldest first and its acknowledgement states are the variable’s options', () => {
    const q = built('yibao-queue');
    const queueSql = q.checks.find((c) => c.title === '预警工作队列（最早的在前）')!.rawSql;
    expect(queueSql).toMatch(/\nORDER BY opened_at, /);
    expect(q.spec.variables.map((v) => v.name)).toEqual(['admdvs', 'severity', 'ack_state']);
    for (const state of ['未确认', '确认后再触发', '已确认']) {
      expect(q.spec.variables[2]!.sql).toContain(`'${state}'`);
      expect(queueSql).toContain(`'${state}'`);
    }
  });
});

describe('provisioning', () => {
  const ds = DATASOURCES.datasources[0];

  it('provisions the official ClickHouse plugin under the uid the dashboards use, secrets from the environment', () => {
    expect(ds).toMatchObject({ type: 'grafana-clickhouse-datasource', uid: DATASOURCE.uid });
    expect(ds.jsonData).toMatchObject({
      defaultDatabase: 'yibao',
      host: '$CLICKHOUSE_HOST',
      username: READER_USER,
    });
    expect(ds.jsonData.port).toMatch(/^\$\w+$/);
    expect(ds.secureJsonData.password).toBe('$YIBAO_GRAFANA_CLICKHOUSE_PASSWORD');
    expect(read('provisioning/datasources/clickhouse.yaml')).not.toMatch(/password: "(?!\$)/);
  });

  it('creates the read-only user the datasource connects as, limited to SELECT on the database', () => {
    const sql = read('provisioning/readonly-user.sql');
    expect(sql).toContain(`CREATE USER IF NOT EXISTS ${READER_USER}`);
    expect(sql).toMatch(/SETTINGS readonly = 1, max_execution_time = \d+ CHANGEABLE_IN_READONLY/);
    expect(sql).toContain(`GRANT SELECT ON {{database}}.* TO ${READER_USER};`);
    expect(sql).not.toMatch(/GRANT (?!SELECT)/);
  });
});
