import { describe, expect, it } from 'vitest';
import { ruleChecks } from '../../../processors/alerting/lookup.ts';
import {
  buildSilence,
  findSilence,
  isSilenced,
  parseDuration,
  type Silence,
  type SilenceChecks,
  type SilenceRequest,
  silenceMatches,
} from '../../../processors/alerting/silences.ts';
import { isMonitorError } from '../../../schemas/errors.ts';
import { alert } from './fixtures.ts';

const NOW = Date.parse('2025-03-04T02:00:00Z');
const HOUR = 3_600_000;

function silence(over: Partial<Silence>): Silence {
  return {
    id: 'sil-1',
    created_at: new Date(NOW - HOUR).toISOString(),
    until: new Date(NOW + HOUR).toISOString(),
    by: '张三',
    why: '试点',
    ...over,
  };
}

describe('silences', () => {
  it('every matcher given must match: rule, division prefix, subject (code or kind:code)', () => {
    const a = alert();
    expect(silenceMatches({ rule: 'split_admission' }, a)).toBe(true);
    expect(silenceMatches({ rule: 'amount_spike' }, a)).toBe(false);
    expect(silenceMatches({ division: '51' }, a)).toBe(true);
    expect(silenceMatches({ division: '510104' }, a)).toBe(true);
    expect(silenceMatches({ division: '510105' }, a)).toBe(false);
    expect(silenceMatches({ division: '51' }, alert({ division: null }))).toBe(false);
    expect(silenceMatches({ subject: 'H51010400001' }, a)).toBe(true);
    expect(silenceMatches({ subject: 'institution:H51010400001' }, a)).toBe(true);
    expect(silenceMatches({ subject: 'practitioner:H51010400001' }, a)).toBe(false);
    expect(silenceMatches({ rule: 'split_admission', division: '5107' }, a)).toBe(false);
    expect(silenceMatches({}, a)).toBe(false);
  });

  it('a silence holds from its creation until its end, exclusive', () => {
    const s = silence({ rule: 'split_admission' });
    expect(isSilenced(alert(), [s], NOW)).toBe(true);
    expect(isSilenced(alert(), [s], Date.parse(s.until))).toBe(false);
    expect(isSilenced(alert(), [s], Date.parse(s.created_at) - 1)).toBe(false);
    expect(
      findSilence(alert(), [silence({ id: 'a', rule: 'x' }), silence({ id: 'b', division: '5101' })], NOW)
        ?.id,
    ).toBe('b');
    expect(isSilenced(alert(), [], NOW)).toBe(false);
  });

  it('a resolve is silenced like its raise', () => {
    expect(isSilenced(alert({ status: 'resolved' }), [silence({ subject: 'H51010400001' })], NOW)).toBe(true);
  });

  it('durations: 90s, 30m, 2h, 1d, 1h30m; anything else names the text', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(2 * HOUR);
    expect(parseDuration('1d')).toBe(24 * HOUR);
    expect(parseDuration('1h30m')).toBe(1.5 * HOUR);
    for (const bad of ['', '2', '2x', 'h', '0m', '1m2h']) {
      expect(() => parseDuration(bad)).toThrow(/^duration ".*": expected/);
    }
  });

  it('a silence needs a matcher, who and why, and a duration of at most a year', () => {
    const req = { rule: 'split_admission', division: '5101', forMs: 2 * HOUR, by: '张三', why: '试点' };
    expect(buildSilence(req, 'sil-9', NOW)).toEqual({
      id: 'sil-9',
      rule: 'split_admission',
      division: '5101',
      created_at: '2025-03-04T02:00:00.000Z',
      until: '2025-03-04T04:00:00.000Z',
      by: '张三',
      why: '试点',
      scope: { breadth: 'prefecture', duration_ms: 2 * HOUR, forced: false },
    });
    fails({ ...req, rule: undefined, division: undefined }, /needs a rule, a division or a subject/);
    fails({ ...req, rule: '  ', division: ' ' }, /needs a rule, a division or a subject/);
    fails({ ...req, forMs: 0 }, /expected more than 0/);
    fails({ ...req, forMs: 400 * DAY, force: true }, /at most 366 days/);
    fails({ ...req, by: '' }, /needs --by/);
    fails({ ...req, why: ' ' }, /needs --why/);
  });
});

const DAY = 24 * HOUR;

