import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DINGTALK_MAX_BYTES,
  dingtalkChannel,
  dingtalkSign,
  dingtalkSignedUrl,
} from '../../../processors/alerting/channels/dingtalk.ts';
import {
  alertFingerprint,
  fingerprint,
  NO_END,
  type WebhookPayload,
  webhookChannel,
  webhookPayload,
} from '../../../processors/alerting/channels/webhook.ts';
import {
  WECOM_MAX_BYTES,
  type WecomMessage,
  wecomChannel,
  wecomMessage,
} from '../../../processors/alerting/channels/wecom.ts';
import {
  alertMarkdown,
  dashboardUrl,
  summaryMarkdown,
  utf8Length,
} from '../../../processors/alerting/message.ts';
import { alert, burst } from './fixtures.ts';

const GRAFANA = 'https://grafana.example.cn/';
const NOW = Date.parse('2025-03-04T02:00:05Z');

describe('what every message says', () => {
  it('a single alert says what happened, to whom, why, and links to the institution dashboard', () => {
    const { title, text } = alertMarkdown(alert({ severity: 'key' }), { grafanaUrl: GRAFANA });
    expect(title).toBe('【重点预警】分解住院：出院后短期内再次入院');
    expect(text).toContain('定点医药机构 H51010400001（统筹区 510104）');
    expect(text).toContain('split_admission（依据 sichuan 第十九条）');
    expect(text).toContain('readmission_15d = 3，阈值 2，窗口 30d，基线 0.8');
    expect(text).toContain('15 日内再入院 3 人次');
    expect(text).toContain(
      '[查看机构看板](https://grafana.example.cn/d/yibao-institution?var-institution=H51010400001)',
    );
    expect(text).toContain('告警编号：alert-AbC123_xyz-0000001');
  });

  it('a resolve says 已解除 and when', () => {
    const { title, text } = alertMarkdown(alert({ status: 'resolved' }), {});
    expect(title).toBe('【已解除】分解住院：出院后短期内再次入院');
    expect(text).toContain('解除时间：2025-03-04T10:00:00.000+08:00');
    expect(text).not.toContain('看板'); // no Grafana URL given
  });

  it('an alert on a practitioner or a chain has no institution to link to', () => {
    const text = alertMarkdown(alert({ subject_kind: 'practitioner', subject_code: 'D51010400000012' }), {
      grafanaUrl: GRAFANA,
    }).text;
    expect(text).toContain('医保相关人员 D51010400000012');
    expect(text).not.toContain('/d/yibao-institution');
  });

  it('the dashboard link escapes the code and drops a trailing slash of the base URL', () => {
    expect(dashboardUrl('http://g:3000//', 'H5101 04')).toBe(
      'http://g:3000/d/yibao-institution?var-institution=H5101%2004',
    );
  });

  it('a summary counts by severity and lists the most important first', () => {
    const alerts = [...burst(12), alert({ alert_id: 'alert-r1', status: 'resolved' })];
    const { title, text } = summaryMarkdown(alerts, { grafanaUrl: GRAFANA }, { maxBytes: 4096, maxItems: 5 });
    expect(title).toBe('12 条新预警：4 重点，4 一般，4 提示；1 条已解除');
    const lines = text.split('\n');
    expect(lines[0]).toBe(`### ${title}`);
    expect(lines.slice(1, 5).every((l) => l.startsWith('- 【重点】'))).toBe(true);
    expect(lines[5]).toMatch(/^- 【一般】/);
    expect(lines.at(-1)).toBe('…另有 8 条未列出，请在看板查看');
    expect(text).toContain(
      '[看板](https://grafana.example.cn/d/yibao-institution?var-institution=H51010400000)',
    );
  });
});

