/**
 * SQL pieces the panels share. Table names are unqualified: the datasource's
 * `jsonData.defaultDatabase` (yibao) resolves them, so the database stays a deployment setting.
 *
 * Filters use `$__conditionalAll(condition, $var)`: on All the plugin replaces the whole condition
 * with 1=1 (no giant IN list); otherwise the condition stays and `${var:singlequote}` becomes the
 * quoted selection. Conditions keep their commas inside brackets and no brackets inside string
 * literals, because the plugin splits the macro's arguments on depth-1 commas and counts every
 * bracket (dashboards/expand/conditional-all.ts).
 */

export const sel = (variable: string) => `\${${variable}:singlequote}`;

/** Rows whose division is one of the selected 统筹区/行政区划. */
export const divisionFilter = (column = 'division') =>
  `$__conditionalAll(${column} IN (${sel('admdvs')}), $admdvs)`;

/**
 * Institutions of the selected kinds. The kind lives only on indicator snapshots (the standing,
 * alert and task rows carry no kind), so it is looked up there within the dashboard's range: an
 * institution with no snapshot in the range drops out when a kind is chosen.
 */
export const kindFilter = (codeColumn = 'subject_code') =>
  `$__conditionalAll(${codeColumn} IN (SELECT subject_code FROM indicator_snapshots WHERE subject_kind = 'institution' AND kind IN (${sel('kind')}) AND $__timeFilter(at)), $kind)`;

/** Standings rows (which have scale and level) at the selected levels. */
export const levelFilter = (scale = 'scale', level = 'level') =>
  `$__conditionalAll(concat(${scale}, ':', ${level}) IN (${sel('level')}), $level)`;

/** Rows of subjects whose current standing is at the selected levels. */
export const levelFilterBySubject = (codeColumn = 'subject_code') =>
  `$__conditionalAll(${codeColumn} IN (SELECT subject_code FROM standings_current FINAL WHERE subject_kind = 'institution' AND concat(scale, ':', level) IN (${sel('level')})), $level)`;

/**
 * Open alerts, one row per alert: a firing row and no resolved row (processors/storage/queries.ts
 * `openAlerts`), with the firing row's own fields.
 */
export const OPEN_ALERTS = `SELECT
    alert_id,
    any(rule) AS rule,
    any(severity) AS severity,
    anyIf(title, status = 'firing') AS title,
    any(subject_kind) AS subject_kind,
    any(subject_code) AS subject_code,
    any(division) AS division,
    any(pack) AS pack,
    minIf(raised_at, status = 'firing') AS raised_at,
    anyIf(reasons, status = 'firing') AS reasons,
    anyIf(explanation, status = 'firing') AS explanation
  FROM alerts FINAL
  GROUP BY alert_id
  HAVING countIf(status = 'firing') > 0 AND countIf(status = 'resolved') = 0`;

/** A reasons JSON array ({rule, article | assumption, detail}) as one line of text. */
export const reasonsText = (column = 'reasons') =>
  `arrayStringConcat(arrayMap(r -> concat(JSONExtractString(r, 'rule'), if(JSONHas(r, 'article'), concat(' ', JSONExtractString(r, 'article')), ''), if(JSONHas(r, 'assumption'), concat(' 假设：', JSONExtractString(r, 'assumption')), ''), if(JSONHas(r, 'detail'), concat(' — ', JSONExtractString(r, 'detail')), '')), JSONExtractArrayRaw(${column})), '；')`;

/** An alert explanation ({indicator, value, threshold, window, baseline}) as text, '' for {}. */
export const explanationText = (column = 'explanation') =>
  `if(JSONHas(${column}, 'indicator'), concat(JSONExtractString(${column}, 'indicator'), ' = ', toString(round(JSONExtractFloat(${column}, 'value'), 4)), '（阈值 ', toString(JSONExtractFloat(${column}, 'threshold')), '，窗口 ', JSONExtractString(${column}, 'window'), if(JSONHas(${column}, 'baseline'), concat('，基线 ', toString(round(JSONExtractFloat(${column}, 'baseline'), 4))), ''), '）'), '')`;

/** Date-column range in China days. Not `$__dateFilter`: that prints the Grafana server's date
 * (UTC in the official image), a day off for China-time dates for eight hours of every day. */
export const chinaDayRange = (column: string) =>
  `${column} >= toDate($__fromTime, 'Asia/Shanghai') AND ${column} <= toDate($__toTime, 'Asia/Shanghai')`;
