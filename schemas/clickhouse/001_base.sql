-- Base tables of the monitor's store (ARCHITECTURE.md: ClickHouse). Applied by
-- processors/storage/migrate.ts, which replaces {{database}} with the configured database
-- (YIBAO_CLICKHOUSE_DATABASE) and records this file's checksum: once applied, this file never
-- changes; a change is a new numbered file.
--
-- Conventions:
-- * Times are DateTime64(3, 'Asia/Shanghai'): the monitor's calendar is China time (EVENTS.md).
-- * Low-cardinality text (division, pack, rule, severity, kind, level, scale, status) is
--   LowCardinality(String); an absent division, pack or level is '' (sorting keys cannot be NULL).
-- * Structured fields (reasons, explanation, detail) are JSON text, read with JSONExtract*.
-- * Every statement is IF NOT EXISTS: ClickHouse DDL is not transactional, so a file that failed
--   half-way is simply applied again.
-- * non_replicated_deduplication_window: a retried insert carrying the same
--   insert_deduplication_token is dropped (the sink derives the token from the batch content).
--   ReplacingMergeTree ids additionally collapse rows written again after a crash (read with FINAL).

-- Rolling indicator values as the indicator stage saw them, for time-series panels.
CREATE TABLE IF NOT EXISTS {{database}}.indicator_snapshots
(
    at DateTime64(3, 'Asia/Shanghai'),
    subject_kind LowCardinality(String),
    subject_code String,
    division LowCardinality(String),
    kind LowCardinality(String) COMMENT 'institution kind (hospital, clinic, pharmacy, village_clinic), or the subject kind',
    indicator LowCardinality(String),
    `window` LowCardinality(String),
    value Float64,
    INDEX subject_code_bf subject_code TYPE bloom_filter GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (division, kind, indicator, `window`, at, subject_code)
TTL toDateTime(at) + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 1000;

-- One row per alert and status; alert_id is deterministic (processors/ids.ts), so writing an
-- alert again collapses into the same row.
CREATE TABLE IF NOT EXISTS {{database}}.alerts
(
    alert_id String,
    rule LowCardinality(String),
    severity LowCardinality(String),
    title String,
    subject_kind LowCardinality(String),
    subject_code String,
    division LowCardinality(String),
    pack LowCardinality(String),
    raised_at DateTime64(3, 'Asia/Shanghai'),
    status LowCardinality(String) COMMENT 'firing | resolved',
    reasons String COMMENT 'JSON array of {rule, article | assumption, detail, event_id}',
    explanation String COMMENT 'JSON object {indicator, value, threshold, window, baseline}, or {}',
    evidence Array(String),
    INDEX subject_code_bf subject_code TYPE bloom_filter GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(raised_at)
ORDER BY (division, severity, rule, raised_at, alert_id, status)
SETTINGS non_replicated_deduplication_window = 1000;

-- Changes of a subject's level. change_id is a hash of subject, pack, at and the new level.
-- TTL: 3 years, the longest publication period of the packs (江苏 第十三条(一) and 第十四条: severe
-- and joint 3 years; 新疆 第十九条: severe 3 years), plus 1 year so the change that ends a
-- publication and the one that started it stay side by side for a further annual evaluation.
CREATE TABLE IF NOT EXISTS {{database}}.level_changes
(
    change_id String,
    subject_kind LowCardinality(String),
    subject_code String,
    pack LowCardinality(String),
    division LowCardinality(String),
    scale LowCardinality(String),
    at DateTime64(3, 'Asia/Shanghai'),
    `from` LowCardinality(String),
    `to` LowCardinality(String),
    score Nullable(Float64),
    reasons String COMMENT 'JSON array of {rule, article | assumption, detail, event_id}',
    event_id String COMMENT 'the record that caused the change; empty when time alone did',
    INDEX subject_code_bf subject_code TYPE bloom_filter GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYear(at)
ORDER BY (pack, division, at, subject_kind, subject_code, change_id)
TTL toDateTime(at) + INTERVAL 3 YEAR + INTERVAL 1 YEAR
SETTINGS non_replicated_deduplication_window = 1000;

-- The latest standing per subject and pack: the highest version (the standing's as_of in epoch
-- milliseconds) wins when parts merge; read with FINAL.
CREATE TABLE IF NOT EXISTS {{database}}.standings_current
(
    subject_kind LowCardinality(String),
    subject_code String,
    pack LowCardinality(String),
    division LowCardinality(String),
    period UInt16,
    evaluated Bool,
    excluded_reason String,
    scale LowCardinality(String),
    level LowCardinality(String),
    score Nullable(Float64),
    policy_in_force Bool,
    as_of DateTime64(3, 'Asia/Shanghai'),
    reasons String COMMENT 'JSON array of {rule, article | assumption, detail, event_id}',
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (pack, subject_kind, subject_code)
SETTINGS non_replicated_deduplication_window = 1000;

-- A pharmacy chain's status at each change (四川 第三十四条(七), 第三十五条(七)); the newest row
-- per chain is the current status.
CREATE TABLE IF NOT EXISTS {{database}}.chain_status
(
    chain_id String,
    pack LowCardinality(String),
    at DateTime64(3, 'Asia/Shanghai'),
    branches UInt32,
    evaluated_branches UInt32,
    at_or_below_d UInt32,
    share Float64,
    triggers Array(LowCardinality(String))
)
ENGINE = ReplacingMergeTree
ORDER BY (pack, chain_id, at)
SETTINGS non_replicated_deduplication_window = 1000;

-- Targeted inspection tasks; task_id is deterministic, so a task written again collapses.
CREATE TABLE IF NOT EXISTS {{database}}.inspection_tasks
(
    task_id String,
    subject_kind LowCardinality(String),
    subject_code String,
    division LowCardinality(String),
    pack LowCardinality(String),
    reason_rule LowCardinality(String),
    basis String,
    created_at DateTime64(3, 'Asia/Shanghai'),
    detail String
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(created_at)
ORDER BY (division, created_at, task_id)
SETTINGS non_replicated_deduplication_window = 1000;

-- Rejected input records with their (redacted) raw text and the reason (EVENTS.md: never lost).
CREATE TABLE IF NOT EXISTS {{database}}.dead_letters
(
    received_at DateTime64(3, 'Asia/Shanghai'),
    source LowCardinality(String),
    topic LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    line UInt64,
    raw String,
    error String,
    path String
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(received_at)
ORDER BY (source, topic, received_at)
TTL toDateTime(received_at) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000;

-- The processors' own health figures (lag, throughput, batch latency) for the health dashboard.
CREATE TABLE IF NOT EXISTS {{database}}.pipeline_metrics
(
    at DateTime64(3, 'Asia/Shanghai'),
    stage LowCardinality(String),
    metric LowCardinality(String),
    value Float64
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(at)
ORDER BY (stage, metric, at)
TTL toDateTime(at) + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 1000;
