import { describe, expect, it } from 'vitest';
import { classifyInsertError, createSink } from '../../../processors/storage/clickhouse-sink.ts';
import { MonitorError } from '../../../schemas/errors.ts';
import {
  ALERT,
  CHAIN,
  INSPECTION,
  LEVEL_CHANGE,
  METRIC,
  REJECTED,
  SNAPSHOT,
  STANDING_RECORD,
} from './fixtures.ts';

/** What ClickHouse (server or chDB, through clickhouse-js) throws: a code and a type. */
function clickhouseError(code: string, type: string, message: string): Error {
  return Object.assign(new Error(message), { code, type });
}

describe('ClickHouse sink over a fake insert', () => {
  it('maps each output to its table and sends one batch per table on flush', async () => {
    const inserts: { table: string; rows: object[] }[] = [];
    const sink = createSink(
      async (table, rows) => {
        inserts.push({ table, rows: [...rows] });
      },
      { now: () => Date.parse('2025-05-01T00:00:00Z') },
    );
    await sink.write([
      ALERT,
      LEVEL_CHANGE,
      STANDING_RECORD,
      { kind: 'chain_change', at: '2025-05-01T08:00:00+08:00', status: CHAIN, previous: [] },
      INSPECTION,
      SNAPSHOT,
      REJECTED,
      METRIC,
      {
        kind: 'policy_expired',
        pack: 'xinjiang',
        at: '2025-05-01T00:00:00Z',
        last_day: '2025-04-30',
        article: '第四十条',
      },
      { ...ALERT, alert_id: 'alert-2' },
    ]);
    expect(inserts).toEqual([]);
    await sink.flush();
    expect(Object.fromEntries(inserts.map((i) => [i.table, i.rows.length]))).toEqual({
      alerts: 2,
      level_changes: 1,
      standings_current: 1,
      chain_status: 1,
      inspection_tasks: 1,
      indicator_snapshots: 1,
      dead_letters: 1,
      pipeline_metrics: 1,
    });
    expect(inserts.find((i) => i.table === 'dead_letters')?.rows[0]).toMatchObject({
      received_at: '2025-05-01 08:00:00.000',
    });
    expect(sink.stats()).toMatchObject({ skipped_records: 1, batches: 8, rows_written: { alerts: 2 } });
    await sink.close();
  });

  it('a table ClickHouse does not have is a start-up mistake, not a retry: it says to run migrate', async () => {
    const sink = createSink(async () => {
      throw clickhouseError('60', 'UNKNOWN_TABLE', 'Table yibao.alerts does not exist');
    });
    await sink.write([ALERT]);
    const err = await sink.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MonitorError);
    expect((err as MonitorError).code).toBe('CONFIG_MISSING');
    expect((err as Error).message).toBe(
      'ClickHouse has no table for alerts (Table yibao.alerts does not exist): run `yibao-monitor migrate` on this store first',
    );
  });
});

describe('classifyInsertError', () => {
  it('network trouble and overload codes are retriable SINK_UNAVAILABLE', () => {
    for (const err of [
      new Error('connect ECONNREFUSED 127.0.0.1:8123'),
      clickhouseError('252', 'TOO_MANY_PARTS', 'Too many parts'),
      clickhouseError('159', 'TIMEOUT_EXCEEDED', 'Timeout exceeded'),
    ]) {
      const e = classifyInsertError(err, 'alerts', 10);
      expect([e.code, e.retriable]).toEqual(['SINK_UNAVAILABLE', true]);
      expect(e.message).toBe(`ClickHouse did not take 10 rows for alerts: ${err.message}`);
      expect(e.cause).toBe(err);
    }
  });

  it('a refusal of the data (a parse error) is INTERNAL and not retried', () => {
    const e = classifyInsertError(
      clickhouseError('27', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', 'Cannot parse input'),
      'level_changes',
      3,
    );
    expect([e.code, e.retriable]).toEqual(['INTERNAL', false]);
    expect(e.message).toBe('ClickHouse refused 3 rows for level_changes (code 27): Cannot parse input');
    expect(e.context).toMatchObject({ table: 'level_changes', rows: 3, clickhouse_code: '27' });
  });

  it('a MonitorError keeps its own code', () => {
    const original = new MonitorError('SINK_UNAVAILABLE', 'x');
    expect(classifyInsertError(original, 'alerts', 1)).toBe(original);
  });
});
