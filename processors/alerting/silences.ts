/**
 * Silences and acknowledgements as data, and the pure question the dispatcher asks: is this alert
 * silenced now? The KV buckets that hold them live in state.ts.
 */
import { MonitorError } from '../../schemas/errors.ts';
import type { Alert } from '../outputs.ts';

/** Every field given must match; at least one is required (a silence of everything is a mistake). */
export type SilenceMatcher = {
  readonly rule?: string;
  /** A division code or its prefix: `5101` covers every district of 成都, `510104` one district. */
  readonly division?: string;
  /** A subject code (`H51010400001`), or `kind:code` (`institution:H51010400001`). */
  readonly subject?: string;
};

export type Silence = SilenceMatcher & {
  readonly id: string;
  readonly created_at: string;
  readonly until: string;
  readonly by: string;
  readonly why: string;
};

export type AlertAck = {
  readonly alert_id: string;
  readonly by: string;
  readonly at: string;
  readonly note?: string;
};

const MAX_SILENCE_MS = 366 * 24 * 3_600_000;

export function silenceMatches(s: SilenceMatcher, a: Alert): boolean {
  if (s.rule === undefined && s.division === undefined && s.subject === undefined) return false;
  if (s.rule !== undefined && s.rule !== a.rule) return false;
  if (s.division !== undefined && !(a.division ?? '').startsWith(s.division)) return false;
  if (
    s.subject !== undefined &&
    s.subject !== a.subject_code &&
    s.subject !== `${a.subject_kind}:${a.subject_code}`
  )
    return false;
  return true;
}

/** The first silence in force at `now` (epoch ms) that matches, if any. */
export function findSilence(a: Alert, silences: Iterable<Silence>, now: number): Silence | undefined {
  for (const s of silences) {
    if (Date.parse(s.created_at) <= now && now < Date.parse(s.until) && silenceMatches(s, a)) return s;
  }
  return undefined;
}

export function isSilenced(a: Alert, silences: Iterable<Silence>, now: number): boolean {
  return findSilence(a, silences, now) !== undefined;
}

const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** `90s`, `30m`, `2h`, `1d`, `1h30m` → milliseconds; anything else is an error naming the text. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === '') {
    throw new MonitorError(
      'CONFIG_INVALID',
      `duration ${JSON.stringify(text)}: expected e.g. 30m, 2h, 1d or 1h30m`,
    );
  }
  const [, d, h, min, s] = m.map((x) => Number(x ?? 0));
  const ms = (((d! * 24 + h!) * 60 + min!) * 60 + s!) * 1000;
  if (ms <= 0)
    throw new MonitorError('CONFIG_INVALID', `duration ${JSON.stringify(text)}: expected more than 0`);
  return ms;
}

export type SilenceRequest = SilenceMatcher & {
  readonly forMs: number;
  readonly by: string;
  readonly why: string;
};

/** Checks a request and makes the silence; `id` and `now` come from the caller (pure). */
export function buildSilence(req: SilenceRequest, id: string, now: number): Silence {
  const matcher: { -readonly [K in keyof SilenceMatcher]: SilenceMatcher[K] } = {};
  for (const k of ['rule', 'division', 'subject'] as const) {
    const v = req[k]?.trim();
    if (v !== undefined && v !== '') matcher[k] = v;
  }
  if (Object.keys(matcher).length === 0) {
    throw new MonitorError('CONFIG_INVALID', 'a silence needs a rule, a division or a subject to match');
  }
  if (matcher.division !== undefined && !/^\d{1,6}$/.test(matcher.division)) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `division ${JSON.stringify(matcher.division)}: expected a division code or its prefix (1–6 digits)`,
    );
  }
  if (!(req.forMs > 0 && req.forMs <= MAX_SILENCE_MS)) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `silence duration ${req.forMs} ms: expected more than 0 and at most 366 days`,
    );
  }
  if (req.by.trim() === '') throw new MonitorError('CONFIG_INVALID', 'a silence needs --by: who sets it');
  if (req.why.trim() === '')
    throw new MonitorError('CONFIG_INVALID', 'a silence needs --why: the reason, for the next shift');
  return {
    id,
    ...matcher,
    created_at: new Date(now).toISOString(),
    until: new Date(now + req.forMs).toISOString(),
    by: req.by.trim(),
    why: req.why.trim(),
  };
}

export function describeMatcher(s: SilenceMatcher): string {
  const parts: string[] = [];
  if (s.rule !== undefined) parts.push(`rule=${s.rule}`);
  if (s.division !== undefined) parts.push(`division=${s.division}*`);
  if (s.subject !== undefined) parts.push(`subject=${s.subject}`);
  return parts.join(' ');
}
