import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  compileRetryPolicy,
  DEFAULT_RETRY,
  isRetriableNatsError,
} from '../../../processors/alerting/retry.ts';
import { isMonitorError } from '../../../schemas/errors.ts';

const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name }, extra);

describe('retry with backoff', () => {
  it('doubles from the initial delay up to the cap; jitter stays within its share', () => {
    const p = compileRetryPolicy({ initialMs: 100, maxMs: 1_000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(p, n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    const j = compileRetryPolicy({ initialMs: 1_000, maxMs: 60_000, jitter: 0.2 });
    expect(backoffDelay(j, 1, () => 0)).toBe(800);
    expect(backoffDelay(j, 1, () => 1)).toBe(1_200);
  });

  it('a bad policy is refused at start-up, naming the field and what was expected', () => {
    for (const [p, msg] of [
      [{ initialMs: 0 }, 'retry.initialMs is 0: expected a number of milliseconds > 0'],
      [
        { initialMs: 500, maxMs: 100 },
        'retry.maxMs is 100: expected a number of milliseconds ≥ initialMs (500)',
      ],
      [{ jitter: 1 }, 'retry.jitter is 1: expected a share in [0, 1)'],
      [{ maxAttempts: 0 }, 'retry.maxAttempts is 0: expected at least 1 (Infinity to retry until stopped)'],
    ] as const) {
      try {
        compileRetryPolicy(p);
        expect.unreachable();
      } catch (err) {
        expect(isMonitorError(err, 'CONFIG_INVALID')).toBe(true);
        expect((err as Error).message).toBe(msg);
      }
    }
    expect(compileRetryPolicy()).toEqual(DEFAULT_RETRY);
  });

  it('NATS timeouts, missing responders and connection trouble are retried; a closed connection is not', () => {
    expect(isRetriableNatsError(named('TimeoutError'))).toBe(true);
    expect(isRetriableNatsError(named('JetStreamNotEnabled'))).toBe(true);
    expect(isRetriableNatsError(named('ConnectionError'))).toBe(true);
    expect(isRetriableNatsError(named('JetStreamApiError', { status: 503 }))).toBe(true);
    expect(isRetriableNatsError(named('JetStreamApiError', { status: 400 }))).toBe(false);
    expect(isRetriableNatsError(named('ClosedConnectionError'))).toBe(false);
    expect(isRetriableNatsError(named('DrainingConnectionError'))).toBe(false);
    expect(isRetriableNatsError(new TypeError('x'))).toBe(false);
    expect(isRetriableNatsError('TimeoutError')).toBe(false);
  });
});
