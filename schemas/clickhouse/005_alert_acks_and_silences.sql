-- Issue 18 item 4, the alert work queue. Acknowledgements and silences live in the NATS KV
-- buckets ALERT_ACKS and ALERT_SILENCES (processors/alerting/state.ts): the dispatcher reads them,
-- Grafana cannot. `yibao-monitor alerts ack | silence | unsilence` write each one here too, after
-- the KV (processors/alerting/state-store.ts), and `yibao-monitor alerts sync-store` copies the
-- buckets here again (acks and silences set before this file, or a write that failed). The KV
-- stays what notifications follow; these tables are what the dashboards show of it.

-- One row per acknowledgement. An alert acknowledged again (the next shift) keeps both rows; the
-- newest is the alert's state. The same acknowledgement copied again by sync-store collapses
-- (same alert, time and person).
CREATE TABLE IF NOT EXISTS {{database}}.alert_acks
(
    alert_id String,
    at DateTime64(3, 'Asia/Shanghai'),
    acked_by String,
    note String
)
ENGINE = ReplacingMergeTree
ORDER BY (alert_id, at, acked_by)
SETTINGS non_replicated_deduplication_window = 1000;

-- One row per silence, as processors/alerting/silences.ts builds it; an empty rule, division or
-- subject matches any (a silence has at least one of them). Lifting a silence early writes the
-- row again with lifted_at and version 2, which wins over the first (read with FINAL).
CREATE TABLE IF NOT EXISTS {{database}}.alert_silences
(
    silence_id String,
    rule LowCardinality(String) COMMENT 'empty: any rule',
    division LowCardinality(String) COMMENT 'a 2, 4 or 6-digit prefix of the alert''s division; empty: any',
    subject String COMMENT 'a subject code, or kind:code; empty: any',
    created_at DateTime64(3, 'Asia/Shanghai'),
    until DateTime64(3, 'Asia/Shanghai'),
    set_by String,
    why String,
    breadth LowCardinality(String) COMMENT 'subject | district | prefecture | province | every division',
    forced Bool,
    lifted_at Nullable(DateTime64(3, 'Asia/Shanghai')) COMMENT 'when it was lifted before until; NULL: not lifted',
    version UInt8 COMMENT '1 set, 2 lifted'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY silence_id
SETTINGS non_replicated_deduplication_window = 1000;
