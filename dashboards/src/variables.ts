/**
 * Template variables, filled from the store's own tables. Each returns one column named like the
 * variable (value = text: the plugin's newest variable editor keeps only the text column).
 */
import type { VariableSpec } from './builder.ts';
import { divisionFilter, kindFilter, sel } from './sql.ts';

/** 统筹区/行政区划: the divisions with a standing. Multi, with All. */
export const admdvs: VariableSpec = {
  name: 'admdvs',
  label: '行政区划',
  description: '医保区划代码（admdvs），取自当前信用状况；可多选，All 表示不限',
  sql: `SELECT DISTINCT division AS admdvs
FROM standings_current FINAL
WHERE division != ''
ORDER BY admdvs`,
  columnType: 'LowCardinality(String)',
  multi: true,
  includeAll: true,
  refresh: 'load',
};

/** 机构类型: the institution kinds seen on indicator snapshots in the range. */
export const kind: VariableSpec = {
  name: 'kind',
  label: '机构类型',
  description:
    '定点机构类型（hospital 医院、clinic 诊所、pharmacy 药店、village_clinic 村卫生室），取自所选时间范围内的指标快照',
  sql: `SELECT DISTINCT kind
FROM indicator_snapshots
WHERE subject_kind = 'institution' AND kind != '' AND $__timeFilter(at)
ORDER BY kind`,
  columnType: 'LowCardinality(String)',
  multi: true,
  includeAll: true,
  refresh: 'time',
};

/** 信用等级 as `scale:level` (grade:D, dishonesty:severe, list:black, …): the packs' scales differ. */
export const level: VariableSpec = {
  name: 'level',
  label: '信用等级',
  description: '信用等级，按“等级体系:等级”区分各办法（如 grade:D、dishonesty:severe、list:black）',
  // The filter sits in a subquery: an outer alias \`level\` would shadow the column in WHERE.
  sql: `SELECT DISTINCT concat(scale, ':', level) AS level
FROM
(
  SELECT scale, level
  FROM standings_current FINAL
  WHERE subject_kind = 'institution' AND level != ''
    AND ${divisionFilter()}
)
ORDER BY level`,
  columnType: 'String',
  multi: true,
  includeAll: true,
  refresh: 'load',
};

/** 机构: one institution, among the selected divisions and kinds. */
export const institution: VariableSpec = {
  name: 'institution',
  label: '机构',
  description: '定点医药机构编码（fixmedins_code），随行政区划与机构类型筛选',
  sql: `SELECT DISTINCT subject_code AS institution
FROM standings_current FINAL
WHERE subject_kind = 'institution'
  AND ${divisionFilter()}
  AND ${kindFilter()}
ORDER BY institution`,
  columnType: 'String',
  multi: false,
  includeAll: false,
  refresh: 'time',
};

/** 预警级别 of the alerts stored. */
export const severity: VariableSpec = {
  name: 'severity',
  label: '预警级别',
  description: 'key 重点监控、general 一般监控、info 提示',
  sql: `SELECT DISTINCT severity
FROM alerts
ORDER BY severity`,
  columnType: 'LowCardinality(String)',
  multi: true,
  includeAll: true,
  refresh: 'load',
};

/** 办法 (pack) with pharmacy chains. */
export const pack: VariableSpec = {
  name: 'pack',
  label: '信用办法',
  description: '连锁药店所适用的省级信用管理办法（政策包）',
  sql: `SELECT DISTINCT pack
FROM chain_status
ORDER BY pack`,
  columnType: 'LowCardinality(String)',
  multi: true,
  includeAll: true,
  refresh: 'load',
};

/** 连锁品牌 within the selected packs. */
export const chain: VariableSpec = {
  name: 'chain',
  label: '连锁品牌',
  description: '连锁药店品牌编码',
  sql: `SELECT DISTINCT chain_id AS chain
FROM chain_status
WHERE $__conditionalAll(pack IN (${sel('pack')}), $pack)
ORDER BY chain`,
  columnType: 'String',
  multi: true,
  includeAll: true,
  refresh: 'load',
};
