/**
 * 机构画像: one institution's rolling indicators against the early-warning thresholds, its
 * standing and level history with reasons, its alerts and inspection tasks.
 */
import { RULES } from '../../rules/early-warning/definitions.ts';
import type { DashboardSpec, PanelSpec } from './builder.ts';
import { type Step, tableFields, timeseriesFields } from './fields.ts';
import {
  packLabelSql,
  riskSql,
  ruleTitleSql,
  severityLabelSql,
  statusLabelSql,
  tierSql,
  UNRATED,
} from './labels.ts';
import { explanationText, reasonsText, sel } from './sql.ts';
import { admdvs, institution, kind } from './variables.ts';

const THE_INSTITUTION = `subject_kind = 'institution' AND subject_code = ${sel('institution')}`;
const red = (value: number): Step => ({ value, color: 'red' });

/**
 * The institution-level indicators and the default threshold each rule fires at
 * (rules/early-warning/definitions.ts). Packs and divisions may override a threshold
 * (YIBAO_RULE_OVERRIDES); the lines show the defaults.
 */
const INDICATORS: readonly {
  readonly rule: (typeof RULES)[keyof typeof RULES];
  readonly title: string;
  readonly unit: string;
  readonly steps: readonly Step[];
  readonly note: string;
}[] = [
  {
    rule: RULES.off_hours_share,
    title: '夜间结算占比（7日）',
    unit: 'percentunit',
    steps: [red(RULES.off_hours_share.thresholds.min_share)],
    note: `虚线为阈值下限 ${RULES.off_hours_share.thresholds.min_share}；实际阈值取其与同类机构占比 ${RULES.off_hours_share.thresholds.peer_ratio} 倍中的较大者，且需结算≥${RULES.off_hours_share.thresholds.min_settlements} 笔`,
  },
  {
    rule: RULES.claim_reduction_rate,
    title: '审减率（30日）',
    unit: 'percentunit',
    steps: [red(RULES.claim_reduction_rate.thresholds.min_rate)],
    note: `虚线为预警阈值 ${RULES.claim_reduction_rate.thresholds.min_rate}；另需基金支付≥${RULES.claim_reduction_rate.thresholds.min_fund} 元`,
  },
  {
    rule: RULES.amount_spike,
    title: '24小时基金支付 / 前7日日均（倍）',
    unit: 'none',
    steps: [red(RULES.amount_spike.thresholds.ratio)],
    note: `指标值为近24小时基金支付与前7日日均之比，虚线为 ${RULES.amount_spike.thresholds.ratio} 倍；另需金额≥${RULES.amount_spike.thresholds.min_amount} 元且有≥${RULES.amount_spike.thresholds.min_baseline_days} 日基线`,
  },
  {
    rule: RULES.split_admission,
    title: '15日内同病种再入院（30日）',
    unit: 'none',
    steps: [red(RULES.split_admission.thresholds.min_count)],
    note: `虚线为 ${RULES.split_admission.thresholds.min_count} 次；占住院 ${RULES.split_admission.thresholds.min_share * 100}% 且≥${RULES.split_admission.thresholds.min_count_for_share} 次亦预警。仅住院机构有此指标`,
  },
  {
    rule: RULES.pharmacy_repeat_purchase,
    title: '同一参保人单日购药次数',
    unit: 'none',
    steps: [red(RULES.pharmacy_repeat_purchase.thresholds.min_purchases)],
    note: `虚线为 ${RULES.pharmacy_repeat_purchase.thresholds.min_purchases} 次；仅药店有此指标，且只在出现多次购药时记录`,
  },
  {
    rule: RULES.peer_outlier,
    title: '次均基金支付 / 同类机构（倍）',
    unit: 'none',
    steps: [red(RULES.peer_outlier.thresholds.ratio)],
    note: `指标值为近30日次均基金支付与同类机构（同类型、同级别、同4位区划）之比，虚线为 ${RULES.peer_outlier.thresholds.ratio} 倍；另需≥${RULES.peer_outlier.thresholds.min_visits} 人次且≥${RULES.peer_outlier.thresholds.min_peers} 家同类`,
  },
];

const indicatorPanel = (i: (typeof INDICATORS)[number]): PanelSpec => ({
  type: 'timeseries',
  title: i.title,
  description: `指标 ${i.rule.indicator}（窗口 ${i.rule.window}），预警规则「${i.rule.title}」。${i.note}`,
  w: 8,
  h: 8,
  interval: '1h',
  queries: [
    {
      format: 'timeseries',
      sql: `SELECT $__timeInterval(at) AS time, max(value) AS indicator_value
FROM indicator_snapshots
WHERE ${THE_INSTITUTION}
  AND indicator = '${i.rule.indicator}'
  AND $__timeFilter(at)
GROUP BY time
ORDER BY time`,
      expect: {
        columns: [
          ['time', "DateTime('Asia/Shanghai')"],
          ['indicator_value', 'Float64'],
        ],
      },
    },
  ],
  fieldConfig: timeseriesFields({ unit: i.unit, steps: i.steps, displayName: i.title }),
  options: { legend: { showLegend: false }, tooltip: { mode: 'single' } },
});

