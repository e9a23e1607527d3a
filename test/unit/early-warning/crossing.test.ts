/**
 * Crossing-event rules (issue 14 item 3; README "When each rule fires"): the alert is raised by
 * the record that takes the indicator over its threshold, stamped with that record's event time,
 * as soon as the watermark passes it — not at the next hour or five-minute boundary.
 */
import { describe, expect, it } from 'vitest';
import type { Alert, TopologyOutput } from '../../../processors/outputs.ts';
import { createTopology } from '../../../processors/topology.ts';
import { compileThresholds } from '../../../rules/early-warning/thresholds.ts';
import { compilePacks } from '../../../rules/packs/index.ts';
import { settlement } from '../../support/records.ts';
import { firing, KEY, run } from './harness.ts';

const LATENESS = 60_000;
const t0 = Date.parse('2026-03-03T00:00:00+08:00');
const iso = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00');

/** Feeds records one at a time; returns the alerts each record's processing gave. */
function feed(records: readonly Record<string, unknown>[]): Alert[][] {
  const topology = createTopology({
    pseudonymKey: KEY,
    packs: compilePacks(),
    thresholds: compileThresholds(),
    allowedLatenessMs: LATENESS,
  });
  const alerts = (out: TopologyOutput[]) => out.filter((o): o is Alert => o.kind === 'alert');
  return records.map((r) => alerts(topology.process(JSON.stringify(r))));
}

describe('multi_institution_day fires on the fifth institution', () => {
  // 08:07:13, 08:51:13, … not on any boundary; the fifth at 10:03:13.
  const times = [0, 44, 66, 88, 116].map((m) => t0 + 8 * 3_600_000 + 7 * 60_000 + 13_000 + m * 60_000);
  const visits = times.map((t, i) =>
    settlement({ inst: `H5101070010${i}`, psn: '510107199202020022', time: iso(t) }),
  );

  it('is stamped with the fifth visit and raised once the watermark passes it, before 11:00', () => {
    // Another person's settlement 61 s after the fifth visit moves the watermark past it.
    const nudge = settlement({
      inst: 'H51010700099',
      psn: '510107199909090099',
      time: iso(times[4]! + 61_000),
    });
    const perRecord = feed([...visits, nudge]);
    const raised = perRecord
      .flatMap((a, i) => a.map((x) => ({ x, i })))
      .filter(({ x }) => x.rule === 'multi_institution_day');
    expect(raised).toHaveLength(1);
    expect(raised[0]!.i).toBe(5); // by the nudge, the first record past the lateness
    expect(Date.parse(raised[0]!.x.raised_at)).toBe(times[4]);
    expect(raised[0]!.x.explanation).toMatchObject({ value: 5, threshold: 5 });
  });

  it('four visits within lateness of the boundary still wait for the fifth (no alert on four)', () => {
    expect(firing(run(visits.slice(0, 4)).alerts, 'multi_institution_day')).toHaveLength(0);
  });
});

describe('practitioner_throughput counts a sliding hour, not 5-minute buckets', () => {
  // 30 settlements from 10:03:00, every 2 minutes 2 s: the 30th at 11:01:58, all within an hour
  // of each other but spread over 13 five-minute buckets — the old bucketed count saw 29 at most.
  const times = Array.from({ length: 30 }, (_, i) => t0 + 10 * 3_600_000 + 3 * 60_000 + i * 122_000);
  const hour = times.map((t, i) =>
    settlement({
      inst: 'H51010700001',
      psn: `51010719650101${String(i).padStart(4, '0')}`,
      practitioner: 'D5101070000123',
      time: iso(t),
    }),
  );

  it('raises the alert at the 30th settlement, stamped with its time', () => {
    const a = firing(run(hour).alerts, 'practitioner_throughput');
    expect(a).toHaveLength(1);
    expect(Date.parse(a[0]!.raised_at)).toBe(times[29]);
    expect(a[0]!.explanation).toMatchObject({ value: 30, threshold: 30, window: '1h' });
  });

  it('29 within the hour do not (the first one is more than an hour before the 30th)', () => {
    const spread = [...hour];
    spread[0] = settlement({
      inst: 'H51010700001',
      psn: '510107196501010000',
      practitioner: 'D5101070000123',
      time: iso(times[29]! - 3_600_000),
    });
    expect(firing(run(spread).alerts, 'practitioner_throughput')).toHaveLength(0);
  });
});

describe('pharmacy_repeat_purchase fires on the fourth purchase', () => {
  it('is stamped with the fourth purchase', () => {
    const times = [0, 1, 2, 3].map((h) => t0 + (9 + h) * 3_600_000 + 17 * 60_000 + 41_000);
    const buys = times.map((t) =>
      settlement({ inst: 'P51010700201', psn: '510107199303030033', time: iso(t), fund: 40 }),
    );
    const a = firing(run(buys).alerts, 'pharmacy_repeat_purchase');
    expect(a).toHaveLength(1);
    expect(Date.parse(a[0]!.raised_at)).toBe(times[3]);
  });
});
