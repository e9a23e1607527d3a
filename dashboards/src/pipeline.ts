/**
 * 运行状况: throughput, lag, sink latency and dead letters, from `pipeline_metrics` (the figures
 * the processors write, processors/run.ts `pipelineMetrics`) and `dead_letters`.
 */
import type { DashboardSpec, PanelSpec } from './builder.ts';
import { tableFields, timeseriesFields } from './fields.ts';

/**
 * The (stage, metric) rows each panel reads. run.ts writes the first five with every snapshot;
 * `lag` and `latency_ms` are the names these panels expect for consumer lag and ClickHouse batch
 * latency, which run.ts does not write yet (their panels stay empty until it does).
 */
export const PIPELINE_METRICS = {
  records: { stage: 'decode', metric: 'records' },
  throughput: { stage: 'decode', metric: 'events_per_s' },
  deadLetters: { stage: 'decode', metric: 'dead_letters' },
  late: { stage: 'indicators', metric: 'late' },
  alertsRaised: { stage: 'rules', metric: 'alerts_raised' },
  lag: { stage: 'source', metric: 'lag' },
  sinkLatency: { stage: 'sink', metric: 'latency_ms' },
} as const;

const M = PIPELINE_METRICS;

/** Why the lag and latency panels may be empty: no processor writes those rows yet. */
const NOT_WRITTEN_YET = 'processors/run.ts does not write this metric to pipeline_metrics yet';

const perStage = (
  title: string,
  description: string,
  metric: string,
  agg: string,
  unit: string,
  mayBeEmpty?: string,
): PanelSpec => ({
  type: 'timeseries',
  title,
  description,
  w: 12,
  h: 8,
  interval: '10s',
  queries: [
    {
      format: 'timeseries',
      sql: `SELECT $__timeInterval(at) AS time, stage, ${agg}(value) AS metric_value
FROM pipeline_metrics
WHERE metric = '${metric}' AND $__timeFilter(at)
GROUP BY time, stage
ORDER BY time, stage`,
      expect: {
        columns: [
          ['time', "DateTime('Asia/Shanghai')"],
          ['stage', 'LowCardinality(String)'],
          ['metric_value', 'Float64'],
        ],
        ...(mayBeEmpty !== undefined && { mayBeEmpty }),
      },
    },
  ],
  fieldConfig: timeseriesFields({ unit, displayName: `\${__field.labels.stage}` }),
  options: { legend: { showLegend: true, displayMode: 'list', placement: 'bottom' } },
});

