/**
 * Alertmanager-compatible webhook: the v4 payload Alertmanager POSTs to a webhook_config receiver
 * (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config), so receivers written
 * for Alertmanager (PagerDuty bridges, ticketing, chat relays) take the monitor's alerts as they are.
 */
import type { Alert } from '../../outputs.ts';
import {
  alertLink,
  articles,
  detail,
  formatNumber,
  headline,
  type MessageOptions,
  measurement,
  whom,
} from '../message.ts';
import { interpretStatus } from './http.ts';
import type { Channel, HttpReply, SendOutcome } from './types.ts';

export type WebhookAlert = {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
  readonly fingerprint: string;
};

export type WebhookPayload = {
  readonly version: '4';
  readonly groupKey: string;
  readonly truncatedAlerts: number;
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly alerts: readonly WebhookAlert[];
};

export type WebhookOptions = MessageOptions & {
  readonly receiver: string;
  /** Where the alerts come from (Alertmanager puts its own URL here); default the Grafana URL. */
  readonly externalURL?: string;
  /** At most this many alerts per POST, the rest counted in truncatedAlerts (0: all, as Alertmanager). */
  readonly maxAlerts?: number;
};

/** Alertmanager's zero time: a firing alert with no known end. */
export const NO_END = '0001-01-01T00:00:00Z';

/** The labels that name what is alerted on; the fingerprint hashes these and nothing else. */
export function identityLabels(a: Alert): Record<string, string> {
  return {
    alertname: a.rule,
    subject_kind: a.subject_kind,
    subject_code: a.subject_code,
    ...(a.division !== null && { division: a.division }),
  };
}

export function alertLabels(a: Alert): Record<string, string> {
  return { ...identityLabels(a), severity: a.severity, ...(a.pack !== null && { pack: a.pack }) };
}

const FNV_OFFSET = 14695981039346656037n;
const FNV_PRIME = 1099511628211n;
const MASK_64 = 0xffffffffffffffffn;
const SEPARATOR = 0xff;

/**
 * Prometheus' label-set fingerprint (common/model labelSetToFingerprint): FNV-1a 64 over the label
 * names in order, each name and value followed by 0xff, as 16 hex digits. The same labels give the
 * same fingerprint in any order, in any process, and the same one Alertmanager would compute.
 */
export function fingerprint(labels: Readonly<Record<string, string>>): string {
  let h = FNV_OFFSET;
  const add = (bytes: Uint8Array) => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK_64;
  };
  const enc = new TextEncoder();
  for (const name of Object.keys(labels).sort()) {
    add(enc.encode(name));
    add(Uint8Array.of(SEPARATOR));
    add(enc.encode(labels[name]!));
    add(Uint8Array.of(SEPARATOR));
  }
  return h.toString(16).padStart(16, '0');
}

/** Stable across raise and resolve, and across severity changes: it hashes the identity labels. */
export function alertFingerprint(a: Alert): string {
  return fingerprint(identityLabels(a));
}

export function alertAnnotations(a: Alert, opts: MessageOptions): Record<string, string> {
  const out: Record<string, string> = { summary: headline(a), subject: whom(a), alert_id: a.alert_id };
  const d = detail(a);
  const m = measurement(a);
  const basis = articles(a);
  const lines = [whom(a), m, d, basis && `依据 ${basis}`].filter((x): x is string => Boolean(x));
  out.description = lines.join('；');
  if (basis) out.article = basis;
  const e = a.explanation;
  if (e) {
    out.indicator = e.indicator;
    out.value = formatNumber(e.value);
    out.threshold = formatNumber(e.threshold);
    out.window = e.window;
    if (e.baseline !== undefined) out.baseline = formatNumber(e.baseline);
  }
  const link = alertLink(a, opts);
  if (link) out.dashboard = link;
  return out;
}

export function webhookAlert(a: Alert, opts: MessageOptions & { externalURL?: string }): WebhookAlert {
  const at = new Date(a.raised_at).toISOString();
  return {
    status: a.status,
    labels: alertLabels(a),
    annotations: alertAnnotations(a, opts),
    // A resolve carries its own time only (outputs.ts has no start for it): startsAt = endsAt.
    startsAt: at,
    endsAt: a.status === 'resolved' ? at : NO_END,
    generatorURL: alertLink(a, opts) ?? opts.externalURL ?? opts.grafanaUrl ?? '',
    fingerprint: alertFingerprint(a),
  };
}

function common(maps: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((m) => m[k] === v)));
}

/** Alertmanager's groupKey form: `{}:{name="value", …}` over the group labels. */
function groupKey(receiver: string, groupLabels: Readonly<Record<string, string>>): string {
  const inner = Object.keys(groupLabels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(groupLabels[k])}`)
    .join(', ');
  return `{}/{receiver=${JSON.stringify(receiver)}}:{${inner}}`;
}

export function webhookPayload(alerts: readonly Alert[], opts: WebhookOptions): WebhookPayload {
  const all = alerts.map((a) => webhookAlert(a, opts));
  const max = opts.maxAlerts ?? 0;
  const sent = max > 0 ? all.slice(0, max) : all;
  const commonLabels = common(all.map((a) => a.labels));
  const groupLabels = Object.fromEntries(
    Object.entries(commonLabels).filter(([k]) => k === 'alertname' || k === 'division'),
  );
  return {
    version: '4',
    groupKey: groupKey(opts.receiver, groupLabels),
    truncatedAlerts: all.length - sent.length,
    status: all.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: opts.receiver,
    groupLabels,
    commonLabels,
    commonAnnotations: common(all.map((a) => a.annotations)),
    externalURL: opts.externalURL ?? opts.grafanaUrl ?? '',
    alerts: sent,
  };
}

export function webhookChannel(name: string, url: string, opts: WebhookOptions): Channel {
  return {
    name,
    type: 'webhook',
    request: (alerts) => ({ url, body: webhookPayload(alerts, opts) }),
    interpret: (reply: HttpReply, now: number): SendOutcome => interpretStatus(reply, now) ?? { ok: true },
  };
}
