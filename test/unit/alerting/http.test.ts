import { describe, expect, it } from 'vitest';
import { deliver, interpretStatus, parseRetryAfter } from '../../../processors/alerting/channels/http.ts';
import { webhookChannel } from '../../../processors/alerting/channels/webhook.ts';
import { alert } from './fixtures.ts';

const NOW = Date.parse('2025-03-04T02:00:00Z');

describe('HTTP answers', () => {
  it('Retry-After in seconds or as an HTTP date', () => {
    expect(parseRetryAfter('30', NOW)).toBe(30_000);
    expect(parseRetryAfter('Tue, 04 Mar 2025 02:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
  });

  it('429 is retried after Retry-After; 408 and 5xx are retried; other 4xx are not; 2xx goes to the channel', () => {
    const r = (status: number, retryAfter: string | null = null) =>
      interpretStatus({ status, retryAfter, body: '' }, NOW);
    expect(r(429, '7')).toEqual({ ok: false, retriable: true, retryAfterMs: 7_000, reason: 'HTTP 429' });
    expect(r(429)).toEqual({ ok: false, retriable: true, reason: 'HTTP 429' });
    expect(r(408)).toMatchObject({ retriable: true });
    expect(r(500)).toMatchObject({ retriable: true });
    expect(r(502)).toMatchObject({ retriable: true });
    expect(r(404)).toMatchObject({ retriable: false });
    expect(r(200)).toBeUndefined();
  });

  it('a network error is retriable, with its cause', async () => {
    const ch = webhookChannel('ops', 'http://127.0.0.1:1/', { receiver: 'ops' });
    const failing = (async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }) as unknown as typeof fetch;
    expect(await deliver(ch, [alert()], 'single', NOW, { fetch: failing })).toEqual({
      ok: false,
      retriable: true,
      reason: 'TypeError: fetch failed (ECONNREFUSED)',
    });
  });
});
