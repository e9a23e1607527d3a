/**
 * 预警工作队列: every open alert with its acknowledgement and silence state and how long it has
 * been open, oldest first — what the shift has to work through.
 *
 * Acknowledgements and silences are made with `yibao-monitor alerts ack | silence | unsilence`
 * and kept in NATS KV (the dispatcher follows them); the same commands record them in ClickHouse
 * (alert_acks, alert_silences: schemas/clickhouse/005, processors/alerting/state-store.ts), which is
 * what these panels read. An acknowledgement names one raise (the alert id of a notification); an
 * open alert that escalated or was raised again after it reads 确认后再触发.
 */
import type { DashboardSpec, VariableSpec } from './builder.ts';
import { tableFields } from './fields.ts';
import {
  packLabelSql,
  ruleTitleSql,
  severityLabelSql,
  severityRankSql,
  subjectKindLabelSql,
} from './labels.ts';
import { divisionFilter, explanationText, OPEN_ALERTS, sel } from './sql.ts';
import { admdvs, severity } from './variables.ts';

/** The acknowledgement states, in the order the variable lists them. */
export const ACK_STATES = {
  none: '未确认',
  earlier: '确认后再触发',
  acked: '已确认',
} as const;

/** 确认状态: computed by the queue's query, listed from the constants (no table holds them). */
export const ackState: VariableSpec = {
  name: 'ack_state',
  label: '确认状态',
  description:
    '未确认：无人确认过本次预警的任何一次触发；确认后再触发：确认的是此前一次触发，其后升级或重发；已确认：确认的是最近一次触发',
  sql: `SELECT arrayJoin([${Object.values(ACK_STATES)
    .map((s) => `'${s}'`)
    .join(', ')}]) AS ack_state`,
  columnType: 'String',
  multi: true,
  includeAll: true,
  refresh: 'load',
};

const severityFilter = `$__conditionalAll(severity IN (${sel('severity')}), $severity)`;

/**
 * The open alerts under the division and severity filters, each with its newest acknowledgement
 * (of any of its raises) and the first silence in force that matches it, as the dispatcher's
 * processors/alerting/silences.ts `silenceMatches` does: rule equal, division a prefix, subject
 * the code or kind:code; an empty field matches any. "In force": set, not lifted, until ahead.
 */
const QUEUE = `WITH
  o AS (
    SELECT *
    FROM (${OPEN_ALERTS})
    WHERE ${divisionFilter()}
      AND ${severityFilter}
  ),
  a AS (
    SELECT groupArray((alert_id, last_at, acked_by, note)) AS list
    FROM
    (
      SELECT alert_id, max(at) AS last_at, argMax(acked_by, at) AS acked_by, argMax(note, at) AS note
      FROM alert_acks FINAL
      WHERE alert_id IN (SELECT arrayJoin(raise_ids) FROM o)
      GROUP BY alert_id
    )
  ),
  s AS (
    SELECT groupArray((silence_id, rule, division, subject, until, set_by, why)) AS list
    FROM alert_silences FINAL
    WHERE lifted_at IS NULL AND created_at <= now64(3) AND until > now64(3)
  ),
  q AS (
    SELECT
      o.*,
      arraySort(x -> x.2, arrayFilter(x -> has(o.raise_ids, x.1), a.list)) AS acks,
      arrayFirst(x -> (x.2 = '' OR x.2 = o.rule) AND startsWith(o.division, x.3) AND (x.4 = '' OR x.4 = o.subject_code OR x.4 = concat(o.subject_kind, ':', o.subject_code)), s.list) AS silence,
      if(empty(acks), '${ACK_STATES.none}', if(acks[-1].1 = o.alert_id, '${ACK_STATES.acked}', '${ACK_STATES.earlier}')) AS ack_state,
      greatest(dateDiff('second', o.opened_at, now64(3)), 0) AS age
    FROM o
    CROSS JOIN a
    CROSS JOIN s
  )`;

export const QUEUE_COLUMNS = [
  ['首次触发', "DateTime64(3, 'Asia/Shanghai')"],
  ['已持续', 'Int64'],
  ['确认状态', 'String'],
  ['确认人', 'String'],
  ['确认时间', "Nullable(DateTime64(3, 'Asia/Shanghai'))"],
  ['确认备注', 'String'],
  ['静默', 'String'],
  ['级别', 'String'],
  ['规则', 'String'],
  ['对象类型', 'String'],
  ['对象编码', 'String'],
  ['行政区划', 'String'],
  ['信用办法', 'String'],
  ['触发次数', 'UInt64'],
  ['最近触发', "DateTime64(3, 'Asia/Shanghai')"],
  ['说明', 'String'],
  ['预警编号', 'String'],
] as const;

