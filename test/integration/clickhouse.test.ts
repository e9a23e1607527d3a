// Decoded settlements into a MergeTree table through @clickhouse/client (JSONEachRow), aggregates
// read back and compared with the same aggregates computed in JS: on chDB, and on a server when
// a Docker engine is reachable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecoder } from '../../schemas/decode.ts';
import { createTestClickHouse, type TestClickHouse } from '../support/clickhouse.ts';
import { describeWithDocker } from '../support/docker.ts';
import { generateSettlements, toFen } from '../support/settlements.ts';

const RECORDS = 10_000;
const INSERT_BATCH = 2_500;
const TABLE = 'settlements_it';

interface Row {
  event_id: string;
  setl_id: string;
  fixmedins_code: string;
  psn_token: string;
  setl_time: string;
  medfee_sumamt: number;
  fund_pay_sumamt: number;
}

/** Decoded rows as the monitor would store them: the pseudonym token, never the clear psn_no. */
function decodedRows(): Row[] {
  const decode = createDecoder({ pseudonymKey: 'integration-test-pseudonym-key' });
  return generateSettlements(RECORDS).map((g) => {
    const r = decode(g.json);
    if (!r.ok) throw new Error(`generated record ${g.seq} rejected: ${r.error.message}`);
    if (r.event.type !== 'settlement') throw new Error(`generated record ${g.seq} is ${r.event.type}`);
    const e = r.event;
    return {
      event_id: e.event_id,
      setl_id: e.setl_id,
      fixmedins_code: e.fixmedins_code,
      psn_token: e.psn_no,
      setl_time: e.setl_time,
      medfee_sumamt: e.medfee_sumamt,
      fund_pay_sumamt: e.fund_pay_sumamt,
    };
  });
}

/** Epoch ms → `YYYY-MM-DD hh:mm:ss` in China time, as toString(DateTime(…, 'Asia/Shanghai')) prints it. */
function shanghai(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function clickhouseRoundTrip(kind: 'chdb' | 'server') {
  let ch: TestClickHouse;
  const rows = decodedRows();

  beforeAll(async () => {
    ch = await createTestClickHouse({ kind });
    process.stderr.write(`clickhouse.test: ${ch.kind} ${ch.version}\n`);
    await ch.client.command({ query: `DROP TABLE IF EXISTS ${TABLE}` });
    await ch.client.command({
      query: `CREATE TABLE ${TABLE} (
        event_id String,
        setl_id String,
        fixmedins_code LowCardinality(String),
        psn_token String,
        setl_time DateTime64(3, 'Asia/Shanghai'),
        medfee_sumamt Decimal(18, 2),
        fund_pay_sumamt Decimal(18, 2)
      ) ENGINE = MergeTree ORDER BY (fixmedins_code, setl_time, event_id)`,
    });
  }, 180_000);

  afterAll(async () => {
    if (!ch) return;
    try {
      await ch.client.command({ query: `DROP TABLE IF EXISTS ${TABLE}` });
    } finally {
      await ch.close();
    }
  });

  it('10,000 settlements inserted as JSONEachRow read back with the count, sums and time range computed in JS', async () => {
    for (let i = 0; i < rows.length; i += INSERT_BATCH) {
      await ch.client.insert({
        table: TABLE,
        values: rows.slice(i, i + INSERT_BATCH),
        format: 'JSONEachRow',
        // RFC 3339 with +08:00 offsets, as the records carry them.
        clickhouse_settings: { date_time_input_format: 'best_effort' },
      });
    }
    const rs = await ch.client.query({
      query: `SELECT count() AS n, uniqExact(event_id) AS ids, uniqExact(psn_token) AS persons,
                     toInt64(sum(fund_pay_sumamt) * 100) AS fund_fen,
                     toInt64(sum(medfee_sumamt) * 100) AS medfee_fen,
                     toString(toDateTime(min(setl_time), 'Asia/Shanghai')) AS first,
                     toString(toDateTime(max(setl_time), 'Asia/Shanghai')) AS last
              FROM ${TABLE}`,
      format: 'JSONEachRow',
    });
    const [got] = await rs.json<Record<string, string | number>>();
    const times = rows.map((r) => Date.parse(r.setl_time));
    expect({
      n: Number(got?.n),
      ids: Number(got?.ids),
      persons: Number(got?.persons),
      fund_fen: Number(got?.fund_fen),
      medfee_fen: Number(got?.medfee_fen),
      first: got?.first,
      last: got?.last,
    }).toEqual({
      n: RECORDS,
      ids: RECORDS,
      persons: RECORDS,
      fund_fen: rows.reduce((s, r) => s + toFen(r.fund_pay_sumamt), 0),
      medfee_fen: rows.reduce((s, r) => s + toFen(r.medfee_sumamt), 0),
      first: shanghai(Math.min(...times)),
      last: shanghai(Math.max(...times)),
    });
  });

  it('per-institution counts and fund sums grouped in SQL equal those grouped in JS', async () => {
    const rs = await ch.client.query({
      query: `SELECT fixmedins_code, count() AS n, toInt64(sum(fund_pay_sumamt) * 100) AS fund_fen
              FROM ${TABLE} GROUP BY fixmedins_code ORDER BY fixmedins_code`,
      format: 'JSONEachRow',
    });
    const got = (
      await rs.json<{ fixmedins_code: string; n: string | number; fund_fen: string | number }>()
    ).map((r) => ({ code: r.fixmedins_code, n: Number(r.n), fundFen: Number(r.fund_fen) }));
    const expected = new Map<string, { code: string; n: number; fundFen: number }>();
    for (const r of rows) {
      const e = expected.get(r.fixmedins_code) ?? { code: r.fixmedins_code, n: 0, fundFen: 0 };
      e.n += 1;
      e.fundFen += toFen(r.fund_pay_sumamt);
      expected.set(r.fixmedins_code, e);
    }
    expect(got).toHaveLength(24);
    expect(got).toEqual([...expected.values()].sort((a, b) => a.code.localeCompare(b.code)));
  });

  it('a bound query parameter selects one institution and one settlement exactly', async () => {
    const target = rows[4_321]!;
    const rs = await ch.client.query({
      query: `SELECT setl_id, psn_token, toInt64(fund_pay_sumamt * 100) AS fund_fen FROM ${TABLE}
              WHERE fixmedins_code = {code:String} AND event_id = {id:String}`,
      query_params: { code: target.fixmedins_code, id: target.event_id },
      format: 'JSONEachRow',
    });
    const got = await rs.json<{ setl_id: string; psn_token: string; fund_fen: string | number }>();
    expect(got.map((r) => ({ ...r, fund_fen: Number(r.fund_fen) }))).toEqual([
      { setl_id: target.setl_id, psn_token: target.psn_token, fund_fen: toFen(target.fund_pay_sumamt) },
    ]);
  });
}

describe('settlements in ClickHouse through chDB', () => clickhouseRoundTrip('chdb'));

await describeWithDocker('settlements in ClickHouse on a server in a container', () =>
  clickhouseRoundTrip('server'),
);
