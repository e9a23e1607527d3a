/**
 * `POST /api/v2/alerts` with Node's fetch, and what Alertmanager's answers mean (0.25, api/v2):
 *
 * - 200: every alert taken.
 * - 400: at least one alert failed validation, named only by the reason, as a JSON string
 *   (`"start time must be before end time"`, `"invalid label set: invalid name \"bad-name\""`) or,
 *   when the body does not parse, `{"code":400,"message":"parsing alerts body … field .annotations …"}`.
 *   The valid alerts of the batch are taken all the same (checked against the binary).
 * - 422: the body breaks the OpenAPI schema: `{"code":601,"message":"0.generatorURL in body must be of type uri: …"}`.
 * - 5xx, a refused connection, a timeout: Alertmanager is away; try again later.
 */

export type AmReply =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Worth trying again as it is (5xx, 408, 429, a connection error, a timeout). */
      readonly retriable: boolean;
      readonly status?: number;
      /** Alertmanager's message, or the connection error. */
      readonly reason: string;
      /** The field a 400/422 names, as far as its message tells: `endsAt`, `labels.bad-name`, `generatorURL`. */
      readonly field?: string;
      /** The alert index a 422 names (`0.generatorURL`). */
      readonly index?: number;
    };

/** `http://am:9093` or `http://am:9093/api/v2/alerts` → the alerts endpoint. */
export function alertsEndpoint(base: string): string {
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, '').replace(/\/api\/v2\/alerts$/, '')}/api/v2/alerts`;
  return u.toString();
}

/** The message of an Alertmanager error body: a JSON string, `{message}`, or the text itself. */
export function errorMessage(body: string): string {
  try {
    const j = JSON.parse(body) as unknown;
    if (typeof j === 'string') return j;
    if (j && typeof j === 'object' && typeof (j as { message?: unknown }).message === 'string')
      return (j as { message: string }).message;
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 300);
}

/** The field Alertmanager's validation message is about (api/v2 and types.Alert.Validate). */
export function rejectedField(message: string): { field: string; index?: number } {
  const swagger = /^(\d+)\.([\w.]+) in body/.exec(message);
  if (swagger) return { field: swagger[2]!, index: Number(swagger[1]) };
  const label = /invalid label set: invalid (name|value) "((?:[^"\\]|\\.)*)"/.exec(message);
  if (label) return { field: label[1] === 'name' ? `labels.${label[2]}` : 'labels (a value)' };
  const annotation = /invalid annotations?: invalid (name|value) "((?:[^"\\]|\\.)*)"/.exec(message);
  if (annotation)
    return { field: annotation[1] === 'name' ? `annotations.${annotation[2]}` : 'annotations (a value)' };
  if (/start time must be before end time/.test(message)) return { field: 'startsAt/endsAt' };
  if (/start time missing/.test(message)) return { field: 'startsAt' };
  if (/end time missing/.test(message)) return { field: 'endsAt' };
  if (/at least one label pair required/.test(message)) return { field: 'labels' };
  const goField = /Go (?:struct field|value of type) ([\w.]+)/.exec(message);
  if (goField) return { field: goField[1]!.replace(/^\./, '').replace(/^models\./, '') };
  if (/parsing time/.test(message)) return { field: 'startsAt/endsAt' };
  return { field: 'unknown' };
}

export type PostOptions = {
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
};

export async function postAlerts(
  endpoint: string,
  alerts: readonly unknown[],
  opts: PostOptions = {},
): Promise<AmReply> {
  let res: Response;
  let body: string;
  try {
    res = await (opts.fetch ?? fetch)(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    body = await res.text();
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return {
      ok: false,
      retriable: true,
      reason: `${e.name}: ${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`,
    };
  }
  if (res.status >= 200 && res.status < 300) return { ok: true };
  const reason = errorMessage(body) || res.statusText;
  const retriable = res.status >= 500 || res.status === 408 || res.status === 429;
  if (res.status === 400 || res.status === 422) {
    const f = rejectedField(reason);
    return {
      ok: false,
      retriable,
      status: res.status,
      reason,
      field: f.field,
      ...(f.index !== undefined && { index: f.index }),
    };
  }
  return { ok: false, retriable, status: res.status, reason };
}
