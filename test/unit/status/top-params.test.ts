/**
 * Issue 16: `/top?limit=abc` answered 500 "Cannot serialize non-finite number NaN" and `limit=-1`
 * echoed ClickHouse's parse error. Parameters are checked now: 400 naming the parameter.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../processors/metrics.ts';
import { startStatusServer, topParams } from '../../../processors/status-server.ts';
import { freePort } from '../../support/ports.ts';

describe('/top parameters', () => {
  let server: Server;
  let port: number;
  const asked: number[] = [];
  beforeAll(async () => {
    port = await freePort();
    server = await startStatusServer(
      port,
      {
        status: () => ({}),
        ready: () => true,
        async query(path, params) {
          if (path !== '/top') return undefined;
          const { limit } = topParams(params); // as run.ts answers /top
          asked.push(limit);
          return { limit };
        },
      },
      createMetrics(),
    );
  });
  afterAll(() => server?.close());

  const get = async (q: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/top${q}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it.each(['abc', '-1', '0', '1.5', '1001', ''])('limit=%s is a 400 naming the parameter', async (v) => {
    const r = await get(`?limit=${v}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe(
      `limit=${JSON.stringify(v)} is invalid: expected a whole number from 1 to 1000`,
    );
  });

  it('a good limit, or none (10), is answered', async () => {
    expect(await get('?limit=25')).toEqual({ status: 200, body: { limit: 25 } });
    expect(await get('')).toEqual({ status: 200, body: { limit: 10 } });
    expect(asked).toEqual([25, 10]);
  });

  it('an unknown parameter is a 400 too', async () => {
    expect(await get('?limt=5')).toEqual({
      status: 400,
      body: { error: '/top has no parameter limt: expected only limit' },
    });
  });
});
