/**
 * Event time bounded at ingest (issue 16): a record from the future or the distant past is a dead
 * letter naming the bound, and never moves a watermark — the good records' outputs are those of
 * the clean feed.
 */
import { describe, expect, it } from 'vitest';
import type { Rejected } from '../../../processors/outputs.ts';
import { simulate } from '../../../processors/simulator/simulate.ts';
import { DEFAULT_EVENT_TIME_BOUNDS, outOfBounds } from '../../../processors/stages/event-time-bounds.ts';
import { replayed } from './replayed.ts';

const H = 3_600_000;
const t0 = Date.parse('2026-03-02T10:00:00+08:00');

describe('outOfBounds', () => {
  const b = DEFAULT_EVENT_TIME_BOUNDS;
  it('refuses a record before the floor, naming the floor and the setting', () => {
    const t = Date.parse('1999-12-31T23:59:59+08:00');
    expect(outOfBounds(b, t, '"1999-12-31T23:59:59+08:00"')).toBe(
      'occurred_at: "1999-12-31T23:59:59+08:00" is before the event-time floor: expected 2000-01-01T00:00:00+08:00 or later (YIBAO_EVENT_TIME_FLOOR)',
    );
    expect(outOfBounds(b, b.floorMs, '"floor"')).toBeUndefined(); // the floor itself is in
  });

  it('refuses more than the skew ahead of the wall clock, accepts the skew itself', () => {
    const live = { ...b, now: () => t0 };
    expect(outOfBounds(live, t0 + 10 * 60_000, '"+10 min"')).toBeUndefined();
    expect(outOfBounds(live, t0 + 10 * 60_000 + 1, '"+10 min 1 ms"')).toMatch(
      /^occurred_at: "\+10 min 1 ms" is 0.2 h ahead of the wall clock \(2026-03-02T10:00:00\+08:00\): expected at most 600 s ahead \(YIBAO_MAX_CLOCK_SKEW_SECONDS\)/,
    );
    // Days-long gaps are no bound: sparse inputs (supervision, an old registry) have them.
    expect(outOfBounds(live, t0 - 400 * 24 * H, '"old"')).toBeUndefined();
  });

  it('synthetic input (no clock) is bounded by the floor only', () => {
    expect(outOfBounds(b, Date.parse('2099-01-01T00:00:00+08:00'), '"2099"')).toBeUndefined();
    expect(
      outOfBounds({ ...b, now: () => undefined }, Date.parse('2099-01-01T00:00:00+08:00'), '"2099"'),
    ).toBeUndefined();
  });
});

const outputs = async (lines: readonly string[]) => replayed(lines);

describe('one record from the future or the past in a replayed feed', () => {
  it('is a dead letter and the other records give the clean feed’s outputs, none late', async () => {
    const clean: string[] = [];
    for await (const l of simulate({ seed: 5, days: 10, start: '2026-03-02', institutions: 150 }))
      clean.push(l);
    const settlement = clean.find((l) => l.includes('"type":"settlement"'))!;
    const future = settlement
      .replace(/"event_id":"[^"]+"/, '"event_id":"future-1"')
      .replace(/"setl_id":"[^"]+"/, '"setl_id":"future-1"')
      .replace(/"occurred_at":"[^"]+"/, '"occurred_at":"2099-01-01T00:00:00+08:00"');
    const ancient = future
      .replace('future-1', 'ancient-1')
      .replace('future-1', 'ancient-1')
      .replace('2099-01-01T00:00:00+08:00', '1990-01-01T00:00:00+08:00');
    const dirty = [...clean.slice(0, 883), future, ...clean.slice(883, 2000), ancient, ...clean.slice(2000)];

    const want = await outputs(clean);
    const got = await outputs(dirty);
    const rejected = got.out.filter((o): o is Rejected => o.kind === 'rejected');
    expect(rejected.map((r) => [r.line, r.path])).toEqual([
      [884, 'occurred_at'],
      [2002, 'occurred_at'],
    ]);
    expect(rejected[0]!.error).toMatch(
      /^occurred_at: "2099-01-01T00:00:00\+08:00" is .* ahead of the wall clock/,
    );
    expect(rejected[1]!.error).toMatch(/before the event-time floor/);
    expect(got.late).toBe(0);
    expect(want.out.filter((o) => o.kind === 'alert').length).toBeGreaterThan(3);
    expect(got.out.filter((o) => o.kind !== 'rejected')).toEqual(
      want.out.filter((o) => o.kind !== 'rejected'),
    );
  }, 120_000);
});
