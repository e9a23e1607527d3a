/**
 * The monitor's alerts as Alertmanager alerts (pure): the labels that identify one, the annotations
 * a template renders, and the times. Alertmanager's API v2 (`POST /api/v2/alerts`) takes an array
 * of `{labels, annotations, startsAt, endsAt, generatorURL}`; the labels identify an alert (its
 * fingerprint hashes them), the annotations are whatever was posted last.
 *
 * Identity: one alert per (rule, subject), as rules/early-warning/decisions.ts keeps one open
 * alert per (rule, subject). The monitor's `alert_id` changes with every raise (a re-raise after the
 * cool-down, an escalation) and the resolve has an id of its own, so it is an annotation, not a
 * label: a label would make each raise a new Alertmanager alert and leave the old one firing.
 *
 * Severity: the monitor's three levels as ASCII label values (Alertmanager accepts any UTF-8
 * value, but matchers in alertmanager.yml, amtool and the Alertmanager UI are easier in ASCII):
 *   重点 (重点监控, 四川 第二十条) → `key`
 *   一般 (一般监控)               → `general`
 *   提示 (信用事项提示)           → `info`
 * These are the values `Alert.severity` already carries on the bus (outputs.ts); the Chinese name
 * is in the `severity_name` annotation for templates.
 */
import type { Alert } from '../../outputs.ts';
import {
  alertLink,
  articles,
  detail,
  headline,
  type MessageOptions,
  measurement,
  SEVERITY_LABEL,
  whom,
} from '../message.ts';

/** What `POST /api/v2/alerts` takes (Alertmanager's openapi.yaml, postableAlert). */
export type PostableAlert = {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL?: string;
};

/** The constant label that tells the monitor's alerts apart from others on the same Alertmanager. */
export const SOURCE_LABEL = { source: 'yibao-credit-monitor' } as const;

/** `institution:H51010400001`, the form `yibao-monitor alerts silence --subject` takes too. */
export function subjectLabel(a: Pick<Alert, 'subject_kind' | 'subject_code'>): string {
  return `${a.subject_kind}:${a.subject_code}`;
}

/** One open alert per (rule, subject): the key that a resolve finds its raise by. */
export function identityKey(a: Pick<Alert, 'rule' | 'subject_kind' | 'subject_code'>): string {
  return `${a.rule}|${a.subject_kind}|${a.subject_code}`;
}

/**
 * alertname = rule; severity key|general|info; subject kind:code; division and pack when the alert
 * has them (chains and packs have no division); source = yibao-credit-monitor.
 */
export function amLabels(a: Alert): Record<string, string> {
  return {
    alertname: a.rule,
    severity: a.severity,
    subject: subjectLabel(a),
    subject_kind: a.subject_kind,
    ...(a.division !== null && { division: a.division }),
    ...(a.pack !== null && { pack: a.pack }),
    ...SOURCE_LABEL,
  };
}

const DURATION = /(\d+)\s*([mhd])/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const HOUR = 3_600_000;

/** The first duration in a rule's window (`30d`, `24h vs trailing 7d`); a day when there is none (`stay`). */
export function windowMs(window: string | undefined): number {
  const m = window ? DURATION.exec(window) : null;
  return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : 24 * HOUR;
}

/**
 * The institution dashboard over the alert's window before it was raised, to an hour after it
 * (after its resolution, once resolved): Grafana's `from`/`to` in epoch milliseconds.
 */
export function dashboardLink(
  a: Alert,
  opts: MessageOptions,
  range: { readonly startMs: number; readonly endMs?: number },
): string | undefined {
  const link = alertLink(a, opts);
  if (!link) return undefined;
  const from = range.startMs - Math.max(HOUR, windowMs(a.explanation?.window));
  const to = (range.endMs ?? range.startMs) + HOUR;
  return `${link}&from=${from}&to=${to}`;
}

/**
 * title, summary (the headline a robot shows), explanation (indicator = value, threshold, window),
 * article, description, dashboard (with a time range), alert_id (the raise's id), raised_at (event
 * time), severity_name (重点/一般/提示).
 */
