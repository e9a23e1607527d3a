import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../processors/alerting/clock.ts';
import { TokenBucket } from '../../../processors/alerting/rate-limit.ts';

describe('token bucket (20 a minute per robot)', () => {
  it('20 at once, then nothing until the first token spent is a minute old', () => {
    const clock = new ManualClock(0);
    const b = TokenBucket.perMinute(20, clock);
    expect(b.available()).toBe(20);
    for (let i = 0; i < 20; i++) expect(b.tryTake()).toBe(true);
    expect(b.tryTake()).toBe(false);
    expect(b.msUntilAvailable()).toBe(60_000);
    clock.advance(59_999);
    expect(b.available()).toBe(0);
    clock.advance(1);
    expect(b.available()).toBe(20);
  });

  it('never more than 20 in any 60-second window, however the sends are spread', () => {
    const clock = new ManualClock(0);
    const b = TokenBucket.perMinute(20, clock);
    const sent: number[] = [];
    for (let t = 0; t < 300_000; t += 700) {
      clock.advance(t === 0 ? 0 : 700);
      if (b.tryTake()) sent.push(clock.now());
    }
    for (const start of sent)
      expect(sent.filter((s) => s >= start && s < start + 60_000).length).toBeLessThanOrEqual(20);
    expect(sent.length).toBeGreaterThanOrEqual(80); // 20 per minute over 5 minutes, no fewer
  });

  it('take() waits on the clock for the next token, and gives up when aborted', async () => {
    const clock = new ManualClock(0);
    const b = new TokenBucket(1, 1_000, clock);
    expect(await b.take()).toBe(true);
    const waiting = b.take();
    await Promise.resolve();
    expect(clock.sleeping).toBe(1);
    clock.advance(1_000);
    expect(await waiting).toBe(true);
    const ctl = new AbortController();
    const aborted = b.take(ctl.signal);
    ctl.abort();
    expect(await aborted).toBe(false);
  });

  it('a robot saying "too fast" blocks every token for as long as it asks', () => {
    const clock = new ManualClock(0);
    const b = TokenBucket.perMinute(20, clock);
    b.blockFor(600_000);
    expect(b.available()).toBe(0);
    expect(b.msUntilAvailable()).toBe(600_000);
    clock.advance(600_000);
    expect(b.available()).toBe(20);
  });
});
