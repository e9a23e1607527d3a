-- Issue 6, "nothing lost, nothing doubled" after a crash: dead_letters and indicator_snapshots
-- were plain MergeTree tables, so every row a killed run wrote and its restart wrote again stayed
-- twice (a crash test found 69 dead-letter rows for 53 malformed records, and 49 172 snapshot rows
-- for 39 172 distinct). Both become ReplacingMergeTree on the rows' natural identity, so a replay
-- collapses into the rows already there (read with FINAL where a count must not double).
--
-- ClickHouse cannot change a table's engine or sorting key in place. Each table is replaced by
-- `CREATE OR REPLACE TABLE … AS SELECT … FROM` itself: the new table is filled from the old one and
-- swapped in under the same name atomically (Atomic database engine, the default), the old one is
-- dropped. The statement is idempotent: run again (a file that failed half-way, or two `migrate`s
-- at once) it copies the new table into an identical one. No materialized view reads these two
-- tables (002_rollups.sql reads alerts and level_changes only), so no view needs re-creating.
-- Rows written while the copy runs would be lost: apply this file (`yibao-monitor migrate`)
-- before the monitor or its stages write, as `run` does at start.

-- Dead letters. The identity of a dead letter is where the record came from (source such as
-- `events/3@1234` or a file's name, Kafka topic, partition, offset, file line) and what was wrong
-- with it (redacted raw text, error, path): `id` is a 128-bit SipHash of those, computed by the
-- table itself (MATERIALIZED), so the rows the sink writes and the rows copied from the old table
-- get the same id without the sink sending it. received_at stays the arrival time by the wall
-- clock; of two arrivals of one record the earlier is kept (`version` falls as received_at rises).
-- No PARTITION BY: ReplacingMergeTree collapses rows only within a partition, and a partition by
-- the wall-clock received_at (the old toYYYYMMDD) would keep a record re-read after midnight
-- twice. The 90-day TTL still removes rows (in merges); dead letters are few.
CREATE OR REPLACE TABLE {{database}}.dead_letters
(
    received_at DateTime64(3, 'Asia/Shanghai'),
    source LowCardinality(String),
    topic LowCardinality(String),
    `partition` Int32,
    `offset` Int64,
    line UInt64,
    raw String,
    error String,
    path String,
    id String MATERIALIZED lower(hex(sipHash128(source, topic, `partition`, `offset`, line, raw, error, path))) COMMENT 'the dead letter''s identity: source position and error',
    version UInt64 MATERIALIZED 4102444800000 - toUInt64(toUnixTimestamp64Milli(received_at)) COMMENT 'higher for an earlier arrival: the first arrival is kept'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (source, id)
TTL toDateTime(received_at) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000
AS SELECT received_at, source, topic, `partition`, `offset`, line, raw, error, path
FROM {{database}}.dead_letters;

-- Indicator snapshots: one value per subject, indicator, window and instant. The sorting key is
-- that identity; the dashboards' filters that the old key served (kind, division, time) are
-- served by the monthly partitions and skip indexes. Partitioning and TTL are unchanged (`at` is
-- part of the identity, so a snapshot written again lands in the same partition).
CREATE OR REPLACE TABLE {{database}}.indicator_snapshots
(
    at DateTime64(3, 'Asia/Shanghai'),
    subject_kind LowCardinality(String),
    subject_code String,
    division LowCardinality(String),
    kind LowCardinality(String) COMMENT 'institution kind (hospital, clinic, pharmacy, village_clinic), or the subject kind',
    indicator LowCardinality(String),
    `window` LowCardinality(String),
    value Float64,
    INDEX subject_code_bf subject_code TYPE bloom_filter GRANULARITY 4,
    INDEX kind_set kind TYPE set(64) GRANULARITY 4,
    INDEX division_set division TYPE set(1024) GRANULARITY 4,
    INDEX at_minmax at TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (subject_kind, subject_code, indicator, `window`, at)
TTL toDateTime(at) + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 1000
AS SELECT at, subject_kind, subject_code, division, kind, indicator, `window`, value
FROM {{database}}.indicator_snapshots;
