-- The read-only ClickHouse user the Grafana datasource connects as (dashboards/provisioning/
-- datasources/clickhouse.yaml: username yibao_reader, password from
-- YIBAO_GRAFANA_CLICKHOUSE_PASSWORD). Grafana runs whatever SQL a panel holds, so the user may
-- only read the monitor's database (grafana-clickhouse-datasource docs, "ClickHouse user for the
-- data source").
--
-- Placeholders, replaced by whoever applies the file (nothing secret is stored here):
--   {{database}}  the monitor's database (YIBAO_CLICKHOUSE_DATABASE, default yibao)
--   {{password}}  the value of YIBAO_GRAFANA_CLICKHOUSE_PASSWORD
-- e.g. sed -e "s/{{database}}/yibao/g" -e "s/{{password}}/$YIBAO_GRAFANA_CLICKHOUSE_PASSWORD/" \
--        dashboards/provisioning/readonly-user.sql | clickhouse-client --multiquery
--
-- readonly = 1 forbids writes, DDL and changing settings, except max_execution_time, which the
-- plugin's client sets on every query (the plugin's docs: keep readonly = 1 and make that one
-- setting CHANGEABLE_IN_READONLY rather than using readonly = 2).

CREATE SETTINGS PROFILE IF NOT EXISTS yibao_reader_profile
    SETTINGS readonly = 1, max_execution_time = 60 CHANGEABLE_IN_READONLY;

CREATE USER IF NOT EXISTS yibao_reader
    IDENTIFIED WITH sha256_password BY '{{password}}'
    DEFAULT DATABASE {{database}}
    SETTINGS PROFILE 'yibao_reader_profile';

GRANT SELECT ON {{database}}.* TO yibao_reader;
