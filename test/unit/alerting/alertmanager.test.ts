// The Alertmanager mapping (labels, annotations, times) and the answers of POST /api/v2/alerts. The
// error messages are those Alertmanager 0.25 (Debian's prometheus-alertmanager) answered when sent
// each bad alert (curl against the binary); test/integration/alertmanager.test.ts runs it for real.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  alertsEndpoint,
  errorMessage,
  postAlerts,
  rejectedField,
} from '../../../processors/alerting/alertmanager/client.ts';
import {
  amLabels,
  dashboardLink,
  firingEntry,
  postable,
  resolvedEntry,
  windowMs,
} from '../../../processors/alerting/alertmanager/payload.ts';
import { compileAlertmanagerSettings } from '../../../processors/alerting/alertmanager/pusher.ts';
import { fingerprint } from '../../../processors/alerting/channels/webhook.ts';
import { alert } from './fixtures.ts';

const GRAFANA = 'https://grafana.example.cn';
const NOW = Date.parse('2025-03-04T03:00:00Z');

describe('labels', () => {
  it('alertname is the rule, severity the ASCII level, subject kind:code, division and pack when present', () => {
    expect(amLabels(alert({ severity: 'key' }))).toEqual({
      alertname: 'split_admission',
      severity: 'key',
      subject: 'institution:H51010400001',
      subject_kind: 'institution',
      division: '510104',
      pack: 'sichuan',
      source: 'yibao-credit-monitor',
    });
    const chain = amLabels(alert({ subject_kind: 'chain', subject_code: 'C1', division: null, pack: null }));
    expect(chain).not.toHaveProperty('division');
    expect(chain).not.toHaveProperty('pack');
  });

  it('the resolve keeps the labels of its raise, so it resolves the same Alertmanager alert', () => {
    const raise = firingEntry(alert({ alert_id: 'alert-raise' }), { grafanaUrl: GRAFANA }, NOW);
    const resolve = alert({
      alert_id: 'alert-resolve',
      status: 'resolved',
      raised_at: '2025-03-05T10:00:00+08:00',
    });
    const done = resolvedEntry(raise, resolve, { grafanaUrl: GRAFANA }, NOW);
    expect(fingerprint(done.labels)).toBe(fingerprint(raise.labels));
    expect(done.annotations.alert_id).toBe('alert-raise');
    expect(done.annotations.resolved_by).toBe('alert-resolve');
    expect(done.annotations.summary).toMatch(/^【已解除】/);
  });
});

describe('annotations', () => {
  it('title, explanation, article and a dashboard link over the window before the alert', () => {
    const a = alert();
    const e = firingEntry(a, { grafanaUrl: GRAFANA }, NOW);
    const raised = Date.parse(a.raised_at);
    expect(e.annotations.title).toBe(a.title);
    expect(e.annotations.explanation).toBe('readmission_15d = 3，阈值 2，窗口 30d，基线 0.8');
    expect(e.annotations.article).toBe('sichuan 第十九条');
    expect(e.annotations.severity_name).toBe('一般');
    expect(e.annotations.dashboard).toBe(
      `${GRAFANA}/d/yibao-institution?var-institution=H51010400001&from=${raised - 30 * 86_400_000}&to=${raised + 3_600_000}`,
    );
    expect(e.generatorURL).toBe(e.annotations.dashboard);
  });

  it('a resolved alert links from its start to an hour after its resolution', () => {
    const a = alert();
    const r = alert({ status: 'resolved', raised_at: '2025-03-06T10:00:00+08:00' });
    const link = dashboardLink(
      r,
      { grafanaUrl: GRAFANA },
      { startMs: Date.parse(a.raised_at), endMs: Date.parse(r.raised_at) },
    );
    expect(link).toContain(`&to=${Date.parse(r.raised_at) + 3_600_000}`);
  });

  it('no Grafana URL, or a subject with no institution dashboard: no link and no generatorURL', () => {
    expect(firingEntry(alert(), {}, NOW).generatorURL).toBeUndefined();
    const e = firingEntry(
      alert({ subject_kind: 'insured', subject_code: 'P1' }),
      { grafanaUrl: GRAFANA },
      NOW,
    );
    expect(e.annotations.dashboard).toBeUndefined();
  });

  it('reads the first duration of a window; a day when it has none', () => {
    expect(windowMs('30d')).toBe(30 * 86_400_000);
    expect(windowMs('24h vs trailing 7d')).toBe(24 * 3_600_000);
    expect(windowMs('stay')).toBe(86_400_000);
  });
});

