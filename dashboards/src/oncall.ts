/**
 * 预警处置: what is open now, with the explanation and the articles behind it, and how often each
 * rule fires (the alert rollups).
 *
 * Acknowledgements and silences are on the work queue (queue.ts, 预警工作队列), which reads what
 * `yibao-monitor alerts ack | silence` record in ClickHouse besides the NATS KV.
 */
import type { DashboardSpec } from './builder.ts';
import { BY_THRESHOLDS, tableFields, thresholds } from './fields.ts';
import {
  packLabelSql,
  ruleTitleSql,
  severityLabelSql,
  severityRankSql,
  subjectKindLabelSql,
} from './labels.ts';
import {
  chinaDayRange,
  divisionFilter,
  explanationText,
  kindFilter,
  OPEN_ALERTS,
  reasonsText,
  sel,
} from './sql.ts';
import { admdvs, kind, severity } from './variables.ts';

const severityFilter = `$__conditionalAll(severity IN (${sel('severity')}), $severity)`;
const KIND_NOTE = '汇总表不含对象明细，机构类型筛选不适用';

export const oncall: DashboardSpec = {
  uid: 'yibao-oncall',
  file: 'oncall.json',
  title: '预警处置',
  description: '值班处置：未解除预警及其说明与依据、各规则预警频次',
  time: { from: 'now-7d', to: 'now' },
  refresh: '1m',
  variables: [admdvs, kind, severity],
  panels: [
    {
      type: 'table',
      title: '未处置预警',
      description:
        '仍在触发、尚未解除的预警（不随时间范围变化），按级别与时间排序；说明为触发指标、数值、阈值与窗口，依据为条款或假设。确认与静默状态见「预警工作队列」',
      w: 24,
      h: 12,
      queries: [
        {
          format: 'table',
          sql: `SELECT
  raised_at AS \`触发时间\`,
  ${severityLabelSql()} AS \`级别\`,
  ${ruleTitleSql()} AS \`规则\`,
  ${subjectKindLabelSql()} AS \`对象类型\`,
  subject_code AS \`对象编码\`,
  division AS \`行政区划\`,
  ${packLabelSql()} AS \`信用办法\`,
  ${explanationText()} AS \`说明\`,
  ${reasonsText()} AS \`依据\`,
  alert_id AS \`预警编号\`
FROM (${OPEN_ALERTS})
WHERE ${divisionFilter()}
  AND ${kindFilter()}
  AND ${severityFilter}
ORDER BY ${severityRankSql()} DESC, raised_at DESC, alert_id`,
          expect: {
            columns: [
              ['触发时间', "DateTime64(3, 'Asia/Shanghai')"],
              ['级别', 'String'],
              ['规则', 'String'],
              ['对象类型', 'String'],
              ['对象编码', 'String'],
              ['行政区划', 'String'],
              ['信用办法', 'String'],
              ['说明', 'String'],
              ['依据', 'String'],
              ['预警编号', 'String'],
            ],
            filters: { admdvs: '行政区划' },
          },
        },
      ],
      fieldConfig: tableFields({ links: ['对象编码'] }),
      options: { showHeader: true, cellHeight: 'sm' },
    },
    {
      type: 'timeseries',
      title: '各规则预警数',
      description: `每个时间区间内各规则新触发的预警数（汇总表 alerts_per_hour，按预警编号精确去重）；${KIND_NOTE}`,
      w: 16,
      h: 9,
      interval: '1h',
      queries: [
        {
          format: 'timeseries',
          sql: `SELECT
  $__timeInterval(hour) AS time,
  ${ruleTitleSql()} AS rule_title,
  uniqExactMerge(alert_ids) AS alerts
FROM alerts_per_hour
WHERE $__timeFilter(hour)
  AND ${divisionFilter()}
  AND ${severityFilter}
GROUP BY time, rule_title
ORDER BY time, rule_title`,
          expect: {
            columns: [
              ['time', "DateTime('Asia/Shanghai')"],
              ['rule_title', 'String'],
              ['alerts', 'UInt64'],
            ],
          },
        },
      ],
      fieldConfig: {
        defaults: {
          displayName: `\${__field.labels.rule_title}`,
          custom: { drawStyle: 'bars', fillOpacity: 80, stacking: { mode: 'normal', group: 'A' } },
        },
        overrides: [],
      },
      options: { legend: { showLegend: true, displayMode: 'list', placement: 'bottom' } },
    },
    {
      type: 'bargauge',
      title: '规则预警合计',
      description: `所选时间范围内各规则触发的预警数（汇总表 alerts_per_day，按中国日期）；${KIND_NOTE}`,
      w: 8,
      h: 9,
      queries: [
        {
          format: 'table',
          sql: `SELECT
  ${ruleTitleSql()} AS \`规则\`,
  uniqExactMerge(alert_ids) AS \`预警数\`
FROM alerts_per_day
WHERE ${chinaDayRange('day')}
  AND ${divisionFilter()}
  AND ${severityFilter}
GROUP BY rule
ORDER BY \`预警数\` DESC, rule`,
          expect: {
            columns: [
              ['规则', 'String'],
              ['预警数', 'UInt64'],
            ],
          },
        },
      ],
      fieldConfig: {
        defaults: { thresholds: thresholds([]), color: BY_THRESHOLDS },
        overrides: [],
      },
      options: {
        reduceOptions: { values: true, calcs: [], fields: '' },
        orientation: 'horizontal',
        displayMode: 'basic',
      },
    },
  ],
};
