/**
 * What a notification says, whatever the channel (pure): what happened, to whom (subject, division),
 * why (rule, value against threshold over a window, the article) and where to look (the
 * institution's Grafana dashboard).
 */
import type { Alert } from '../outputs.ts';
import { byPriority } from './fold.ts';

export type MessageOptions = {
  /** Grafana's base URL (https://grafana.example.cn); without it messages carry no link. */
  readonly grafanaUrl?: string;
  /**
   * The institution whose dashboard an alert links to. Default: the subject when it is an
   * institution. Alerts on practitioners do not carry their institution's code (outputs.ts).
   */
  readonly institutionOf?: (a: Alert) => string | null;
};

export const SEVERITY_LABEL: Readonly<Record<Alert['severity'], string>> = {
  key: '重点',
  general: '一般',
  info: '提示',
};

const SUBJECT_LABEL: Readonly<Record<Alert['subject_kind'], string>> = {
  institution: '定点医药机构',
  practitioner: '医保相关人员',
  insured: '参保人',
  employer: '参保单位',
  chain: '连锁药店品牌',
  pack: '信用管理办法',
};

export const INSTITUTION_DASHBOARD_UID = 'yibao-institution';

export function dashboardUrl(grafanaUrl: string, institution: string): string {
  return `${grafanaUrl.replace(/\/+$/, '')}/d/${INSTITUTION_DASHBOARD_UID}?var-institution=${encodeURIComponent(institution)}`;
}

export function alertLink(a: Alert, opts: MessageOptions): string | undefined {
  if (!opts.grafanaUrl) return undefined;
  const inst = opts.institutionOf
    ? opts.institutionOf(a)
    : a.subject_kind === 'institution'
      ? a.subject_code
      : null;
  return inst ? dashboardUrl(opts.grafanaUrl, inst) : undefined;
}

export function headline(a: Alert): string {
  return a.status === 'resolved' ? `【已解除】${a.title}` : `【${SEVERITY_LABEL[a.severity]}预警】${a.title}`;
}

export function whom(a: Alert): string {
  return `${SUBJECT_LABEL[a.subject_kind]} ${a.subject_code}${a.division ? `（统筹区 ${a.division}）` : ''}`;
}

export function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(4)));
}

/** `indicator = value，阈值 threshold，窗口 window[，基线 baseline]`, when the alert has an explanation. */
export function measurement(a: Alert): string | undefined {
  const e = a.explanation;
  if (!e) return undefined;
  const baseline = e.baseline !== undefined ? `，基线 ${formatNumber(e.baseline)}` : '';
  return `${e.indicator} = ${formatNumber(e.value)}，阈值 ${formatNumber(e.threshold)}，窗口 ${e.window}${baseline}`;
}

/** The articles the alert rests on, with the pack: `sichuan 第十九条`. */
export function articles(a: Alert): string | undefined {
  const list = [...new Set(a.reasons.flatMap((r) => (r.article ? [r.article] : [])))];
  if (list.length === 0) return undefined;
  return `${a.pack ? `${a.pack} ` : ''}${list.join('、')}`;
}

export function detail(a: Alert): string | undefined {
  return a.reasons.find((r) => r.detail)?.detail;
}

export type Rendered = { readonly title: string; readonly text: string };

/** One alert as markdown (the subset WeCom and DingTalk both render). */
export function alertMarkdown(a: Alert, opts: MessageOptions): Rendered {
  const title = headline(a);
  const lines = [`### ${title}`, `> 对象：${whom(a)}`];
  const basis = articles(a);
  lines.push(`> 规则：${a.rule}${basis ? `（依据 ${basis}）` : ''}`);
  const m = measurement(a);
  if (m) lines.push(`> 指标：${m}`);
  const d = detail(a);
  if (d) lines.push(`> 说明：${oneLine(d)}`);
  lines.push(`> ${a.status === 'resolved' ? '解除时间' : '预警时间'}：${a.raised_at}`);
  const link = alertLink(a, opts);
  if (link) lines.push('', `[查看机构看板](${link})`);
  lines.push('', `告警编号：${a.alert_id}`);
  return { title, text: lines.join('\n') };
}

/** The title of a folded burst: `12 条新预警：3 重点，7 一般，2 提示；2 条已解除`. */
export function summaryTitle(alerts: readonly Alert[]): string {
  const firing = alerts.filter((a) => a.status === 'firing');
  const resolved = alerts.length - firing.length;
  if (firing.length === 0) return `${resolved} 条预警已解除`;
  const counts = (['key', 'general', 'info'] as const)
    .map((s) => [s, firing.filter((a) => a.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${SEVERITY_LABEL[s]}`);
  return `${firing.length} 条新预警：${counts.join('，')}${resolved > 0 ? `；${resolved} 条已解除` : ''}`;
}

function summaryLine(a: Alert, opts: MessageOptions): string {
  const mark = a.status === 'resolved' ? '已解除' : SEVERITY_LABEL[a.severity];
  const e = a.explanation;
  const value = e
    ? ` ${e.indicator} ${formatNumber(e.value)}/阈值 ${formatNumber(e.threshold)}（${e.window}）`
    : '';
  const link = alertLink(a, opts);
  return `- 【${mark}】${a.title} · ${whom(a)} · ${a.rule}${value}${link ? ` [看板](${link})` : ''}`;
}

/**
 * A burst as one message: the counts, then the most important alerts one line each, as many as fit
 * in `maxBytes` (at most `maxItems`), and how many were left out.
 */
export function summaryMarkdown(
  alerts: readonly Alert[],
  opts: MessageOptions,
  limits: { maxBytes: number; maxItems?: number },
): Rendered {
  const ranked = [...alerts].sort(byPriority);
  const title = summaryTitle(ranked);
  const build = (n: number) => {
    const lines = [`### ${title}`, ...ranked.slice(0, n).map((a) => summaryLine(a, opts))];
    if (n < ranked.length)
      lines.push(`…另有 ${ranked.length - n} 条未列出${opts.grafanaUrl ? '，请在看板查看' : ''}`);
    return lines.join('\n');
  };
  let n = Math.min(ranked.length, limits.maxItems ?? 10);
  let text = build(n);
  while (n > 1 && utf8Length(text) > limits.maxBytes) text = build(--n);
  return { title, text: truncateUtf8(text, limits.maxBytes) };
}

export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

const CUT_MARK = '\n…（内容过长，已截断）';

/** At most `maxBytes` of UTF-8, cut on a character (on a line when one ends in the second half). */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  const budget = maxBytes - utf8Length(CUT_MARK);
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const n = utf8Length(ch);
    if (bytes + n > budget) break;
    bytes += n;
    end += ch.length;
  }
  let cut = text.slice(0, end);
  const nl = cut.lastIndexOf('\n');
  if (nl > cut.length / 2) cut = cut.slice(0, nl);
  return `${cut}${CUT_MARK}`;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