export const pipeline: DashboardSpec = {
  uid: 'yibao-pipeline',
  file: 'pipeline.json',
  title: '运行状况',
  description: '处理管线的吞吐量、消费滞后、写入延迟与死信',
  time: { from: 'now-6h', to: 'now' },
  refresh: '30s',
  variables: [],
  panels: [
    perStage(
      '吞吐量',
      `每秒处理的输入记录（${M.throughput.stage}/${M.throughput.metric}，每个快照的近期速率，区间内取平均）`,
      M.throughput.metric,
      'avg',
      'reqps',
    ),
    perStage(
      '消费滞后',
      `源中尚未读取的记录数（metric ${M.lag.metric}，按阶段，区间内取最大）；内嵌模式的模拟器与文件源没有滞后`,
      M.lag.metric,
      'max',
      'short',
      NOT_WRITTEN_YET,
    ),
    {
      type: 'timeseries',
      title: 'ClickHouse 写入延迟',
      description: `一个批次写入 ClickHouse 的耗时（${M.sinkLatency.stage}/${M.sinkLatency.metric}），区间内平均与最大`,
      w: 12,
      h: 8,
      interval: '10s',
      queries: [
        {
          format: 'timeseries',
          sql: `SELECT $__timeInterval(at) AS time, avg(value) AS \`平均\`, max(value) AS \`最大\`
FROM pipeline_metrics
WHERE stage = '${M.sinkLatency.stage}' AND metric = '${M.sinkLatency.metric}' AND $__timeFilter(at)
GROUP BY time
ORDER BY time`,
          expect: {
            columns: [
              ['time', "DateTime('Asia/Shanghai')"],
              ['平均', 'Float64'],
              ['最大', 'Float64'],
            ],
            mayBeEmpty: NOT_WRITTEN_YET,
          },
        },
      ],
      fieldConfig: timeseriesFields({ unit: 'ms' }),
      options: { legend: { showLegend: true, displayMode: 'list', placement: 'bottom' } },
    },
    {
      type: 'timeseries',
      title: '死信',
      description: '每个区间内被拒绝、写入死信表的输入记录数，按来源',
      w: 12,
      h: 8,
      interval: '1m',
      queries: [
        {
          format: 'timeseries',
          // FINAL: a record re-read after a crash is one dead letter (003 migration), counted once.
          // By Kafka topic when there is one: a Kafka dead letter's `source` is its own position.
          sql: `SELECT $__timeInterval(received_at) AS time, if(topic = '', source, topic) AS source, count() AS dead_letters
FROM dead_letters FINAL
WHERE $__timeFilter(received_at)
GROUP BY time, source
ORDER BY time, source`,
          expect: {
            columns: [
              ['time', "DateTime('Asia/Shanghai')"],
              ['source', 'String'],
              ['dead_letters', 'UInt64'],
            ],
          },
        },
      ],
      fieldConfig: {
        defaults: {
          displayName: `\${__field.labels.source}`,
          custom: { drawStyle: 'bars', fillOpacity: 80, stacking: { mode: 'normal', group: 'A' } },
        },
        overrides: [],
      },
      options: { legend: { showLegend: true, displayMode: 'list', placement: 'bottom' } },
    },
    {
      type: 'stat',
      title: '进程累计',
      description: '各处理进程自启动以来的累计数（取范围内最新快照）；进程重启后从零计',
      w: 24,
      h: 4,
      queries: [
        {
          format: 'table',
          sql: `SELECT
  argMaxIf(value, at, metric = '${M.records.metric}') AS \`已处理记录\`,
  argMaxIf(value, at, metric = '${M.deadLetters.metric}') AS \`死信\`,
  argMaxIf(value, at, metric = '${M.late.metric}') AS \`迟到记录\`,
  argMaxIf(value, at, metric = '${M.alertsRaised.metric}') AS \`已触发预警\`
FROM pipeline_metrics
WHERE $__timeFilter(at)`,
          expect: {
            columns: [
              ['已处理记录', 'Float64'],
              ['死信', 'Float64'],
              ['迟到记录', 'Float64'],
              ['已触发预警', 'Float64'],
            ],
          },
        },
      ],
      options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value' },
    },
    {
      type: 'table',
      title: '最近死信',
      description: '最近被拒绝的输入记录（原文已脱敏，截取前 200 字）与拒绝原因',
      w: 24,
      h: 10,
      queries: [
        {
          format: 'table',
          sql: `SELECT
  received_at AS \`接收时间\`,
  source AS \`来源\`,
  topic AS \`主题\`,
  \`partition\` AS \`分区\`,
  \`offset\` AS \`偏移\`,
  line AS \`行号\`,
  error AS \`原因\`,
  path AS \`字段\`,
  substringUTF8(raw, 1, 200) AS \`原文\`
FROM dead_letters FINAL
WHERE $__timeFilter(received_at)
ORDER BY received_at DESC
LIMIT 200`,
          expect: {
            columns: [
              ['接收时间', "DateTime64(3, 'Asia/Shanghai')"],
              ['来源', 'LowCardinality(String)'],
              ['主题', 'LowCardinality(String)'],
              ['分区', 'Int32'],
              ['偏移', 'Int64'],
              ['行号', 'UInt64'],
              ['原因', 'String'],
              ['字段', 'String'],
              ['原文', 'String'],
            ],
          },
        },
      ],
      fieldConfig: tableFields(),
      options: { showHeader: true, cellHeight: 'sm' },
    },
  ],
};
