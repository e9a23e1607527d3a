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
 * Open alerts, one row per open alert: per (rule, subject) — rules/early-warning/decisions.ts keeps
 * one open alert per rule and subject — the raises since its last resolve, when there are any.
 * Every raise (the first, an escalation, a re-raise after the cool-down) and the resolve have ids
 * of their own (processors/early-warning.ts `alertFromDecision` hashes the time and status), so a
 * resolve never shares the id of the raise it ends: matching them by alert_id would leave every
 * raise open for ever. A raise at the very instant of a resolve counts as open.
 *
 * Columns: the newest raise's `alert_id`, severity (an escalation raises it), title, reasons and
 * explanation, and `raised_at`; `opened_at` the first raise since the last resolve; `raises` how
 * many; `raise_ids` their ids (an acknowledgement names one of them).
 */
export const OPEN_ALERTS = `SELECT
    argMax(f.alert_id, f.raised_at) AS alert_id,
    rule,
    argMax(f.severity, f.raised_at) AS severity,
    argMax(f.title, f.raised_at) AS title,
    subject_kind,
    subject_code,
    argMax(f.division, f.raised_at) AS division,
    argMax(f.pack, f.raised_at) AS pack,
    min(f.raised_at) AS opened_at,
    max(f.raised_at) AS raised_at,
    argMax(f.reasons, f.raised_at) AS reasons,
    argMax(f.explanation, f.raised_at) AS explanation,
    count() AS raises,
    groupArray(f.alert_id) AS raise_ids
  FROM
  (
    SELECT alert_id, rule, severity, title, subject_kind, subject_code, division, pack, raised_at, reasons, explanation
    FROM alerts FINAL
    WHERE status = 'firing'
  ) AS f
  LEFT JOIN
  (
    SELECT rule, subject_kind, subject_code, max(raised_at) AS resolved_at
    FROM alerts FINAL
    WHERE status = 'resolved'
    GROUP BY rule, subject_kind, subject_code
  ) AS r USING (rule, subject_kind, subject_code)
  WHERE f.raised_at >= r.resolved_at
  GROUP BY rule, subject_kind, subject_code`;

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