export function amAnnotations(
  a: Alert,
  opts: MessageOptions,
  range: { readonly startMs: number; readonly endMs?: number },
): Record<string, string> {
  const out: Record<string, string> = {
    title: a.title,
    summary: headline(a),
    severity_name: SEVERITY_LABEL[a.severity],
    alert_id: a.alert_id,
    raised_at: a.raised_at,
  };
  const m = measurement(a);
  if (m) out.explanation = m;
  const basis = articles(a);
  if (basis) out.article = basis;
  const d = detail(a);
  out.description = [whom(a), m, d, basis && `依据 ${basis}`]
    .filter((x): x is string => Boolean(x))
    .join('；');
  const link = dashboardLink(a, opts, range);
  if (link) out.dashboard = link;
  return out;
}

/**
 * What the pusher keeps per Alertmanager alert: the labels, annotations and start of its last
 * raise, and, once resolved, when (event time) and when the pusher learnt it (wall clock).
 */
export type AmEntry = {
  readonly identity: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly generatorURL?: string;
  /** Event time of the first raise of this open alert (ms). */
  readonly startsAt: number;
  /** Event time of the last raise (ms): a redelivered older raise is not taken for a new one. */
  readonly raisedAt: number;
  /** Wall clock of the last raise or of the resolution (ms): what the retention counts from. */
  readonly seenAt: number;
  /** Event time of the resolution (ms), once resolved. */
  readonly resolvedAt?: number;
};

export function firingEntry(a: Alert, opts: MessageOptions, now: number, previous?: AmEntry): AmEntry {
  const raisedAt = Date.parse(a.raised_at);
  const startsAt =
    previous && previous.resolvedAt === undefined ? Math.min(previous.startsAt, raisedAt) : raisedAt;
  const link = dashboardLink(a, opts, { startMs: startsAt });
  return {
    identity: identityKey(a),
    labels: amLabels(a),
    annotations: amAnnotations(a, opts, { startMs: startsAt }),
    ...(link && { generatorURL: link }),
    startsAt,
    raisedAt,
    seenAt: now,
  };
}

/**
 * The entry resolved by `resolve` (the monitor's resolve alert): the labels stay those of the raise
 * (they are its identity), the annotations become the resolve's, with the resolve's id.
 */
export function resolvedEntry(entry: AmEntry, resolve: Alert, opts: MessageOptions, now: number): AmEntry {
  const resolvedAt = Date.parse(resolve.raised_at);
  const range = { startMs: entry.startsAt, endMs: resolvedAt };
  const link = dashboardLink(resolve, opts, range);
  return {
    ...entry,
    annotations: {
      ...amAnnotations(resolve, opts, range),
      raised_at: entry.annotations.raised_at ?? new Date(entry.startsAt).toISOString(),
      alert_id: entry.annotations.alert_id ?? resolve.alert_id,
      resolved_by: resolve.alert_id,
      resolved_at: resolve.raised_at,
    },
    ...(link && { generatorURL: link }),
    resolvedAt,
    seenAt: now,
  };
}

/**
 * The alert to post at wall-clock `now`. Firing: endsAt = now + `endsAheadMs`, so Alertmanager
 * resolves it by itself if the monitor stops re-sending (its resolve_timeout semantics, with the end
 * given). Resolved: endsAt = the resolution time. Event time can run ahead of the wall clock (a
 * simulation of the future): Alertmanager would then hold a resolved alert firing until that time,
 * so both times are capped at `now`, and startsAt ≤ endsAt as Alertmanager requires.
 */
export function postable(e: AmEntry, now: number, endsAheadMs: number): PostableAlert {
  const endsAt = e.resolvedAt === undefined ? now + endsAheadMs : Math.min(e.resolvedAt, now);
  const startsAt = Math.min(e.startsAt, now, endsAt);
  return {
    labels: e.labels,
    annotations: e.annotations,
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    ...(e.generatorURL && { generatorURL: e.generatorURL }),
  };
}
