-- Rollups for the dashboards, kept by materialized views as rows arrive. They read only the
-- monitor's own outputs (alerts, level_changes), never settlements, so their size follows the
-- number of alerts and changes, not the settlement volume.
--
-- Two counts per row:
-- * alerts / changes: rows inserted, summed by SummingMergeTree. A retried batch does not add
--   again: the sink inserts with an insert_deduplication_token and
--   deduplicate_blocks_in_dependent_materialized_views = 1, and these tables keep a
--   deduplication window too. Rows written again in a *different* batch (a replay after a crash
--   before offsets were committed) are counted again here, while the source tables collapse them.
-- * alert_ids / change_ids: uniqExact states of the deterministic ids, merged by the same engine
--   (SummingMergeTree merges AggregateFunction columns with their function). uniqExactMerge(...)
--   is exact whatever was written twice; panels that must not over-count read it.
-- Read with sum(...) / uniqExactMerge(...) and GROUP BY: parts merge eventually, not at once.

-- Alerts raised (status firing) per minute, hour and day, per division, rule and severity.
CREATE TABLE IF NOT EXISTS {{database}}.alerts_per_minute
(
    minute DateTime('Asia/Shanghai'),
    division LowCardinality(String),
    rule LowCardinality(String),
    severity LowCardinality(String),
    alerts UInt64,
    alert_ids AggregateFunction(uniqExact, String)
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (division, severity, rule, minute)
TTL minute + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.alerts_per_minute_mv
TO {{database}}.alerts_per_minute
AS SELECT
    toStartOfMinute(toDateTime(raised_at, 'Asia/Shanghai')) AS minute,
    division,
    rule,
    severity,
    count() AS alerts,
    uniqExactState(alert_id) AS alert_ids
FROM {{database}}.alerts
WHERE status = 'firing'
GROUP BY minute, division, rule, severity;

CREATE TABLE IF NOT EXISTS {{database}}.alerts_per_hour
(
    hour DateTime('Asia/Shanghai'),
    division LowCardinality(String),
    rule LowCardinality(String),
    severity LowCardinality(String),
    alerts UInt64,
    alert_ids AggregateFunction(uniqExact, String)
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (division, severity, rule, hour)
TTL hour + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.alerts_per_hour_mv
TO {{database}}.alerts_per_hour
AS SELECT
    toStartOfHour(toDateTime(raised_at, 'Asia/Shanghai')) AS hour,
    division,
    rule,
    severity,
    count() AS alerts,
    uniqExactState(alert_id) AS alert_ids
FROM {{database}}.alerts
WHERE status = 'firing'
GROUP BY hour, division, rule, severity;

CREATE TABLE IF NOT EXISTS {{database}}.alerts_per_day
(
    day Date,
    division LowCardinality(String),
    rule LowCardinality(String),
    severity LowCardinality(String),
    alerts UInt64,
    alert_ids AggregateFunction(uniqExact, String)
)
ENGINE = SummingMergeTree
PARTITION BY toYear(day)
ORDER BY (division, severity, rule, day)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.alerts_per_day_mv
TO {{database}}.alerts_per_day
AS SELECT
    toDate(raised_at, 'Asia/Shanghai') AS day,
    division,
    rule,
    severity,
    count() AS alerts,
    uniqExactState(alert_id) AS alert_ids
FROM {{database}}.alerts
WHERE status = 'firing'
GROUP BY day, division, rule, severity;

-- Level changes per day, per pack, division, scale and new level. Kept as long as the changes
-- themselves (level_changes: 3 years of publication + 1 year).
CREATE TABLE IF NOT EXISTS {{database}}.level_changes_per_day
(
    day Date,
    pack LowCardinality(String),
    division LowCardinality(String),
    scale LowCardinality(String),
    to_level LowCardinality(String),
    changes UInt64,
    change_ids AggregateFunction(uniqExact, String)
)
ENGINE = SummingMergeTree
PARTITION BY toYear(day)
ORDER BY (pack, division, scale, to_level, day)
TTL day + INTERVAL 3 YEAR + INTERVAL 1 YEAR
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.level_changes_per_day_mv
TO {{database}}.level_changes_per_day
AS SELECT
    toDate(at, 'Asia/Shanghai') AS day,
    pack,
    division,
    scale,
    `to` AS to_level,
    count() AS changes,
    uniqExactState(change_id) AS change_ids
FROM {{database}}.level_changes
GROUP BY day, pack, division, scale, to_level;
