/**
 * 5. The alternative: the same indicators by ClickHouse alone (chDB in its own data directory).
 * The engine benchmark's settlements are inserted as raw rows; materialized views keep per
 * institution-day counts, fund and off-hours counts, and per person-institution-day visit counts;
 * a scheduled query evaluates three rules (pharmacy_repeat_purchase, multi_institution_day,
 * off_hours_share without the peer factor). Reports the ingest rate and the query time, from
 * which the delay until an alert could fire follows: the schedule interval plus the query time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulation } from '../../processors/simulator/simulate.ts';
import { createStorageClient } from '../../processors/storage/client.ts';
import { createPseudonymiser } from '../../schemas/pseudonymise.ts';
import { type Bench, percentile, round } from './common.ts';

const DB = 'alt';
const DDL = [
  `CREATE DATABASE IF NOT EXISTS ${DB}`,
  `CREATE TABLE ${DB}.settlements (
     setl_id String, event_id String, t DateTime64(3, 'Asia/Shanghai'), fixmedins_code LowCardinality(String),
     kind LowCardinality(String), psn String, med_type LowCardinality(String), medfee Float64, fund Float64,
     off UInt8, practitioner String
   ) ENGINE = MergeTree PARTITION BY toYYYYMM(t) ORDER BY (fixmedins_code, t)`,
  `CREATE TABLE ${DB}.inst_daily (fixmedins_code LowCardinality(String), day Date, n UInt64, fund Float64, off_n UInt64)
   ENGINE = SummingMergeTree ORDER BY (fixmedins_code, day)`,
  `CREATE MATERIALIZED VIEW ${DB}.inst_daily_mv TO ${DB}.inst_daily AS
   SELECT fixmedins_code, toDate(t, 'Asia/Shanghai') AS day, count() AS n, sum(fund) AS fund, sum(off) AS off_n
   FROM ${DB}.settlements GROUP BY fixmedins_code, day`,
  `CREATE TABLE ${DB}.person_day (psn String, day Date, fixmedins_code LowCardinality(String), kind LowCardinality(String), n UInt64)
   ENGINE = SummingMergeTree ORDER BY (day, psn, fixmedins_code, kind)`,
  `CREATE MATERIALIZED VIEW ${DB}.person_day_mv TO ${DB}.person_day AS
   SELECT psn, toDate(t, 'Asia/Shanghai') AS day, fixmedins_code, kind, count() AS n
   FROM ${DB}.settlements GROUP BY psn, day, fixmedins_code, kind`,
];

/** The scheduled evaluation: the three rules over the newest day (7 days for off-hours share). */
const RULES: Record<string, string> = {
  pharmacy_repeat_purchase: `SELECT fixmedins_code, psn, sum(n) AS purchases FROM ${DB}.person_day
    WHERE day >= {from:Date} AND day <= {day:Date} AND kind = 'pharmacy' GROUP BY day, fixmedins_code, psn HAVING purchases >= 4`,
  multi_institution_day: `SELECT psn, uniqExact(fixmedins_code) AS institutions FROM ${DB}.person_day
    WHERE day >= {from:Date} AND day <= {day:Date} GROUP BY day, psn HAVING institutions >= 5`,
  off_hours_share: `SELECT fixmedins_code, sum(off_n) / sum(n) AS share, sum(n) AS settlements FROM ${DB}.inst_daily
    WHERE day > {day:Date} - 7 AND day <= {day:Date} AND day >= {from:Date} - 6 GROUP BY fixmedins_code HAVING settlements >= 50 AND share >= 0.3`,
};

type Raw = {
  type: string;
  event_id: string;
  occurred_at: string;
  setl_id?: string;
  fixmedins_code?: string;
  psn_no?: string;
  med_type?: string;
  medfee_sumamt?: number;
  fund_pay_sumamt?: number;
  practitioner_code?: string;
  setl_time?: string;
  kind?: string;
};

