/** 监管总览: where the risk is, by jurisdiction and kind, how it moves, what is open and due. */
import type { DashboardSpec, PanelSpec } from './builder.ts';
import { BY_THRESHOLDS, tableFields, thresholds } from './fields.ts';
import {
  kindLabelSql,
  packLabelSql,
  RISK_TIERS,
  riskSql,
  severityLabelSql,
  severityRankSql,
  tierSql,
  UNRATED,
} from './labels.ts';
import {
  chinaDayRange,
  divisionFilter,
  kindFilter,
  levelFilter,
  levelFilterBySubject,
  OPEN_ALERTS,
  sel,
} from './sql.ts';
import { admdvs, kind, level } from './variables.ts';

/** Institutions' current standings under the three filters. */
const STANDINGS = `standings_current FINAL
WHERE subject_kind = 'institution'
  AND ${divisionFilter()}
  AND ${kindFilter()}
  AND ${levelFilter()}`;

/** Subject-keyed rows (alerts, tasks) under the three filters. */
const SUBJECT_FILTERS = `${divisionFilter()}
  AND ${kindFilter()}
  AND ${levelFilterBySubject()}`;

const TIER_COUNTS = [
  ...RISK_TIERS.map((t, i) => `countIf(risk = ${i}) AS \`${t}\``),
  `countIf(risk < 0) AS \`${UNRATED}\``,
].join(',\n  ');
const TIER_COLUMNS = [...RISK_TIERS, UNRATED].map((t) => [t, 'UInt64'] as const);

const stat = (title: string, description: string, sql: string, columns: [string, string][]): PanelSpec => ({
  type: 'stat',
  title,
  description,
  w: 6,
  h: 4,
  queries: [{ format: 'table', sql, expect: { columns } }],
  options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value' },
});

const barchart = (title: string, description: string, x: string, sql: string): PanelSpec => ({
  type: 'barchart',
  title,
  description,
  w: 12,
  h: 9,
  queries: [{ format: 'table', sql, expect: { columns: [[x, 'String'], ...TIER_COLUMNS] } }],
  options: { xField: x, stacking: 'normal', orientation: 'horizontal', legend: { showLegend: true } },
});