const table = (title: string, description: string, sql: string, columns: [string, string][]): PanelSpec => ({
  type: 'table',
  title,
  description,
  w: 24,
  h: 8,
  queries: [{ format: 'table', sql, expect: { columns } }],
  fieldConfig: tableFields(),
  options: { showHeader: true, cellHeight: 'sm' },
});

export const institutionDashboard: DashboardSpec = {
  uid: 'yibao-institution',
  file: 'institution.json',
  title: '机构画像',
  description: '单个定点医药机构：指标走势与预警阈值、信用状况与等级变动依据、预警与检查任务',
  time: { from: 'now-30d', to: 'now' },
  refresh: '5m',
  variables: [admdvs, kind, institution],
  panels: [
    table(
      '当前信用状况',
      '各办法下的当前等级、分值与依据（standings_current）',
      `SELECT
  ${packLabelSql()} AS \`信用办法\`,
  division AS \`行政区划\`,
  if(level = '', '${UNRATED}', concat(level, '（', ${tierSql(riskSql())}, '）')) AS \`信用等级\`,
  score AS \`分值\`,
  period AS \`评价年度\`,
  evaluated AS \`已评定\`,
  excluded_reason AS \`不予评定原因\`,
  policy_in_force AS \`办法有效\`,
  as_of AS \`评定时点\`,
  ${reasonsText()} AS \`依据\`
FROM standings_current FINAL
WHERE ${THE_INSTITUTION}
ORDER BY pack`,
      [
        ['信用办法', 'String'],
        ['行政区划', 'LowCardinality(String)'],
        ['信用等级', 'String'],
        ['分值', 'Nullable(Float64)'],
        ['评价年度', 'UInt16'],
        ['已评定', 'Bool'],
        ['不予评定原因', 'String'],
        ['办法有效', 'Bool'],
        ['评定时点', "DateTime64(3, 'Asia/Shanghai')"],
        ['依据', 'String'],
      ],
    ),
    ...INDICATORS.map(indicatorPanel),
    table(
      '信用等级变动记录',
      '所选时间范围内的等级变动及其原因（条款、假设与事实）',
      `SELECT
  at AS \`变动时间\`,
  ${packLabelSql()} AS \`信用办法\`,
  if(\`from\` = '', '${UNRATED}', \`from\`) AS \`原等级\`,
  if(\`to\` = '', '${UNRATED}', \`to\`) AS \`新等级\`,
  score AS \`分值\`,
  ${reasonsText()} AS \`原因\`,
  event_id AS \`触发记录\`
FROM level_changes FINAL
WHERE ${THE_INSTITUTION}
  AND $__timeFilter(at)
ORDER BY at DESC, change_id`,
      [
        ['变动时间', "DateTime64(3, 'Asia/Shanghai')"],
        ['信用办法', 'String'],
        ['原等级', 'String'],
        ['新等级', 'String'],
        ['分值', 'Nullable(Float64)'],
        ['原因', 'String'],
        ['触发记录', 'String'],
      ],
    ),
    table(
      '预警记录',
      '所选时间范围内针对本机构的预警（触发与解除）及说明',
      `SELECT
  raised_at AS \`时间\`,
  ${severityLabelSql()} AS \`级别\`,
  ${statusLabelSql()} AS \`状态\`,
  ${ruleTitleSql()} AS \`规则\`,
  ${explanationText()} AS \`说明\`,
  ${reasonsText()} AS \`依据\`
FROM alerts FINAL
WHERE ${THE_INSTITUTION}
  AND $__timeFilter(raised_at)
ORDER BY raised_at DESC, alert_id, status`,
      [
        ['时间', "DateTime64(3, 'Asia/Shanghai')"],
        ['级别', 'String'],
        ['状态', 'String'],
        ['规则', 'String'],
        ['说明', 'String'],
        ['依据', 'String'],
      ],
    ),
    table(
      '检查任务',
      '所选时间范围内针对本机构生成的定向检查任务',
      `SELECT
  created_at AS \`生成时间\`,
  ${packLabelSql()} AS \`信用办法\`,
  reason_rule AS \`触发规则\`,
  basis AS \`依据\`,
  detail AS \`说明\`
FROM inspection_tasks FINAL
WHERE ${THE_INSTITUTION}
  AND $__timeFilter(created_at)
ORDER BY created_at DESC, task_id`,
      [
        ['生成时间', "DateTime64(3, 'Asia/Shanghai')"],
        ['信用办法', 'String'],
        ['触发规则', 'LowCardinality(String)'],
        ['依据', 'String'],
        ['说明', 'String'],
      ],
    ),
  ],
};
