/**
 * The process's HTTP face: /status (JSON summary for `yibao-monitor top` and `run --json`),
 * /metrics (Prometheus), /healthz (alive) and /readyz (sources and sinks open). Commands that
 * read the live embedded store ask here, since chDB locks its directory (ARCHITECTURE.md).
 */
import { createServer, type Server } from 'node:http';
import type { Metrics } from './metrics.ts';

/** A request the endpoint cannot answer as asked: 400 with the message (which names the parameter). */
export class BadRequest extends Error {}

/** The `limit` of /top and `top --limit`: a whole number from 1 to MAX_TOP_LIMIT. */
export const MAX_TOP_LIMIT = 1_000;
export function parseTopLimit(raw: string | null | undefined, where: string): number {
  if (raw === null || raw === undefined) return 10;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_TOP_LIMIT)
    throw new BadRequest(
      `${where}=${JSON.stringify(raw)} is invalid: expected a whole number from 1 to ${MAX_TOP_LIMIT}`,
    );
  return Number(raw);
}

/** The parameters of /top: its limit, or BadRequest naming what is wrong. */
export function topParams(params: URLSearchParams): { limit: number } {
  const unknown = [...params.keys()].filter((k) => k !== 'limit');
  if (unknown.length > 0)
    throw new BadRequest(`/top has no parameter ${unknown.join(', ')}: expected only limit`);
  return { limit: parseTopLimit(params.get('limit'), 'limit') };
}

export type StatusProvider = {
  status(): unknown;
  ready(): boolean;
  /** Extra JSON endpoints, e.g. /top, answered from the running process. */
  query?(path: string, params: URLSearchParams): Promise<unknown | undefined>;
};

export async function startStatusServer(
  port: number,
  provider: StatusProvider,
  metrics: Metrics,
  host = '127.0.0.1',
): Promise<Server> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json; charset=utf-8' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    try {
      if (url.pathname === '/healthz') return json(200, { ok: true });
      if (url.pathname === '/readyz')
        return provider.ready() ? json(200, { ready: true }) : json(503, { ready: false });
      if (url.pathname === '/status') return json(200, provider.status());
      if (url.pathname === '/metrics') {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        return res.end(await metrics.registry.metrics());
      }
      const answer = await provider.query?.(url.pathname, url.searchParams);
      if (answer !== undefined) return json(200, answer);
      json(404, { error: `no such endpoint ${url.pathname}: try /status, /metrics, /healthz, /readyz` });
    } catch (err) {
      json(err instanceof BadRequest ? 400 : 500, { error: (err as Error).message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
