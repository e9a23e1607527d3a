/**
 * WeCom (企业微信) group robot: `{"msgtype":"markdown","markdown":{"content":…}}`, content at most
 * 4096 bytes of UTF-8, 20 messages a minute per robot; errors come as HTTP 200 with an errcode
 * (https://developer.work.weixin.qq.com/document/path/91770).
 */
import type { Alert } from '../../outputs.ts';
import { alertMarkdown, type MessageOptions, summaryMarkdown, truncateUtf8 } from '../message.ts';
import { interpretRobot } from './http.ts';
import type { Channel } from './types.ts';

export const WECOM_MAX_BYTES = 4096;
/** errcode 45009: "api freq out of limit" — the robot's per-minute budget is spent. */
const WECOM_TOO_FAST = 45009;

export type WecomMessage = { readonly msgtype: 'markdown'; readonly markdown: { readonly content: string } };

export function wecomMessage(content: string): WecomMessage {
  return { msgtype: 'markdown', markdown: { content: truncateUtf8(content, WECOM_MAX_BYTES) } };
}

export function wecomContent(
  alerts: readonly Alert[],
  kind: 'single' | 'summary',
  opts: MessageOptions,
): string {
  return kind === 'single' && alerts.length === 1
    ? alertMarkdown(alerts[0]!, opts).text
    : summaryMarkdown(alerts, opts, { maxBytes: WECOM_MAX_BYTES }).text;
}

export function wecomChannel(name: string, url: string, opts: MessageOptions): Channel {
  return {
    name,
    type: 'wecom',
    request: (alerts, kind) => ({ url, body: wecomMessage(wecomContent(alerts, kind, opts)) }),
    interpret: (reply, now) =>
      interpretRobot('WeCom', reply, now, { errcode: WECOM_TOO_FAST, retryAfterMs: 60_000 }),
  };
}