export const overview: DashboardSpec = {
  uid: 'yibao-overview',
  file: 'overview.json',
  title: '监管总览',
  description: '定点医药机构信用等级分布、等级变动、未处置预警、高风险机构与检查任务',
  time: { from: 'now-7d', to: 'now' },
  refresh: '5m',
  variables: [admdvs, kind, level],
  panels: [
    stat(
      '在册定点机构',
      '有信用状况记录的定点医药机构数（按所选区划、类型、等级）',
      `SELECT uniqExact(subject_code) AS \`定点机构\`\nFROM ${STANDINGS}`,
      [['定点机构', 'UInt64']],
    ),
    stat(
      '高风险机构',
      '当前等级风险序≥3（D级及以下、较重/严重失信、黑名单等）的机构数；风险序见 processors/storage/queries.ts LEVEL_RISK',
      `SELECT uniqExactIf(subject_code, ${riskSql()} >= 3) AS \`高风险机构\`\nFROM ${STANDINGS}`,
      [['高风险机构', 'UInt64']],
    ),
    stat(
      '未处置预警',
      '仍在触发、尚未解除的预警，按级别；不随时间范围变化',
      `SELECT
  countIf(severity = 'key') AS \`重点监控\`,
  countIf(severity = 'general') AS \`一般监控\`,
  countIf(severity = 'info') AS \`提示\`
FROM (${OPEN_ALERTS})
WHERE ${SUBJECT_FILTERS}`,
      [
        ['重点监控', 'UInt64'],
        ['一般监控', 'UInt64'],
        ['提示', 'UInt64'],
      ],
    ),
    stat(
      '新增检查任务',
      '所选时间范围内生成的定向检查任务数',
      `SELECT count() AS \`检查任务\`
FROM inspection_tasks FINAL
WHERE $__timeFilter(created_at)
  AND ${SUBJECT_FILTERS}`,
      [['检查任务', 'UInt64']],
    ),
    barchart(
      '信用等级分布（按信用办法）',
      '各省级办法（统筹区适用的政策包）下机构的当前等级，按风险序归档：良好/较好/关注/高风险/严重',
      '信用办法',
      `SELECT
  ${packLabelSql()} AS \`信用办法\`,
  ${TIER_COUNTS}
FROM
(
  SELECT pack, ${riskSql()} AS risk
  FROM ${STANDINGS}
)
GROUP BY pack
ORDER BY pack`,
    ),
    barchart(
      '信用等级分布（按机构类型）',
      '机构类型取自所选时间范围内的指标快照；范围内无快照的机构计为“未知”',
      '机构类型',
      `SELECT
  ${kindLabelSql('k.kind')} AS \`机构类型\`,
  ${TIER_COUNTS}
FROM
(
  SELECT subject_code, ${riskSql()} AS risk
  FROM standings_current FINAL
  WHERE subject_kind = 'institution'
    AND ${divisionFilter()}
    AND ${levelFilter()}
) AS s
LEFT JOIN
(
  SELECT subject_code, any(kind) AS kind
  FROM indicator_snapshots
  WHERE subject_kind = 'institution' AND $__timeFilter(at)
  GROUP BY subject_code
) AS k USING (subject_code)
WHERE $__conditionalAll(k.kind IN (${sel('kind')}), $kind)
GROUP BY k.kind
ORDER BY k.kind`,
    ),
    {
      type: 'timeseries',
      title: '信用等级变动（每日）',
      description:
        '每日等级变动次数，按变动后等级的风险序分组（汇总表 level_changes_per_day，按变动编号精确去重）；汇总表不含机构类型，机构类型筛选不适用',
      w: 12,
      h: 9,
      interval: '1d',
      queries: [
        {
          format: 'timeseries',
          sql: `SELECT
  toDateTime(day, 'Asia/Shanghai') AS time,
  ${tierSql(riskSql('scale', 'to_level'))} AS tier,
  uniqExactMerge(change_ids) AS changes
FROM level_changes_per_day
WHERE ${chinaDayRange('day')}
  AND ${divisionFilter()}
  AND ${levelFilter('scale', 'to_level')}
GROUP BY time, tier
ORDER BY time, tier`,
          expect: {
            columns: [
              ['time', "DateTime('Asia/Shanghai')"],
              ['tier', 'String'],
              ['changes', 'UInt64'],
            ],
          },
        },
      ],
      fieldConfig: {
        defaults: {
          displayName: `\${__field.labels.tier}`,
          custom: { drawStyle: 'bars', fillOpacity: 80, stacking: { mode: 'normal', group: 'A' } },
        },
        overrides: [],
      },
      options: { legend: { showLegend: true, displayMode: 'list', placement: 'bottom' } },
    },
    {
      type: 'bargauge',
      title: '未处置预警（按级别）',
      description: '仍在触发的预警数与涉及对象数；不随时间范围变化',
      w: 12,
      h: 9,
      queries: [
        {
          format: 'table',
          sql: `SELECT
  ${severityLabelSql()} AS \`级别\`,
  count() AS \`未处置预警\`,
  uniqExact(subject_kind, subject_code) AS \`涉及对象\`
FROM (${OPEN_ALERTS})
WHERE ${SUBJECT_FILTERS}
GROUP BY severity
ORDER BY ${severityRankSql()} DESC`,
          expect: {
            columns: [
              ['级别', 'String'],
              ['未处置预警', 'UInt64'],
              ['涉及对象', 'UInt64'],
            ],
          },
        },
      ],
      fieldConfig: {
        defaults: { thresholds: thresholds([{ value: 1, color: 'orange' }]), color: BY_THRESHOLDS },
        overrides: [],
      },
      options: {
        reduceOptions: { values: true, calcs: [], fields: '' },
        orientation: 'horizontal',
        displayMode: 'gradient',
      },
    },
    {
      type: 'table',
      title: '高风险机构（前 50）',
      description: '按当前等级风险序、未处置预警数排序；点击机构编码进入机构画像',
      w: 24,
      h: 10,
      queries: [
        {
          format: 'table',
          sql: `WITH
  s AS (
    SELECT subject_code, pack, division, scale, level, score, ${riskSql()} AS risk
    FROM ${STANDINGS}
  ),
  o AS (
    SELECT subject_code, count() AS open_alerts, max(${severityRankSql()}) AS worst
    FROM (${OPEN_ALERTS})
    WHERE subject_kind = 'institution'
    GROUP BY subject_code
  )
SELECT
  s.subject_code AS \`机构编码\`,
  ${packLabelSql('s.pack')} AS \`信用办法\`,
  s.division AS \`行政区划\`,
  if(s.level = '', '${UNRATED}', concat(s.level, '（', ${tierSql('s.risk')}, '）')) AS \`信用等级\`,
  s.score AS \`分值\`,
  o.open_alerts AS \`未处置预警\`,
  ${severityLabelSql("transform(o.worst, [3, 2, 1], ['key', 'general', 'info'], '')")} AS \`最高预警级别\`
FROM s
LEFT JOIN o USING (subject_code)
ORDER BY s.risk DESC, o.open_alerts DESC, s.subject_code
LIMIT 50`,
          expect: {
            columns: [
              ['机构编码', 'String'],
              ['信用办法', 'String'],
              ['行政区划', 'LowCardinality(String)'],
              ['信用等级', 'String'],
              ['分值', 'Nullable(Float64)'],
              ['未处置预警', 'UInt64'],
              ['最高预警级别', 'String'],
            ],
            filters: { admdvs: '行政区划' },
          },
        },
      ],
      fieldConfig: tableFields({ links: ['机构编码'] }),
      options: { showHeader: true, cellHeight: 'sm' },
    },
    {
      type: 'table',
      title: '检查任务（所选时间范围内生成）',
      description:
        '由等级变动与预警生成的定向检查任务；库中尚无任务的办理状态与期限，此处列出范围内新生成的任务',
      w: 24,
      h: 10,
      queries: [
        {
          format: 'table',
          sql: `SELECT
  created_at AS \`生成时间\`,
  subject_code AS \`对象编码\`,
  division AS \`行政区划\`,
  ${packLabelSql()} AS \`信用办法\`,
  reason_rule AS \`触发规则\`,
  basis AS \`依据\`,
  detail AS \`说明\`
FROM inspection_tasks FINAL
WHERE $__timeFilter(created_at)
  AND ${SUBJECT_FILTERS}
ORDER BY created_at DESC, task_id
LIMIT 500`,
          expect: {
            columns: [
              ['生成时间', "DateTime64(3, 'Asia/Shanghai')"],
              ['对象编码', 'String'],
              ['行政区划', 'LowCardinality(String)'],
              ['信用办法', 'String'],
              ['触发规则', 'LowCardinality(String)'],
              ['依据', 'String'],
              ['说明', 'String'],
            ],
            filters: { admdvs: '行政区划' },
          },
        },
      ],
      fieldConfig: tableFields({ links: ['对象编码'] }),
      options: { showHeader: true, cellHeight: 'sm' },
    },
  ],
};