describe('Alertmanager webhook (v4)', () => {
  const opts = { receiver: 'ops', grafanaUrl: GRAFANA, externalURL: 'https://monitor.example.cn' };

  it('the fingerprint is Prometheus’ label-set fingerprint (prometheus/common TestMetricToFingerprint)', () => {
    expect(BigInt(`0x${fingerprint({ name: 'garland, briggs', fear: 'love is not enough' })}`)).toBe(
      5799056148416392346n,
    );
    expect(fingerprint({})).toBe(14695981039346656037n.toString(16));
    expect(fingerprint({ a: '1', b: '2' })).toBe(fingerprint({ b: '2', a: '1' }));
    expect(fingerprint({ a: '1', b: '2' })).toMatch(/^[0-9a-f]{16}$/);
  });

  it('a firing alert carries every v4 field, endsAt the zero time', () => {
    const p: WebhookPayload = webhookPayload([alert()], opts);
    expect(Object.keys(p).sort()).toEqual(
      [
        'version',
        'groupKey',
        'truncatedAlerts',
        'status',
        'receiver',
        'groupLabels',
        'commonLabels',
        'commonAnnotations',
        'externalURL',
        'alerts',
      ].sort(),
    );
    expect(p).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'ops',
      truncatedAlerts: 0,
      externalURL: 'https://monitor.example.cn',
      groupLabels: { alertname: 'split_admission', division: '510104' },
      groupKey: '{}/{receiver="ops"}:{alertname="split_admission", division="510104"}',
    });
    const [a] = p.alerts;
    expect(a).toEqual({
      status: 'firing',
      labels: {
        alertname: 'split_admission',
        subject_kind: 'institution',
        subject_code: 'H51010400001',
        division: '510104',
        severity: 'general',
        pack: 'sichuan',
      },
      annotations: expect.objectContaining({
        summary: '【一般预警】分解住院：出院后短期内再次入院',
        indicator: 'readmission_15d',
        value: '3',
        threshold: '2',
        window: '30d',
        baseline: '0.8',
        article: 'sichuan 第十九条',
        alert_id: 'alert-AbC123_xyz-0000001',
        dashboard: 'https://grafana.example.cn/d/yibao-institution?var-institution=H51010400001',
      }),
      startsAt: '2025-03-04T02:00:00.000Z',
      endsAt: NO_END,
      generatorURL: 'https://grafana.example.cn/d/yibao-institution?var-institution=H51010400001',
      fingerprint: alertFingerprint(alert()),
    });
    expect(p.commonLabels).toEqual(a!.labels);
  });

  it('a resolve has endsAt set and the same fingerprint as its raise, whatever its severity and id', () => {
    const firing = alert();
    const resolved = alert({ alert_id: 'alert-other-id', status: 'resolved', severity: 'key' });
    const p = webhookPayload([resolved], opts);
    expect(p.status).toBe('resolved');
    expect(p.alerts[0]!.endsAt).toBe('2025-03-04T02:00:00.000Z');
    expect(p.alerts[0]!.fingerprint).toBe(alertFingerprint(firing));
    expect(alertFingerprint(alert({ subject_code: 'H51010400002' }))).not.toBe(alertFingerprint(firing));
    expect(alertFingerprint(alert({ division: '510105' }))).not.toBe(alertFingerprint(firing));
    expect(alertFingerprint(alert({ rule: 'amount_spike' }))).not.toBe(alertFingerprint(firing));
  });

  it('a folded burst is one payload with every alert, only the shared labels common; max_alerts truncates', () => {
    const alerts = burst(5);
    const p = webhookPayload(alerts, opts);
    expect(p.alerts).toHaveLength(5);
    expect(p.commonLabels).toEqual({
      alertname: 'split_admission',
      subject_kind: 'institution',
      division: '510104',
      pack: 'sichuan',
    });
    expect(new Set(p.alerts.map((a) => a.fingerprint)).size).toBe(5);
    const cut = webhookPayload(alerts, { ...opts, maxAlerts: 2 });
    expect(cut.alerts).toHaveLength(2);
    expect(cut.truncatedAlerts).toBe(3);
  });

  it('the channel posts the payload to its URL; 2xx is success whatever the body', () => {
    const ch = webhookChannel('ops', 'http://relay/alerts', opts);
    expect(ch.request([alert()], 'single', NOW)).toEqual({
      url: 'http://relay/alerts',
      body: webhookPayload([alert()], opts),
    });
    expect(ch.interpret({ status: 204, retryAfter: null, body: '' }, NOW)).toEqual({ ok: true });
    expect(ch.interpret({ status: 503, retryAfter: null, body: 'down' }, NOW)).toMatchObject({
      ok: false,
      retriable: true,
    });
    expect(ch.interpret({ status: 400, retryAfter: null, body: 'bad' }, NOW)).toMatchObject({
      ok: false,
      retriable: false,
    });
  });
});