/** buildSilence refuses `req` with a CONFIG_INVALID whose message matches. */
function fails(req: SilenceRequest, message: RegExp | string, checks?: SilenceChecks): void {
  try {
    buildSilence(req, 'sil-9', NOW, checks);
  } catch (err) {
    expect(isMonitorError(err, 'CONFIG_INVALID')).toBe(true);
    if (typeof message === 'string') expect((err as Error).message).toBe(message);
    else expect((err as Error).message).toMatch(message);
    return;
  }
  expect.unreachable(`accepted ${JSON.stringify(req)}`);
}

describe('silence scope: what may be silenced without --force (issue 16)', () => {
  const base = { forMs: 2 * HOUR, by: '张三', why: '系统升级' };

  it('a division is a 2-, 4- or 6-digit code of a real province', () => {
    for (const d of ['5', '510', '51010', '5101041', 'chengdu', '51 01']) {
      fails(
        { ...base, division: d },
        `division ${JSON.stringify(d.trim())}: expected a division code of 2, 4 or 6 digits (51 a province, 5101 a prefecture such as 成都, 510104 a district)`,
      );
    }
    fails(
      { ...base, division: '9901' },
      /^division "9901": 99 is not a province code \(GB\/T 2260\): expected one of 11, 12, .*, 82$/,
    );
    expect(buildSilence({ ...base, division: '510104' }, 's', NOW).scope?.breadth).toBe('district');
  });

  it("the issue's silence, division 5 for 366 days, is refused even with --force", () => {
    fails(
      { ...base, division: '5', forMs: 366 * DAY },
      /^division "5": expected a division code of 2, 4 or 6 digits/,
    );
    fails({ ...base, division: '5', forMs: 366 * DAY, force: true }, /^division "5": expected/);
  });

  it('a whole province, or every division, is broader than one prefecture: refused without --force', () => {
    fails(
      { ...base, division: '51' },
      'a silence of the whole province 51 (division=51*) is broader than one prefecture: expected --division with 4 or 6 digits (5101 成都, 510104 one district) or --subject, or --force to silence all of it',
    );
    fails(
      { ...base, rule: 'amount_spike' },
      'a silence of every division (rule=amount_spike) is broader than one prefecture: expected --division with 4 or 6 digits (5101 成都, 510104 one district) or --subject, or --force to silence all of it',
    );
    // One subject is narrower than a prefecture, whatever its division.
    expect(buildSilence({ ...base, subject: 'H51010400001' }, 's', NOW).scope).toEqual({
      breadth: 'subject',
      duration_ms: 2 * HOUR,
      forced: false,
    });
  });

  it('longer than 30 days is refused without --force, naming the duration', () => {
    fails(
      { ...base, division: '5101', forMs: 31 * DAY + 2 * HOUR },
      'silence duration 31d2h is longer than 30 days: expected 30d or less, or --force (the longest is 366 days)',
    );
    expect(buildSilence({ ...base, division: '5101', forMs: 30 * DAY }, 's', NOW).scope?.forced).toBe(false);
  });

  it('--force lets a broad or long silence through and records what it was forced past', () => {
    const s = buildSilence({ ...base, division: '51', forMs: 90 * DAY, force: true }, 'sil-f', NOW);
    expect(s).toMatchObject({
      division: '51',
      by: '张三',
      created_at: '2025-03-04T02:00:00.000Z',
      until: new Date(NOW + 90 * DAY).toISOString(),
      scope: {
        breadth: 'province',
        duration_ms: 90 * DAY,
        forced: true,
        forced_past: ['broader than one prefecture', 'longer than 30 days'],
      },
    });
    // --force on a narrow, short silence forces nothing.
    expect(buildSilence({ ...base, division: '5101', force: true }, 's', NOW).scope?.forced).toBe(false);
  });

  it('a rule id no alert carries is refused, naming the rule and the known ones', () => {
    const checks = ruleChecks(new Set(['jiangsu_below_threshold']));
    fails(
      { ...base, rule: 'split_admision', division: '5101' },
      /^rule "split_admision": no alert carries this rule id: expected one of .*split_admission.* \(or a rule with alerts on the bus\)$/,
      checks,
    );
    expect(buildSilence({ ...base, rule: 'split_admission', division: '5101' }, 's', NOW, checks).rule).toBe(
      'split_admission',
    );
    // A pack's own rule counts once alerts with it are on the bus (its subject token has '_' for '.').
    expect(
      buildSilence({ ...base, rule: 'jiangsu.below_threshold', division: '3201' }, 's', NOW, checks).rule,
    ).toBe('jiangsu.below_threshold');
    for (const r of ['policy_expired', 'sichuan.chain.d_rectify', 'grade_boundary_proximity'])
      expect(checks.isKnownRule(r)).toBe(true);
  });
});