describe('times', () => {
  const e = firingEntry(alert(), {}, NOW);

  it('firing: startsAt the raise, endsAt ahead of now by endsAhead', () => {
    const p = postable(e, NOW, 240_000);
    expect(p.startsAt).toBe(new Date(Date.parse(alert().raised_at)).toISOString());
    expect(p.endsAt).toBe(new Date(NOW + 240_000).toISOString());
  });

  it('resolved: endsAt the resolution time', () => {
    const r = resolvedEntry(
      e,
      alert({ status: 'resolved', raised_at: '2025-03-04T10:30:00+08:00' }),
      {},
      NOW,
    );
    expect(postable(r, NOW, 240_000).endsAt).toBe('2025-03-04T02:30:00.000Z');
  });

  it('event time ahead of the wall clock is capped at now, and startsAt never passes endsAt', () => {
    const future = firingEntry(alert({ raised_at: '2030-01-01T00:00:00Z' }), {}, NOW);
    const r = resolvedEntry(
      future,
      alert({ status: 'resolved', raised_at: '2030-01-02T00:00:00Z' }),
      {},
      NOW,
    );
    const p = postable(r, NOW, 240_000);
    expect(p.endsAt).toBe(new Date(NOW).toISOString());
    expect(Date.parse(p.startsAt)).toBeLessThanOrEqual(Date.parse(p.endsAt));
  });
});

describe("Alertmanager's answers", () => {
  it.each([
    ['"start time must be before end time"', 'startsAt/endsAt'],
    ['"at least one label pair required"', 'labels'],
    ['"invalid label set: invalid name \\"bad-name\\""', 'labels.bad-name'],
    [
      '{"code":400,"message":"parsing alerts body from \\"\\" failed, because json: cannot unmarshal number into Go struct field .annotations of type string"}',
      'annotations',
    ],
    [
      '{"code":400,"message":"parsing alerts body from \\"\\" failed, because parsing time \\"yesterday\\" as \\"2006-01-02 15:04:05\\": cannot parse \\"yesterday\\" as \\"2006\\""}',
      'startsAt/endsAt',
    ],
    ['{"code":601,"message":"0.generatorURL in body must be of type uri: \\"not a url\\""}', 'generatorURL'],
  ])('%s names the field %s', (body, field) => {
    expect(rejectedField(errorMessage(body)).field).toBe(field);
  });

  it('the endpoint is /api/v2/alerts under the base URL, given with it or without', () => {
    expect(alertsEndpoint('http://am:9093')).toBe('http://am:9093/api/v2/alerts');
    expect(alertsEndpoint('http://am:9093/')).toBe('http://am:9093/api/v2/alerts');
    expect(alertsEndpoint('http://proxy/am/api/v2/alerts')).toBe('http://proxy/am/api/v2/alerts');
  });

  it('400 names the field and is not retried; 503 and a refused connection are', async () => {
    const replies = [
      { status: 400, body: '"invalid label set: invalid name \\"bad-name\\""' },
      { status: 503, body: 'unavailable' },
    ];
    const server = createServer((req, res) => {
      req.resume();
      const r = replies.shift()!;
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(r.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/alerts`;
    try {
      expect(await postAlerts(url, [])).toMatchObject({
        ok: false,
        retriable: false,
        status: 400,
        field: 'labels.bad-name',
      });
      expect(await postAlerts(url, [])).toMatchObject({ ok: false, retriable: true, status: 503 });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(await postAlerts(url, [], { timeoutMs: 2_000 })).toMatchObject({ ok: false, retriable: true });
  });
});

describe('settings', () => {
  it('endsAt must lie beyond the next re-send, and the URLs must be http(s)', () => {
    expect(() =>
      compileAlertmanagerSettings({ urls: ['http://am:9093'], resendMs: 60_000, endsAheadMs: 30_000 }),
    ).toThrow(/more than the resend interval/);
    expect(() => compileAlertmanagerSettings({ urls: ['am:9093'] })).toThrow(/an http\(s\) URL/);
    expect(() => compileAlertmanagerSettings({ urls: [] })).toThrow(/at least one/);
    expect(compileAlertmanagerSettings({ urls: ['http://am:9093'] }).endsAheadMs).toBe(240_000);
  });
});
