import { describe, expect, it } from 'vitest';
import { decodeAlert, encodeAlert } from '../../../processors/alerting/codec.ts';
import { alertMsgId, alertSubject, subjectToken } from '../../../processors/alerting/subjects.ts';
import { alert } from './fixtures.ts';

describe('alert subjects and message ids', () => {
  it('an alert goes to alerts.<division>.<severity>.<rule>', () => {
    expect(alertSubject(alert())).toBe('alerts.510104.general.split_admission');
  });

  it('an alert without a division goes under none', () => {
    expect(alertSubject(alert({ division: null, rule: 'policy_expired' }))).toBe(
      'alerts.none.general.policy_expired',
    );
  });

  it('dots, spaces, wildcards and control characters in a token become _, so a rule never splits the subject', () => {
    expect(subjectToken('sichuan.34.7')).toBe('sichuan_34_7');
    expect(subjectToken('a b\tc')).toBe('a_b_c');
    expect(subjectToken('x*>y')).toBe('x__y');
    expect(subjectToken('a\u0000b')).toBe('a_b');
    expect(subjectToken('')).toBe('none');
    expect(alertSubject(alert({ rule: 'chain.34.7 (七)' }))).toBe('alerts.510104.general.chain_34_7_(七)');
  });

  it('the raise and the resolve of one alert have different message ids, a replay the same', () => {
    const firing = alert();
    expect(alertMsgId(firing)).toBe(`${firing.alert_id}:firing`);
    expect(alertMsgId({ ...firing, status: 'resolved' })).toBe(`${firing.alert_id}:resolved`);
    expect(alertMsgId(alert())).toBe(alertMsgId(firing));
  });
});

describe('alert codec', () => {
  it('an alert survives the bus unchanged', () => {
    const a = alert();
    const d = decodeAlert(encodeAlert(a));
    expect(d).toEqual({ ok: true, alert: a });
  });

  it('a line of alerts.ndjson (written without kind) decodes, and unknown fields are kept', () => {
    const { kind: _kind, ...line } = alert();
    const d = decodeAlert(JSON.stringify({ ...line, institution_code: 'H51010400001' }));
    expect(d.ok).toBe(true);
    if (d.ok) expect(d.alert).toMatchObject({ kind: 'alert', institution_code: 'H51010400001' });
  });

  it('a message that is not an alert says which field is wrong', () => {
    expect(decodeAlert('{')).toMatchObject({ ok: false, error: expect.stringMatching(/^not JSON/) });
    expect(decodeAlert(JSON.stringify({ ...alert(), severity: 'critical' }))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^severity:/),
    });
    expect(decodeAlert(JSON.stringify({ ...alert(), raised_at: 'yesterday' }))).toMatchObject({
      ok: false,
      error: 'raised_at: expected an RFC 3339 time',
    });
  });
});
