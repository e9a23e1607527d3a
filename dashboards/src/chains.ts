/**
 * 连锁药店: each brand's share of evaluated branches at D or below against the packs' brand-wide
 * triggers (四川 第三十四条(七) 20%, 第三十五条(七) 15% with an E branch), taken from the packs.
 */
import { PACKS } from '../../rules/packs/index.ts';
import type { DashboardSpec } from './builder.ts';
import { BY_THRESHOLDS, type Step, tableFields, thresholds, timeseriesFields } from './fields.ts';
import { PACK_LABELS, packLabelSql } from './labels.ts';
import { sel } from './sql.ts';
import { chain, pack } from './variables.ts';

const TRIGGERS = PACKS.flatMap((p) => p.chain_triggers.map((t) => ({ ...t, pack: p.id })));

/** One line per distinct trigger share, the highest red, lower ones orange. */
const STEPS: readonly Step[] = [...new Set(TRIGGERS.map((t) => t.min_share_pct))]
  .sort((a, b) => a - b)
  .map((pct, i, all) => ({ value: pct / 100, color: i === all.length - 1 ? 'red' : 'orange' }));

const TRIGGER_NOTE = TRIGGERS.map(
  (t) =>
    `${PACK_LABELS[t.pack]} ${t.article}：占比≥${t.min_share_pct}%${t.requires_level ? `且有${t.requires_level}级分店` : ''}触发 ${t.rule}`,
).join('；');

const FILTERS = `$__conditionalAll(pack IN (${sel('pack')}), $pack)
  AND $__conditionalAll(chain_id IN (${sel('chain')}), $chain)`;

export const chains: DashboardSpec = {
  uid: 'yibao-chains',
  file: 'chains.json',
  title: '连锁药店',
  description: `连锁药店品牌D级及以下分店占比与品牌整改触发线。${TRIGGER_NOTE}`,
  time: { from: 'now-30d', to: 'now' },
  refresh: '5m',
  variables: [pack, chain],
  panels: [
    {
      type: 'bargauge',
      title: 'D级及以下分店占比（截至所选范围末）',
      description: `已评定分店中D级及以下的占比，每个品牌取所选范围末的最新状态。${TRIGGER_NOTE}`,
      w: 12,
      h: 10,
      queries: [
        {
          format: 'table',
          sql: `SELECT chain_id AS \`连锁品牌\`, argMax(share, at) AS \`D级及以下占比\`
FROM chain_status FINAL
WHERE at <= $__toTime
  AND ${FILTERS}
GROUP BY chain_id
ORDER BY \`D级及以下占比\` DESC, chain_id`,
          expect: {
            columns: [
              ['连锁品牌', 'String'],
              ['D级及以下占比', 'Float64'],
            ],
            filters: { chain: '连锁品牌' },
          },
        },
      ],
      fieldConfig: {
        defaults: {
          unit: 'percentunit',
          min: 0,
          max: 1,
          thresholds: thresholds(STEPS),
          color: BY_THRESHOLDS,
        },
        overrides: [],
      },
      options: {
        reduceOptions: { values: true, calcs: [], fields: '' },
        orientation: 'horizontal',
        displayMode: 'lcd',
        showUnfilled: true,
      },
    },
    {
      type: 'timeseries',
      title: 'D级及以下分店占比走势',
      description: `每次分店等级变化后的品牌占比；虚线为触发线。${TRIGGER_NOTE}`,
      w: 12,
      h: 10,
      queries: [
        {
          format: 'timeseries',
          sql: `SELECT at AS time, chain_id AS chain, share
FROM chain_status FINAL
WHERE $__timeFilter(at)
  AND ${FILTERS}
ORDER BY time, chain`,
          expect: {
            columns: [
              ['time', "DateTime64(3, 'Asia/Shanghai')"],
              ['chain', 'String'],
              ['share', 'Float64'],
            ],
            filters: { chain: 'chain' },
          },
        },
      ],
      fieldConfig: timeseriesFields({
        unit: 'percentunit',
        steps: STEPS,
        stepped: true,
        displayName: `\${__field.labels.chain}`,
      }),
      options: { legend: { showLegend: true, displayMode: 'list', placement: 'bottom' } },
    },
    {
      type: 'table',
      title: '品牌状态明细',
      description: '每个品牌截至所选范围末的最新状态与已触发的整改规则',
      w: 24,
      h: 9,
      queries: [
        {
          format: 'table',
          sql: `SELECT
  chain_id AS \`连锁品牌\`,
  ${packLabelSql()} AS \`信用办法\`,
  branches AS \`分店数\`,
  evaluated_branches AS \`已评定分店\`,
  at_or_below_d AS \`D级及以下\`,
  share AS \`占比\`,
  arrayStringConcat(triggers, '、') AS \`已触发\`,
  at AS \`更新时间\`
FROM
(
  SELECT *
  FROM chain_status FINAL
  WHERE at <= $__toTime
    AND ${FILTERS}
  ORDER BY chain_id, at DESC
  LIMIT 1 BY chain_id
)
ORDER BY share DESC, chain_id`,
          expect: {
            columns: [
              ['连锁品牌', 'String'],
              ['信用办法', 'String'],
              ['分店数', 'UInt32'],
              ['已评定分店', 'UInt32'],
              ['D级及以下', 'UInt32'],
              ['占比', 'Float64'],
              ['已触发', 'String'],
              ['更新时间', "DateTime64(3, 'Asia/Shanghai')"],
            ],
            filters: { chain: '连锁品牌' },
          },
        },
      ],
      fieldConfig: tableFields({ units: { 占比: 'percentunit' } }),
      options: { showHeader: true, cellHeight: 'sm' },
    },
  ],
};
