/**
 * 区划总览: the page a supervisor opens first. One row per division code of 2, 4 and 6 digits
 * (省、地市、区县, GB/T 2260 prefixes of the stored 6-digit divisions), with its open key alerts,
 * level changes in the range (default: the last 7 days), high-risk and at-risk institutions and
 * the fund at risk; each code links to 机构画像 filtered to the divisions under it.
 *
 * Fund at risk, from what the store holds: ClickHouse keeps no settlement amounts (the indicator
 * snapshots hold ratios: fund_24h is the 24-hour fund over the trailing daily mean), so the fund
 * of every at-risk institution cannot be summed. The one structured amount is the explanation of
 * an amount-spike alert (rules/early-warning/definitions.ts amount_spike, indicator fund_24h):
 * value × baseline = the 24-hour fund paid when it fired. 涉险基金 is that, over the division's open
 * amount-spike alerts: a lower bound, and the panel descriptions say so.
 */
import type { DashboardSpec } from './builder.ts';
import { tableFields } from './fields.ts';
import { riskSql } from './labels.ts';
import { divisionFilter, OPEN_ALERTS } from './sql.ts';
import { admdvs } from './variables.ts';

/** The level risk (processors/storage/queries.ts LEVEL_RISK) from which an institution is 高风险. */
export const HIGH_RISK = 3;

/** The indicator whose alerts carry a fund amount (value × baseline, yuan). */
export const FUND_INDICATOR = 'fund_24h';

/** The 2-, 4- and 6-digit codes a 6-digit division lies in. */
const prefixes = (column = 'division') =>
  `arrayDistinct([substring(${column}, 1, 2), substring(${column}, 1, 4), ${column}])`;

/** Rows of 6-digit divisions (chain and pack alerts carry none) among the selected ones. */
const IN_DIVISIONS = `length(division) = 6 AND ${divisionFilter()}`;

const FUND_NOTE = `涉险基金为仍在触发的基金支付陡增预警（amount_spike，指标 ${FUND_INDICATOR}）所记的24小时基金支付额之和（预警说明的数值×基线，基线为前7日日均，元）。库中不存结算金额（指标快照只存比值），D级及以下机构与其他规则预警所涉的基金支付无从计入，故为下限`;
const RISK_NOTE = `高风险机构：当前等级风险序≥${HIGH_RISK}（D级及以下、较重/严重失信、黑名单等，processors/storage/queries.ts LEVEL_RISK）；涉险机构：高风险或有未解除预警的定点机构`;
const CHANGE_NOTE =
  '等级变动为所选时间范围内（默认近7日）的变动次数，其中降级为变动后风险序高于变动前（首次评定不计）';

/**
 * The sets every panel counts: institutions' current standings (worst level over the packs),
 * open alerts with their fund amount, level changes in the range, at-risk institutions.
 */
const SETS = `WITH
  inst AS (
    SELECT subject_code, division, max(${riskSql()}) AS risk
    FROM standings_current FINAL
    WHERE subject_kind = 'institution' AND ${IN_DIVISIONS}
    GROUP BY subject_code, division
  ),
  oa AS (
    SELECT alert_id, severity, subject_kind, subject_code, division,
      if(subject_kind = 'institution' AND JSONExtractString(explanation, 'indicator') = '${FUND_INDICATOR}', JSONExtractFloat(explanation, 'value') * JSONExtractFloat(explanation, 'baseline'), 0) AS fund
    FROM (${OPEN_ALERTS})
    WHERE ${IN_DIVISIONS}
  ),
  lc AS (
    SELECT change_id, division, ${riskSql('scale', '`from`')} AS risk_from, ${riskSql('scale', '`to`')} AS risk_to
    FROM level_changes FINAL
    WHERE $__timeFilter(at) AND ${IN_DIVISIONS}
  ),
  atrisk AS (
    SELECT DISTINCT subject_code, division
    FROM
    (
      SELECT subject_code, division FROM inst WHERE risk >= ${HIGH_RISK}
      UNION ALL
      SELECT subject_code, division FROM oa WHERE subject_kind = 'institution'
    )
  )`;

export const DIVISION_COLUMNS = [
  ['行政区划', 'String'],
  ['层级', 'String'],
  ['定点机构', 'UInt64'],
  ['重点预警', 'UInt64'],
  ['未处置预警', 'UInt64'],
  ['等级变动', 'UInt64'],
  ['其中降级', 'UInt64'],
  ['高风险机构', 'UInt64'],
  ['涉险机构', 'UInt64'],
  ['涉险基金（元）', 'Float64'],
  ['admdvs_vars', 'String'],
] as const;

