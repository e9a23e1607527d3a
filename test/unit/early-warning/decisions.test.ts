import { describe, expect, it } from 'vitest';
import { AlertBook } from '../../../rules/early-warning/decisions.ts';
import type { Outcome } from '../../../rules/early-warning/outcome.ts';
import { compileThresholds } from '../../../rules/early-warning/thresholds.ts';
import { isMonitorError } from '../../../schemas/errors.ts';

const H = 3_600_000;
const o = (at: number, value: number, extra: Partial<Outcome> = {}): Outcome => ({
  rule: 'claim_reduction_rate',
  subject_kind: 'institution',
  subject_code: 'H51010700001',
  division: '510107',
  pack: 'sichuan',
  at,
  breached: value >= 0.1,
  resolve_below: 0.09,
  value,
  threshold: 0.1,
  window: '30d',
  indicator: 'audit_reduction_rate',
  detail: '',
  evidence: [],
  ...extra,
});

describe('alert decisions', () => {
  it('a breach opens one alert; while open, the same breach within the cool-down is not raised again', () => {
    const book = new AlertBook({ cooldownMs: 24 * H, escalationFactor: 2 });
    expect(book.decide(o(0, 0.12))?.action).toBe('raise');
    expect(book.decide(o(H, 0.13))).toBeUndefined();
    expect(book.decide(o(23 * H, 0.13))).toBeUndefined();
    expect(book.decide(o(24 * H, 0.13))?.action).toBe('raise');
  });

  it('an escalation (twice the threshold) re-raises at once as key', () => {
    const book = new AlertBook({ cooldownMs: 24 * H, escalationFactor: 2 });
    expect(book.decide(o(0, 0.12))).toMatchObject({ action: 'raise', severity: 'general' });
    expect(book.decide(o(H, 0.21))).toMatchObject({ action: 'raise', severity: 'key', escalated: true });
    expect(book.decide(o(2 * H, 0.25))).toBeUndefined();
  });

  it('resolves with hysteresis: 0.095 under the 0.1 threshold keeps it open, 0.089 resolves it', () => {
    const book = new AlertBook({ cooldownMs: 24 * H, escalationFactor: 2 });
    book.decide(o(0, 0.12));
    expect(book.decide(o(H, 0.095))).toBeUndefined();
    expect(book.openCount).toBe(1);
    expect(book.decide(o(2 * H, 0.089))).toMatchObject({ action: 'resolve', opened_at: 0 });
    expect(book.openCount).toBe(0);
    expect(book.decide(o(3 * H, 0.11))?.action).toBe('raise');
  });

  it('alerts are per (rule, subject): another subject opens its own', () => {
    const book = new AlertBook({ cooldownMs: 24 * H, escalationFactor: 2 });
    book.decide(o(0, 0.12));
    expect(book.decide(o(0, 0.12, { subject_code: 'H51010700002' }))?.action).toBe('raise');
    expect(book.openBySeverity()).toEqual({ key: 0, general: 2, info: 0 });
  });
});

describe('threshold overrides', () => {
  it('a division override beats a pack override, which beats the default', () => {
    const t = compileThresholds({
      packs: { sichuan: { amount_spike: { ratio: 4 } } },
      divisions: { '5101': { amount_spike: { ratio: 5 } }, '510107': { amount_spike: { min_amount: 1 } } },
    });
    expect(t('amount_spike', null, '440104').ratio).toBe(3);
    expect(t('amount_spike', 'sichuan', '510681').ratio).toBe(4);
    expect(t('amount_spike', 'sichuan', '510104').ratio).toBe(5);
    expect(t('amount_spike', 'sichuan', '510107')).toMatchObject({ ratio: 5, min_amount: 1 });
  });

  it('an unknown rule or threshold is a start-up error naming it', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
    };
    const e1 = err(() => compileThresholds({ packs: { sichuan: { amount_spik: { ratio: 4 } } } }));
    expect(isMonitorError(e1, 'CONFIG_INVALID') && e1.message).toMatch(
      /packs\.sichuan\.amount_spik: no such early-warning rule/,
    );
    const e2 = err(() => compileThresholds({ divisions: { '5101': { amount_spike: { ratoi: 4 } } } }));
    expect(isMonitorError(e2, 'CONFIG_INVALID') && e2.message).toMatch(
      /divisions\.5101\.amount_spike\.ratoi: no such threshold/,
    );
  });
});
