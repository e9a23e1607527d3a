import { describe, expect, it } from 'vitest';
import {
  buildSilence,
  findSilence,
  isSilenced,
  parseDuration,
  type Silence,
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
    const req = { rule: 'split_admission', forMs: 2 * HOUR, by: '张三', why: '试点' };
    expect(buildSilence(req, 'sil-9', NOW)).toEqual({
      id: 'sil-9',
      rule: 'split_admission',
      created_at: '2025-03-04T02:00:00.000Z',
      until: '2025-03-04T04:00:00.000Z',
      by: '张三',
      why: '试点',
    });
    const fails = (over: object, message: RegExp) => {
      try {
        buildSilence({ ...req, ...over }, 'sil-9', NOW);
        expect.unreachable();
      } catch (err) {
        expect(isMonitorError(err, 'CONFIG_INVALID')).toBe(true);
        expect((err as Error).message).toMatch(message);
      }
    };
    fails({ rule: undefined }, /needs a rule, a division or a subject/);
    fails({ rule: '  ' }, /needs a rule, a division or a subject/);
    fails({ division: 'chengdu' }, /division "chengdu": expected a division code/);
    fails({ forMs: 0 }, /expected more than 0/);
    fails({ forMs: 400 * 24 * HOUR }, /at most 366 days/);
    fails({ by: '' }, /needs --by/);
    fails({ why: ' ' }, /needs --why/);
  });
});