export const divisions: DashboardSpec = {
  uid: 'yibao-divisions',
  file: 'divisions.json',
  title: '区划总览',
  description:
    '各行政区划（省、地市、区县）的重点预警、本周等级变动、高风险机构与涉险基金；点击区划代码进入该区划的机构画像',
  time: { from: 'now-7d', to: 'now' },
  refresh: '5m',
  variables: [admdvs],
  panels: [
    {
      type: 'stat',
      title: '所选区划合计',
      description: `仍在触发的重点预警、所选时间范围内的等级变动、高风险与涉险机构、涉险基金（元）。${RISK_NOTE}。${FUND_NOTE}`,
      w: 24,
      h: 4,
      queries: [
        {
          format: 'table',
          sql: `${SETS}
SELECT
  o.key_open AS \`重点预警\`,
  c.changes AS \`等级变动\`,
  i.high_risk AS \`高风险机构\`,
  r.at_risk AS \`涉险机构\`,
  round(o.fund, 2) AS \`涉险基金（元）\`
FROM (SELECT countIf(severity = 'key') AS key_open, sum(fund) AS fund FROM oa) AS o
CROSS JOIN (SELECT count() AS changes FROM lc) AS c
CROSS JOIN (SELECT countIf(risk >= ${HIGH_RISK}) AS high_risk FROM inst) AS i
CROSS JOIN (SELECT count() AS at_risk FROM atrisk) AS r`,
          expect: {
            columns: [
              ['重点预警', 'UInt64'],
              ['等级变动', 'UInt64'],
              ['高风险机构', 'UInt64'],
              ['涉险机构', 'UInt64'],
              ['涉险基金（元）', 'Float64'],
            ],
          },
        },
      ],
      fieldConfig: {
        defaults: {},
        overrides: [
          {
            matcher: { id: 'byName', options: '涉险基金（元）' },
            properties: [{ id: 'unit', value: 'currencyCNY' }],
          },
        ],
      },
      options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value' },
    },
    {
      type: 'table',
      title: '各区划风险概况',
      description: `每个省（2位）、地市（4位）、区县（6位）区划一行，按代码排列；上级区划为其下所选区县之和。重点预警、未处置预警为仍在触发者（不随时间范围变化，连锁与办法层面的预警无区划，不计）。${CHANGE_NOTE}。${RISK_NOTE}。${FUND_NOTE}。点击区划代码打开机构画像，带上该区划下的区县与当前时间范围`,
      w: 24,
      h: 14,
      queries: [
        {
          format: 'table',
          sql: `${SETS},
  i AS (SELECT code, count() AS institutions, countIf(risk >= ${HIGH_RISK}) AS high_risk FROM inst ARRAY JOIN ${prefixes()} AS code GROUP BY code),
  o AS (SELECT code, countIf(severity = 'key') AS key_open, count() AS open_all, sum(fund) AS fund FROM oa ARRAY JOIN ${prefixes()} AS code GROUP BY code),
  c AS (SELECT code, count() AS changes, countIf(risk_from >= 0 AND risk_to > risk_from) AS worse FROM lc ARRAY JOIN ${prefixes()} AS code GROUP BY code),
  r AS (SELECT code, count() AS at_risk FROM atrisk ARRAY JOIN ${prefixes()} AS code GROUP BY code),
  d AS (
    SELECT code, arrayStringConcat(arrayMap(x -> concat('var-admdvs=', x), arraySort(groupUniqArray(division))), '&') AS vars
    FROM
    (
      SELECT division FROM inst
      UNION ALL
      SELECT division FROM oa
      UNION ALL
      SELECT division FROM lc
    )
    ARRAY JOIN ${prefixes()} AS code
    GROUP BY code
  )
SELECT
  d.code AS \`行政区划\`,
  transform(length(d.code), [2, 4, 6], ['省级', '地市级', '区县级'], '') AS \`层级\`,
  i.institutions AS \`定点机构\`,
  o.key_open AS \`重点预警\`,
  o.open_all AS \`未处置预警\`,
  c.changes AS \`等级变动\`,
  c.worse AS \`其中降级\`,
  i.high_risk AS \`高风险机构\`,
  r.at_risk AS \`涉险机构\`,
  round(o.fund, 2) AS \`涉险基金（元）\`,
  d.vars AS admdvs_vars
FROM d
LEFT JOIN i USING (code)
LEFT JOIN o USING (code)
LEFT JOIN c USING (code)
LEFT JOIN r USING (code)
ORDER BY d.code`,
          expect: { columns: DIVISION_COLUMNS },
        },
      ],
      fieldConfig: tableFields({
        divisionLinks: [{ column: '行政区划', vars: 'admdvs_vars' }],
        hidden: ['admdvs_vars'],
        units: { '涉险基金（元）': 'currencyCNY' },
      }),
      options: { showHeader: true, cellHeight: 'sm' },
    },
  ],
};
