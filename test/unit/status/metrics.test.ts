/**
 * Each monitor's registry has prom-client's default process and Node metrics of its own, so two
 * monitors in one process (the tests run several) register nothing twice; the gauges the status
 * line also shows are read at each scrape; the sink latency is observed once per batch.
 */
import { describe, expect, it } from 'vitest';
import { batchSinkLatency, createMetrics } from '../../../processors/metrics.ts';

const value = async (m: ReturnType<typeof createMetrics>, name: string) =>
  (await m.registry.getSingleMetric(name)!.get()).values;

describe('createMetrics', () => {
  it('twice in one process: each registry has the default process and Node metrics, no duplicate error', async () => {
    const a = createMetrics();
    const b = createMetrics();
    for (const m of [a, b]) {
      const text = await m.registry.metrics();
      expect(text).toMatch(/^process_cpu_seconds_total \d/m);
      expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
      expect(text).toMatch(/^yibao_event_time_seconds 0$/m);
    }
  });

  it('lag, event time, unconfirmed rows and checkpoint time are read at each scrape', async () => {
    const m = createMetrics();
    let lag: Record<string, number> = { 'events/0': 5, 'events/1': 7 };
    let at: string | null = null;
    m.follow({
      lag: () => lag,
      eventTime: () => at,
      sinks: () => ({ clickhouse: { unconfirmed: 42, bound: 100 } }),
      checkpointAt: () => ({ institution: 1_700_000_000_000 }),
    });
    expect((await value(m, 'yibao_event_time_seconds'))[0]!.value).toBe(0);
    at = '2026-12-07T08:00:00.000+08:00';
    lag = { 'events/1': 3 }; // events/0 went to another process
    expect((await value(m, 'yibao_event_time_seconds'))[0]!.value).toBe(Date.parse(at) / 1000);
    expect((await value(m, 'yibao_consumer_lag')).map((v) => [v.labels.source, v.value])).toEqual([
      ['events/1', 3],
    ]);
    expect((await value(m, 'yibao_sink_unconfirmed_rows'))[0]).toMatchObject({ value: 42 });
    expect((await value(m, 'yibao_sink_max_buffered_rows'))[0]).toMatchObject({ value: 100 });
    expect((await value(m, 'yibao_checkpoint_last_saved_timestamp_seconds'))[0]).toMatchObject({
      labels: { stage: 'institution' },
      value: 1_700_000_000,
    });
  });

  it('the sink latency: the writes of one batch summed, one observation per sink', async () => {
    const m = createMetrics();
    const batch = batchSinkLatency(m);
    for (let i = 0; i < 5; i++) batch.onWrite('clickhouse', 0.01);
    batch.onWrite('alert_file', 0.002);
    batch.endBatch();
    batch.endBatch(); // nothing written since: nothing observed
    const values = await value(m, 'yibao_sink_latency_seconds');
    const count = (sink: string) =>
      values.find(
        (v) =>
          (v as { metricName?: string }).metricName === 'yibao_sink_latency_seconds_count' &&
          v.labels.sink === sink,
      )?.value;
    const sum = (sink: string) =>
      values.find(
        (v) =>
          (v as { metricName?: string }).metricName === 'yibao_sink_latency_seconds_sum' &&
          v.labels.sink === sink,
      )?.value;
    expect(count('clickhouse')).toBe(1);
    expect(sum('clickhouse')).toBeCloseTo(0.05, 9);
    expect(count('alert_file')).toBe(1);
  });
});