export const queue: DashboardSpec = {
  uid: 'yibao-queue',
  file: 'queue.json',
  title: '预警工作队列',
  description:
    '未解除预警的确认与静默状态及已持续时长，最早的在前；确认与静默由 yibao-monitor alerts ack / silence 记录',
  time: { from: 'now-7d', to: 'now' },
  refresh: '1m',
  variables: [admdvs, severity, ackState],
  panels: [
    {
      type: 'stat',
      title: '待处置',
      description:
        '未解除预警数，按确认状态与静默；最久未确认为未确认预警中首次触发最早者已持续的时长（无则为 0）。不随时间范围变化',
      w: 24,
      h: 4,
      queries: [
        {
          format: 'table',
          sql: `${QUEUE}
SELECT
  count() AS \`未解除\`,
  countIf(ack_state = '${ACK_STATES.none}') AS \`${ACK_STATES.none}\`,
  countIf(ack_state = '${ACK_STATES.earlier}') AS \`${ACK_STATES.earlier}\`,
  countIf(ack_state = '${ACK_STATES.acked}') AS \`${ACK_STATES.acked}\`,
  countIf(silence.1 != '') AS \`静默中\`,
  maxIf(age, ack_state = '${ACK_STATES.none}') AS \`最久未确认\`
FROM q
WHERE $__conditionalAll(ack_state IN (${sel('ack_state')}), $ack_state)`,
          expect: {
            columns: [
              ['未解除', 'UInt64'],
              [ACK_STATES.none, 'UInt64'],
              [ACK_STATES.earlier, 'UInt64'],
              [ACK_STATES.acked, 'UInt64'],
              ['静默中', 'UInt64'],
              ['最久未确认', 'Int64'],
            ],
          },
        },
      ],
      fieldConfig: {
        defaults: {},
        overrides: [
          {
            matcher: { id: 'byName', options: '最久未确认' },
            properties: [{ id: 'unit', value: 'dtdurations' }],
          },
        ],
      },
      options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value' },
    },
    {
      type: 'table',
      title: '预警工作队列（最早的在前）',
      description:
        '每个未解除预警一行（同一规则、同一对象的各次触发合为一行，自其上次解除以来），按首次触发时间由早到晚；已持续为自首次触发至今。确认取该预警各次触发中最近的一次确认；静默为当前生效且与之匹配的静默（规则相同、区划前缀、对象相同，未指定者不限）。确认与静默以 yibao-monitor alerts ack / silence / unsilence 记录，存于 NATS KV 并同时写入 ClickHouse（alert_acks、alert_silences）',
      w: 24,
      h: 16,
      queries: [
        {
          format: 'table',
          sql: `${QUEUE}
SELECT
  opened_at AS \`首次触发\`,
  age AS \`已持续\`,
  ack_state AS \`确认状态\`,
  acks[-1].3 AS \`确认人\`,
  if(empty(acks), NULL, acks[-1].2) AS \`确认时间\`,
  acks[-1].4 AS \`确认备注\`,
  if(silence.1 = '', '', concat(silence.1, ' 至 ', formatDateTime(silence.5, '%Y-%m-%d %H:%i'), '（', silence.6, '：', silence.7, '）')) AS \`静默\`,
  ${severityLabelSql()} AS \`级别\`,
  ${ruleTitleSql()} AS \`规则\`,
  ${subjectKindLabelSql()} AS \`对象类型\`,
  subject_code AS \`对象编码\`,
  division AS \`行政区划\`,
  ${packLabelSql()} AS \`信用办法\`,
  raises AS \`触发次数\`,
  raised_at AS \`最近触发\`,
  ${explanationText()} AS \`说明\`,
  alert_id AS \`预警编号\`
FROM q
WHERE $__conditionalAll(ack_state IN (${sel('ack_state')}), $ack_state)
ORDER BY opened_at, ${severityRankSql()} DESC, alert_id`,
          expect: {
            columns: QUEUE_COLUMNS,
            filters: { admdvs: '行政区划', ack_state: '确认状态' },
          },
        },
      ],
      fieldConfig: tableFields({ links: ['对象编码'], units: { 已持续: 'dtdurations' } }),
      options: { showHeader: true, cellHeight: 'sm' },
    },
    {
      type: 'table',
      title: '生效中的静默',
      description:
        '当前生效（已设置、未提前解除、未到期）的静默：匹配条件、起止、设置人与原因、范围；静默期间预警照常记录，只是不再通知。不随所选区划与时间范围变化',
      w: 24,
      h: 8,
      queries: [
        {
          format: 'table',
          sql: `SELECT
  silence_id AS \`静默编号\`,
  rule AS \`规则\`,
  division AS \`区划前缀\`,
  subject AS \`对象\`,
  created_at AS \`开始\`,
  until AS \`结束\`,
  set_by AS \`设置人\`,
  why AS \`原因\`,
  breadth AS \`范围\`,
  forced AS \`强制\`
FROM alert_silences FINAL
WHERE lifted_at IS NULL AND created_at <= now64(3) AND until > now64(3)
ORDER BY until, silence_id`,
          expect: {
            columns: [
              ['静默编号', 'String'],
              ['规则', 'LowCardinality(String)'],
              ['区划前缀', 'LowCardinality(String)'],
              ['对象', 'String'],
              ['开始', "DateTime64(3, 'Asia/Shanghai')"],
              ['结束', "DateTime64(3, 'Asia/Shanghai')"],
              ['设置人', 'String'],
              ['原因', 'String'],
              ['范围', 'LowCardinality(String)'],
              ['强制', 'Bool'],
            ],
          },
        },
      ],
      fieldConfig: tableFields(),
      options: { showHeader: true, cellHeight: 'sm' },
    },
  ],
};
