/**
 * Silences and acknowledgements as data, and the pure question the dispatcher asks: is this alert
 * silenced now? The KV buckets that hold them live in state.ts.
 */
import { MonitorError } from '../../schemas/errors.ts';
import type { Alert } from '../outputs.ts';

/** Every field given must match; at least one is required (a silence of everything is a mistake). */
export type SilenceMatcher = {
  readonly rule?: string;
  /** A division code of 2, 4 or 6 digits: `5101` covers every district of 成都, `510104` one district. */
  readonly division?: string;
  /** A subject code (`H51010400001`), or `kind:code` (`institution:H51010400001`). */
  readonly subject?: string;
};

/**
 * How far a silence reaches: one subject, one district (6-digit division), one prefecture (4), one
 * province (2) or every division (no division, no subject). Broader than a prefecture needs --force.
 */
export type SilenceBreadth = 'subject' | 'district' | 'prefecture' | 'province' | 'every division';

/** What a silence covers, recorded with it so the next shift sees how wide it was and who widened it. */
export type SilenceScope = {
  readonly breadth: SilenceBreadth;
  readonly duration_ms: number;
  /** True when --force let it past a limit (`forced_past` says which). */
  readonly forced: boolean;
  readonly forced_past?: readonly string[];
};

export type Silence = SilenceMatcher & {
  readonly id: string;
  readonly created_at: string;
  readonly until: string;
  readonly by: string;
  readonly why: string;
  /** Absent on silences written before scopes were recorded. */
  readonly scope?: SilenceScope;
};

export type AlertAck = {
  readonly alert_id: string;
  readonly by: string;
  readonly at: string;
  readonly note?: string;
};

const DAY_MS = 24 * 3_600_000;
/** Longer needs --force: a month covers a pilot or a known data problem; beyond it, say so. */
export const SILENCE_FORCE_AFTER_MS = 30 * DAY_MS;
/** Never longer, even with --force: a year-long silence is a rule that should be switched off. */
const MAX_SILENCE_MS = 366 * DAY_MS;

/**
 * Province-level codes of GB/T 2260 (the first two digits of every division code): 11 北京 … 65
 * 新疆, 71 台湾, 81 香港, 82 澳门.
 */
const PROVINCES = new Set([
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
  '71',
  '81',
  '82',
]);

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
  /** Lets a silence broader than one prefecture or longer than 30 days through (recorded). */
  readonly force?: boolean;
};

export type SilenceChecks = {
  /** Whether alerts carry this rule id (processors/alerting/lookup.ts); unchecked when absent. */
  readonly isKnownRule?: (rule: string) => boolean;
  /** The rule ids to name when one is unknown. */
  readonly knownRules?: () => readonly string[];
};

export function silenceBreadth(m: SilenceMatcher): SilenceBreadth {
  if (m.subject !== undefined) return 'subject';
  switch (m.division?.length) {
    case 6:
      return 'district';
    case 4:
      return 'prefecture';
    case 2:
      return 'province';
    default:
      return 'every division';
  }
}

function checkDivision(division: string): void {
  if (!/^\d{2}(?:\d{2}){0,2}$/.test(division)) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `division ${JSON.stringify(division)}: expected a division code of 2, 4 or 6 digits ` +
        '(51 a province, 5101 a prefecture such as 成都, 510104 a district)',
      { division },
    );
  }
  if (!PROVINCES.has(division.slice(0, 2))) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `division ${JSON.stringify(division)}: ${division.slice(0, 2)} is not a province code (GB/T 2260): ` +
        `expected one of ${[...PROVINCES].join(', ')}`,
      { division },
    );
  }
}

/** Checks a request and makes the silence; `id` and `now` come from the caller (pure). */
export function buildSilence(
  req: SilenceRequest,
  id: string,
  now: number,
  checks: SilenceChecks = {},
): Silence {
  const matcher: { -readonly [K in keyof SilenceMatcher]: SilenceMatcher[K] } = {};
  for (const k of ['rule', 'division', 'subject'] as const) {
    const v = req[k]?.trim();
    if (v !== undefined && v !== '') matcher[k] = v;
  }
  if (Object.keys(matcher).length === 0) {
    throw new MonitorError('CONFIG_INVALID', 'a silence needs a rule, a division or a subject to match');
  }
  if (matcher.division !== undefined) checkDivision(matcher.division);
  if (matcher.rule !== undefined && checks.isKnownRule && !checks.isKnownRule(matcher.rule)) {
    const known = checks.knownRules?.() ?? [];
    throw new MonitorError(
      'CONFIG_INVALID',
      `rule ${JSON.stringify(matcher.rule)}: no alert carries this rule id` +
        (known.length > 0 ? `: expected one of ${known.join(', ')}` : '') +
        ' (or a rule with alerts on the bus)',
      { rule: matcher.rule },
    );
  }
  if (!(req.forMs > 0 && req.forMs <= MAX_SILENCE_MS)) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `silence duration ${req.forMs} ms: expected more than 0 and at most 366 days`,
    );
  }
  const breadth = silenceBreadth(matcher);
  const past: string[] = [];
  if (breadth === 'province' || breadth === 'every division') {
    if (!req.force) {
      throw new MonitorError(
        'CONFIG_INVALID',
        `a silence of ${breadth === 'province' ? `the whole province ${matcher.division}` : 'every division'} ` +
          `(${describeMatcher(matcher)}) is broader than one prefecture: expected --division with 4 or 6 digits ` +
          '(5101 成都, 510104 one district) or --subject, or --force to silence all of it',
        { breadth },
      );
    }
    past.push('broader than one prefecture');
  }
  if (req.forMs > SILENCE_FORCE_AFTER_MS) {
    if (!req.force) {
      throw new MonitorError(
        'CONFIG_INVALID',
        `silence duration ${formatDuration(req.forMs)} is longer than 30 days: expected 30d or less, ` +
          'or --force (the longest is 366 days)',
        { duration_ms: req.forMs },
      );
    }
    past.push('longer than 30 days');
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
    scope: {
      breadth,
      duration_ms: req.forMs,
      forced: past.length > 0,
      ...(past.length > 0 && { forced_past: past }),
    },
  };
}

/** 90061000 ms → `1d1h1m1s`, the form --for takes. */
export function formatDuration(ms: number): string {
  let left = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, secs] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(left / secs);
    left -= n * secs;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.join('') || '0s';
}

export function describeMatcher(s: SilenceMatcher): string {
  const parts: string[] = [];
  if (s.rule !== undefined) parts.push(`rule=${s.rule}`);
  if (s.division !== undefined) parts.push(`division=${s.division}*`);
  if (s.subject !== undefined) parts.push(`subject=${s.subject}`);
  return parts.join(' ');
}
