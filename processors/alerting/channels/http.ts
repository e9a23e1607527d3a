/** The I/O half of every channel: a JSON POST with node's fetch, and what HTTP statuses mean. */
import type { Alert } from '../../outputs.ts';
import type { Channel, HttpReply, HttpRequest, SendOutcome } from './types.ts';

export type HttpOptions = {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
};

export async function postJson(req: HttpRequest, opts: HttpOptions = {}): Promise<HttpReply> {
  const res = await (opts.fetch ?? fetch)(req.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(req.body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
}

/** `Retry-After`: seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * 2xx: undefined (the channel reads the body). 429: retry, after Retry-After when given. 408 and
 * 5xx: retry. Any other status: the request itself is wrong, so retrying the same one cannot help.
 */
export function interpretStatus(reply: HttpReply, now: number): SendOutcome | undefined {
  if (reply.status >= 200 && reply.status < 300) return undefined;
  const reason = `HTTP ${reply.status}${reply.body ? `: ${reply.body.slice(0, 200)}` : ''}`;
  if (reply.status === 429) {
    const after = parseRetryAfter(reply.retryAfter, now);
    return { ok: false, retriable: true, reason, ...(after !== undefined && { retryAfterMs: after }) };
  }
  return { ok: false, retriable: reply.status === 408 || reply.status >= 500, reason };
}

/** Robots answer HTTP 200 with `{errcode, errmsg}`; 0 is success. */
export function robotErrcode(body: string): { errcode: number; errmsg: string } | undefined {
  try {
    const j = JSON.parse(body) as { errcode?: unknown; errmsg?: unknown };
    return typeof j.errcode === 'number' ? { errcode: j.errcode, errmsg: String(j.errmsg ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

/** errcode -1: "system busy" (both robots). */
const SYSTEM_BUSY = -1;

/** A robot's answer: HTTP status first, then its errcode; `tooFast` is its rate-limit code. */
export function interpretRobot(
  robot: string,
  reply: HttpReply,
  now: number,
  tooFast: { errcode: number; retryAfterMs: number },
): SendOutcome {
  const status = interpretStatus(reply, now);
  if (status) return status;
  const r = robotErrcode(reply.body);
  if (!r)
    return {
      ok: false,
      retriable: false,
      reason: `${robot}: not a robot answer: ${reply.body.slice(0, 200)}`,
    };
  if (r.errcode === 0) return { ok: true };
  const reason = `${robot} errcode ${r.errcode}: ${r.errmsg}`;
  if (r.errcode === tooFast.errcode)
    return { ok: false, retriable: true, retryAfterMs: tooFast.retryAfterMs, reason };
  return { ok: false, retriable: r.errcode === SYSTEM_BUSY, reason };
}

/** Builds, posts and interprets; a network error or a timeout is retriable. */
export async function deliver(
  channel: Channel,
  alerts: readonly Alert[],
  kind: 'single' | 'summary',
  now: number,
  opts: HttpOptions = {},
): Promise<SendOutcome> {
  const req = channel.request(alerts, kind, now);
  let reply: HttpReply;
  try {
    reply = await postJson(req, opts);
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return {
      ok: false,
      retriable: true,
      reason: `${e.name}: ${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`,
    };
  }
  return channel.interpret(reply, now);
}