describe('WeCom group robot', () => {
  it('a markdown message: msgtype markdown, markdown.content', () => {
    const ch = wecomChannel('wx', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k', {
      grafanaUrl: GRAFANA,
    });
    const req = ch.request([alert()], 'single', NOW);
    expect(req.url).toBe('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k');
    const body = req.body as WecomMessage;
    expect(Object.keys(body)).toEqual(['msgtype', 'markdown']);
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.content).toBe(alertMarkdown(alert(), { grafanaUrl: GRAFANA }).text);
  });

  it('content never exceeds 4096 bytes of UTF-8, cut on a character with a note', () => {
    const long = wecomMessage(`### 标题\n${'医保基金监管'.repeat(1_000)}`);
    expect(utf8Length(long.markdown.content)).toBeLessThanOrEqual(WECOM_MAX_BYTES);
    expect(long.markdown.content).toMatch(/已截断）$/);
    expect(long.markdown.content).not.toContain('\uFFFD');
    const detail = alert({ reasons: [{ rule: 'r', detail: '超长说明'.repeat(2_000) }] });
    const ch = wecomChannel('wx', 'https://q/send?key=k', {});
    expect(
      utf8Length((ch.request([detail], 'single', NOW).body as WecomMessage).markdown.content),
    ).toBeLessThanOrEqual(WECOM_MAX_BYTES);
  });

  it('a summary of 500 alerts fits 4096 bytes by listing fewer of them, and says how many are left out', () => {
    const ch = wecomChannel('wx', 'https://q/send?key=k', { grafanaUrl: GRAFANA });
    const content = (ch.request(burst(500), 'summary', NOW).body as WecomMessage).markdown.content;
    expect(utf8Length(content)).toBeLessThanOrEqual(WECOM_MAX_BYTES);
    expect(content).toMatch(/^### 500 条新预警：167 重点，167 一般，166 提示/);
    expect(content).toMatch(/…另有 \d+ 条未列出/);
  });

  it('errcode 0 is success, 45009 (too fast) is retried after a minute, other errcodes are not retried', () => {
    const ch = wecomChannel('wx', 'https://q/send?key=k', {});
    const ok = (body: object) => ({ status: 200, retryAfter: null, body: JSON.stringify(body) });
    expect(ch.interpret(ok({ errcode: 0, errmsg: 'ok' }), NOW)).toEqual({ ok: true });
    expect(ch.interpret(ok({ errcode: 45009, errmsg: 'api freq out of limit' }), NOW)).toEqual({
      ok: false,
      retriable: true,
      retryAfterMs: 60_000,
      reason: 'WeCom errcode 45009: api freq out of limit',
    });
    expect(ch.interpret(ok({ errcode: -1, errmsg: 'system busy' }), NOW)).toMatchObject({ retriable: true });
    expect(ch.interpret(ok({ errcode: 93000, errmsg: 'invalid webhook url' }), NOW)).toMatchObject({
      retriable: false,
    });
  });
});

describe('DingTalk robot with signing', () => {
  const SECRET = 'SECa1b2c3d4e5f6a7b8c9d0';
  const URL_WITH_TOKEN = 'https://oapi.dingtalk.com/robot/send?access_token=tok123';

  it('sign is base64 HMAC-SHA256 of "timestamp\\nsecret" keyed with the secret, URL-encoded in the query', () => {
    const ts = 1_741_053_605_000;
    const url = new URL(dingtalkSignedUrl(URL_WITH_TOKEN, SECRET, ts));
    expect(url.searchParams.get('access_token')).toBe('tok123');
    expect(url.searchParams.get('timestamp')).toBe(String(ts));
    const recomputed = createHmac('sha256', SECRET).update(`${ts}\n${SECRET}`).digest('base64');
    expect(url.searchParams.get('sign')).toBe(recomputed);
    expect(dingtalkSign(SECRET, ts)).toBe(recomputed);
    // The raw query carries the URL-encoded form: no bare +, / or = from the base64.
    const raw = url.search
      .split('&')
      .find((p) => p.startsWith('sign='))!
      .slice(5);
    expect(raw).toBe(encodeURIComponent(recomputed));
    expect(raw).not.toMatch(/[+/=]/);
  });

  it('a markdown message with a title and the text; the URL is signed at send time', () => {
    const ch = dingtalkChannel('dd', URL_WITH_TOKEN, SECRET, { grafanaUrl: GRAFANA });
    const req = ch.request([alert({ severity: 'key' })], 'single', NOW);
    expect(req.body).toEqual({
      msgtype: 'markdown',
      markdown: alertMarkdown(alert({ severity: 'key' }), { grafanaUrl: GRAFANA }),
    });
    const u = new URL(req.url);
    expect(u.searchParams.get('timestamp')).toBe(String(NOW));
    expect(u.searchParams.get('sign')).toBe(dingtalkSign(SECRET, NOW));
    const summary = ch.request(burst(30), 'summary', NOW).body as {
      markdown: { title: string; text: string };
    };
    expect(summary.markdown.title).toBe('30 条新预警：10 重点，10 一般，10 提示');
    expect(utf8Length(summary.markdown.text)).toBeLessThanOrEqual(DINGTALK_MAX_BYTES);
  });

  it('errcode 130101 (too fast) waits out the 10-minute throttle; 310000 (bad signature) is not retried', () => {
    const ch = dingtalkChannel('dd', URL_WITH_TOKEN, SECRET, {});
    const reply = (errcode: number, errmsg: string) => ({
      status: 200,
      retryAfter: null,
      body: JSON.stringify({ errcode, errmsg }),
    });
    expect(ch.interpret(reply(0, 'ok'), NOW)).toEqual({ ok: true });
    expect(ch.interpret(reply(130101, 'send too fast'), NOW)).toMatchObject({
      retriable: true,
      retryAfterMs: 600_000,
    });
    expect(ch.interpret(reply(310000, 'sign not match'), NOW)).toMatchObject({
      retriable: false,
      reason: 'DingTalk errcode 310000: sign not match',
    });
    expect(ch.interpret({ status: 200, retryAfter: null, body: '<html>' }, NOW)).toMatchObject({
      retriable: false,
    });
  });
});