export const clickhouseBench: Bench = {
  name: 'clickhouse',
  description: 'the alternative: raw settlements into chDB, materialized views and a scheduled rule query',
  async run(ctx) {
    const days = ctx.quick ? 10 : 60;
    const lines = [...createSimulation({ seed: 11, days, institutions: 400 }).lines()];
    const kinds = new Map<string, string>();
    const pseudonymise = createPseudonymiser('bench-pseudonym-key-0123456789');
    const dir = mkdtempSync(join(tmpdir(), 'bench-ch-'));
    const store = await createStorageClient({ YIBAO_DATA_DIR: dir } as never);
    try {
      for (const sql of DDL) await store.client.command({ query: sql });
      const BATCH = 10_000;
      let batch: Record<string, unknown>[] = [];
      let rows = 0;
      let insertMs = 0;
      let lastDay = '';
      let firstDay = '';
      const t0 = performance.now();
      const flush = async () => {
        if (batch.length === 0) return;
        const s = performance.now();
        await store.client.insert({ table: `${DB}.settlements`, values: batch, format: 'JSONEachRow' });
        insertMs += performance.now() - s;
        rows += batch.length;
        batch = [];
      };
      for (const l of lines) {
        const r = JSON.parse(l) as Raw;
        if (r.type === 'institution' && r.fixmedins_code && r.kind) kinds.set(r.fixmedins_code, r.kind);
        if (r.type !== 'settlement') continue;
        const at = r.setl_time ?? r.occurred_at;
        const hour = Number(at.slice(11, 13));
        lastDay = at.slice(0, 10);
        if (!firstDay) firstDay = lastDay;
        batch.push({
          setl_id: r.setl_id,
          event_id: r.event_id,
          t: at.slice(0, 19).replace('T', ' '),
          fixmedins_code: r.fixmedins_code,
          kind: kinds.get(r.fixmedins_code ?? '') ?? '',
          psn: pseudonymise(r.psn_no ?? ''),
          med_type: r.med_type,
          medfee: r.medfee_sumamt,
          fund: r.fund_pay_sumamt,
          off: hour >= 22 || hour < 6 ? 1 : 0,
          practitioner: r.practitioner_code ?? '',
        });
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      const wall = (performance.now() - t0) / 1000;
      ctx.report({
        name: 'ingest, insert calls only (raw table + 2 materialized views)',
        value: round(rows / (insertMs / 1000)),
        unit: 'rows/s',
        note: `${rows} settlements in batches of ${BATCH}, JSONEachRow through @clickhouse/client + chdb/connection`,
      });
      ctx.report({
        name: 'ingest, wall incl. parse + pseudonymise + row building',
        value: round(rows / wall),
        unit: 'rows/s',
      });
      // Sanity: over the whole feed, the rules find the injected patterns.
      for (const [rule, sql] of Object.entries(RULES)) {
        const res = await store.client.query({
          query: sql,
          format: 'JSONEachRow',
          query_params: { from: firstDay, day: lastDay },
        });
        ctx.log(`  ${rule}: ${((await res.json()) as unknown[]).length} hits over ${firstDay}..${lastDay}`);
      }
      // The scheduled query: each rule, several times, on the newest day.
      const times: Record<string, number[]> = {};
      let alerts = 0;
      for (let rep = 0; rep < 7; rep++) {
        for (const [rule, sql] of Object.entries(RULES)) {
          const s = performance.now();
          const res = await store.client.query({
            query: sql,
            format: 'JSONEachRow',
            query_params: { from: lastDay, day: lastDay },
          });
          const found = (await res.json()) as unknown[];
          (times[rule] ??= []).push(performance.now() - s);
          if (rep === 0) alerts += found.length;
        }
      }
      let totalMedian = 0;
      for (const [rule, ts] of Object.entries(times)) {
        const sorted = [...ts].sort((a, b) => a - b);
        const median = percentile(sorted, 50);
        totalMedian += median;
        ctx.report({
          name: `scheduled query time, ${rule}`,
          value: round(median, 1),
          unit: 'ms',
          note: `median of ${ts.length}`,
        });
      }
      ctx.report({
        name: 'scheduled evaluation, 3 rules',
        value: round(totalMedian, 1),
        unit: 'ms',
        note: `${alerts} hits`,
      });
      for (const interval of [60, 300]) {
        ctx.report({
          name: `delay until an alert could fire, scheduled every ${interval} s`,
          value: `mean ${round(interval / 2 + totalMedian / 1000, 1)} s, worst ${round(interval + totalMedian / 1000, 1)} s`,
          note: 'half / one interval of waiting plus the query; the data must also be flushed before the query sees it',
        });
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
