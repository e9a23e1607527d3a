/**
 * Where an alert goes on the bus: `alerts.<division|none>.<severity>.<rule>`, and its message id for
 * JetStream's server-side dedup. Pure.
 */
import type { Alert } from '../outputs.ts';

export const ALERT_SUBJECT_PREFIX = 'alerts';
export const NO_DIVISION = 'none';

/**
 * One subject token: NATS splits subjects on '.', treats '*' and '>' as wildcards and forbids white
 * space, so each of those (and control characters) becomes '_'. An empty or missing value is `empty`.
 */
export function subjectToken(value: string | null | undefined, empty = NO_DIVISION): string {
  if (value === null || value === undefined || value === '') return empty;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  return value.replace(/[.*>\s\u0000-\u001f\u007f]/g, '_');
}

export function alertSubject(a: Alert, prefix = ALERT_SUBJECT_PREFIX): string {
  return `${prefix}.${subjectToken(a.division)}.${subjectToken(a.severity)}.${subjectToken(a.rule)}`;
}

/** The raise and the resolve of one alert are two messages; a replay of either is a duplicate. */
export function alertMsgId(a: Alert): string {
  return `${a.alert_id}:${a.status}`;
}
