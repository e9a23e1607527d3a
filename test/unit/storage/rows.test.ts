import { describe, expect, it } from 'vitest';
import { stableId } from '../../../processors/ids.ts';
import {
  alertRow,
  chainStatusRow,
  chinaDateTime,
  deadLetterRow,
  indicatorSnapshotRow,
  inspectionTaskRow,
  levelChangeRow,
  pipelineMetricRow,
  standingRow,
  toTableRow,
} from '../../../processors/storage/rows.ts';
import { MonitorError } from '../../../schemas/errors.ts';
import {
  ALERT,
  CHAIN,
  DEAD_LETTER,
  INSPECTION,
  LEVEL_CHANGE,
  METRIC,
  REJECTED,
  SNAPSHOT,
  STANDING,
  STANDING_RECORD,
} from './fixtures.ts';

describe('chinaDateTime', () => {
  it('writes any offset as China wall-clock time with milliseconds', () => {
    expect(chinaDateTime('2025-03-04T01:15:30Z')).toBe('2025-03-04 09:15:30.000');
    expect(chinaDateTime('2025-03-04T09:15:30.250+08:00')).toBe('2025-03-04 09:15:30.250');
    expect(chinaDateTime('2024-12-31T16:00:00-00:00')).toBe('2025-01-01 00:00:00.000');
    expect(chinaDateTime(0)).toBe('1970-01-01 08:00:00.000');
  });

  it('refuses a value that is not a timestamp, naming the field and the value', () => {
    const err = (() => {
      try {
        chinaDateTime('yesterday', 'alert.raised_at');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MonitorError);
    expect((err as MonitorError).code).toBe('INTERNAL');
    expect((err as Error).message).toBe(
      'alert.raised_at="yesterday" is not a timestamp: expected RFC 3339 with offset',
    );
  });
});

describe('row mappers', () => {
  it('an alert keeps every field, with reasons and explanation as JSON text', () => {
    expect(alertRow(ALERT)).toEqual({
      alert_id: 'alert-abc',
      rule: 'jiangsu.general_warning',
      severity: 'general',
      title: '信用风险预警：未达失信认定标准的违规行为',
      subject_kind: 'institution',
      subject_code: 'H32010200001',
      division: '320102',
      pack: 'jiangsu',
      raised_at: '2025-03-04 09:15:30.250',
      status: 'firing',
      reasons: '[{"rule":"jiangsu.general_warning","article":"第三条","event_id":"ev-1"}]',
      explanation: '{"indicator":"fund_pay_30d","value":120000.5,"threshold":100000,"window":"30d"}',
      evidence: ['ev-1', 'ev-2'],
    });
  });

  it('an alert without division, pack, explanation or evidence gets empty values, not NULLs', () => {
    const row = alertRow({
      ...ALERT,
      division: null,
      pack: null,
      explanation: undefined,
      evidence: undefined,
      subject_kind: 'pack',
    });
    expect(row).toMatchObject({
      division: '',
      pack: '',
      explanation: '{}',
      evidence: [],
      subject_kind: 'pack',
    });
  });

  it('a level change gets a change id from subject, pack, instant and new level', () => {
    const row = levelChangeRow(LEVEL_CHANGE);
    expect(row).toEqual({
      change_id: stableId(
        'change',
        'institution',
        'H32010200001',
        'jiangsu',
        Date.parse(LEVEL_CHANGE.at),
        'severe',
      ),
      subject_kind: 'institution',
      subject_code: 'H32010200001',
      pack: 'jiangsu',
      division: '320102',
      scale: 'dishonesty',
      at: '2025-03-04 09:15:30.000',
      from: 'none',
      to: 'severe',
      score: null,
      reasons: '[{"rule":"jiangsu.severe","article":"第十三条(一)","event_id":"ev-9"}]',
      event_id: 'ev-9',
    });
  });

  it('the change id does not depend on how the instant is written, and differs by new level', () => {
    const a = levelChangeRow(LEVEL_CHANGE).change_id;
    expect(levelChangeRow({ ...LEVEL_CHANGE, at: '2025-03-04T09:15:30.000+08:00' }).change_id).toBe(a);
    expect(levelChangeRow({ ...LEVEL_CHANGE, reasons: [] }).change_id).toBe(a);
    expect(levelChangeRow({ ...LEVEL_CHANGE, to: 'general' }).change_id).not.toBe(a);
  });

  it('a first level (from null), a score and a time-driven change (no event) map to "", the score and ""', () => {
    const row = levelChangeRow({ ...LEVEL_CHANGE, from: null, score: 71, event_id: undefined });
    expect(row).toMatchObject({ from: '', score: 71, event_id: '' });
  });

  it('a standing keeps every field and is versioned by its as_of in epoch milliseconds', () => {
    expect(standingRow(STANDING_RECORD)).toEqual({
      subject_kind: 'practitioner',
      subject_code: 'D51010200000123',
      pack: 'sichuan',
      division: '510102',
      period: 2025,
      evaluated: true,
      excluded_reason: '',
      scale: 'level',
      level: 'minor',
      score: 92.5,
      policy_in_force: true,
      as_of: '2025-06-30 23:59:59.999',
      reasons: '[{"rule":"sichuan.minor","article":"第二十六条"}]',
      version: Date.parse('2025-06-30T23:59:59.999+08:00'),
    });
  });

  it('a standing not evaluated keeps its reason; an explicit version wins over as_of', () => {
    const row = standingRow({
      kind: 'standing',
      version: 7,
      standing: {
        ...STANDING,
        evaluated: false,
        excluded_reason: '第十九条(一)',
        scale: null,
        level: null,
        score: undefined,
        pack: null,
        division: null,
      },
    });
    expect(row).toMatchObject({
      evaluated: false,
      excluded_reason: '第十九条(一)',
      scale: '',
      level: '',
      score: null,
      pack: '',
      division: '',
      version: 7,
    });
  });

  it('a chain status keeps counts, share and triggers, and leaves the articles to the pack', () => {
    expect(chainStatusRow('2025-05-01T08:00:00+08:00', CHAIN)).toEqual({
      chain_id: 'chain-7',
      pack: 'sichuan',
      at: '2025-05-01 08:00:00.000',
      branches: 25,
      evaluated_branches: 20,
      at_or_below_d: 4,
      share: 0.2,
      triggers: ['sichuan.chain_20pct'],
    });
  });

  it('an inspection task keeps every field; no detail is ""', () => {
    expect(inspectionTaskRow(INSPECTION)).toEqual({
      task_id: 'task-1',
      subject_kind: 'institution',
      subject_code: 'P51010200007',
      division: '510102',
      pack: 'sichuan',
      reason_rule: 'sichuan.chain_20pct',
      basis: '四川 第三十四条(七)',
      created_at: '2025-05-01 08:00:00.000',
      detail: '',
    });
    expect(inspectionTaskRow({ ...INSPECTION, detail: '3 of 20' }).detail).toBe('3 of 20');
  });

  it('an indicator snapshot puts the institution kind in column kind', () => {
    expect(indicatorSnapshotRow(SNAPSHOT)).toEqual({
      at: '2025-05-01 10:00:00.000',
      subject_kind: 'institution',
      subject_code: 'H32010200001',
      division: '320102',
      kind: 'hospital',
      indicator: 'fund_pay_sum',
      window: '30d',
      value: 1234.56,
    });
  });

  it('a bare rejected output takes the sink clock, its origin as source, and -1 for partition and offset', () => {
    expect(deadLetterRow(REJECTED, '2025-05-01T02:00:00Z')).toEqual({
      received_at: '2025-05-01 10:00:00.000',
      source: 'file:feed.ndjson',
      topic: '',
      partition: -1,
      offset: '-1',
      line: 17,
      raw: '{"type":"settlement"',
      raw_bytes: 0,
      raw_sha256: '',
      error: 'line 17: not JSON',
      path: '',
    });
    expect(deadLetterRow({ ...REJECTED, raw_bytes: 70_000, raw_sha256: 'ab'.repeat(32) }, 0)).toMatchObject({
      raw_bytes: 70_000,
      raw_sha256: 'ab'.repeat(32),
    });
    expect(deadLetterRow({ ...REJECTED, origin: undefined, line: undefined }, 0)).toMatchObject({
      source: 'input',
      line: 0,
    });
  });

  it('a dead letter from Kafka keeps its own arrival time and a 64-bit offset exactly', () => {
    expect(deadLetterRow(DEAD_LETTER, '2030-01-01T00:00:00Z')).toEqual({
      received_at: '2025-05-01 08:00:00.000',
      source: 'kafka',
      topic: 'settlements',
      partition: 3,
      offset: '9007199254740993',
      line: 0,
      raw: '{}',
      raw_bytes: 0,
      raw_sha256: '',
      error: 'type: expected one of …',
      path: 'type',
    });
  });

  it('a pipeline metric keeps stage, metric and value', () => {
    expect(pipelineMetricRow(METRIC)).toEqual({
      at: '2025-05-01 10:00:00.000',
      stage: 'institution',
      metric: 'records_per_second',
      value: 850,
    });
  });
});

describe('toTableRow', () => {
  const at = '2025-05-01T00:00:00Z';

  it('sends each record kind to its table', () => {
    const tables = [
      ALERT,
      LEVEL_CHANGE,
      STANDING_RECORD,
      { kind: 'chain_change' as const, at, status: CHAIN, previous: [] },
      { kind: 'chain_status' as const, at, status: CHAIN },
      INSPECTION,
      SNAPSHOT,
      REJECTED,
      DEAD_LETTER,
      METRIC,
    ].map((r) => toTableRow(r, at)?.table);
    expect(tables).toEqual([
      'alerts',
      'level_changes',
      'standings_current',
      'chain_status',
      'chain_status',
      'inspection_tasks',
      'indicator_snapshots',
      'dead_letters',
      'dead_letters',
      'pipeline_metrics',
    ]);
  });

  it('pack expiries and credit notices have no table: they are stored as the alerts made of them', () => {
    expect(
      toTableRow(
        { kind: 'policy_expired', pack: 'xinjiang', at, last_day: '2025-04-30', article: '第四十条' },
        at,
      ),
    ).toBeUndefined();
    expect(
      toTableRow(
        {
          kind: 'credit_notice',
          notice: 'warning',
          subject_kind: 'institution',
          subject_code: 'H32010200001',
          pack: 'jiangsu',
          division: '320102',
          at,
          reason: { rule: 'r' },
        },
        at,
      ),
    ).toBeUndefined();
  });
});
