/**
 * Exponential backoff with jitter, shared by the bus publisher and the channel senders, and the one
 * place that decides which NATS errors are worth retrying.
 */
import { MonitorError } from '../../schemas/errors.ts';

export type RetryPolicy = {
  /** Delay before the second attempt. */
  readonly initialMs: number;
  /** No delay grows past this. */
  readonly maxMs: number;
  readonly multiplier: number;
  /** Share of the delay drawn at random either side (0.2 → ±20 %), so restarted senders do not stampede. */
  readonly jitter: number;
  /** Attempts in all, the first included; Infinity retries until stopped (a sink that is down pauses, ARCHITECTURE.md). */
  readonly maxAttempts: number;
};

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  initialMs: 250,
  maxMs: 60_000,
  multiplier: 2,
  jitter: 0.2,
  maxAttempts: Number.POSITIVE_INFINITY,
});

/** Checks a partial policy once, at start-up, and fills in the defaults (STYLE.md §2). */
export function compileRetryPolicy(p: Partial<RetryPolicy> = {}): RetryPolicy {
  const r = { ...DEFAULT_RETRY, ...p };
  const bad = (field: keyof RetryPolicy, expected: string) =>
    new MonitorError('CONFIG_INVALID', `retry.${field} is ${r[field]}: expected ${expected}`, { field });
  if (!(r.initialMs > 0)) throw bad('initialMs', 'a number of milliseconds > 0');
  if (!(r.maxMs >= r.initialMs)) throw bad('maxMs', `a number of milliseconds ≥ initialMs (${r.initialMs})`);
  if (!(r.multiplier >= 1)) throw bad('multiplier', 'a number ≥ 1');
  if (!(r.jitter >= 0 && r.jitter < 1)) throw bad('jitter', 'a share in [0, 1)');
  if (!(r.maxAttempts >= 1)) throw bad('maxAttempts', 'at least 1 (Infinity to retry until stopped)');
  return Object.freeze(r);
}

/** The wait after failed attempt number `attempt` (1 = the first attempt failed). */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** Math.max(0, attempt - 1));
  const spread = base * policy.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(policy.maxMs, Math.round(base + spread)));
}

// nats.js names its errors (`err.name`); checking names avoids importing @nats-io/nats-core, which is
// not a direct dependency. Timeouts, no responders (JetStream or the stream not there yet) and
// connection trouble pass; a closed or draining connection, a bad subject or an API error do not.
const RETRIABLE_NATS_ERRORS = new Set([
  'TimeoutError',
  'RequestError',
  'NoResponders',
  'NoRespondersError',
  'JetStreamNotEnabled',
  'ConnectionError',
]);

export function isRetriableNatsError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (RETRIABLE_NATS_ERRORS.has(err.name)) return true;
  // A JetStream API error with status 503: no JetStream leader yet, or the server is catching up.
  if (err.name === 'JetStreamApiError' || err.name === 'JetStreamStatusError') {
    const status = (err as Error & { status?: number; code?: number }).status;
    const code = (err as Error & { code?: number }).code;
    return status === 503 || code === 503;
  }
  return false;
}
