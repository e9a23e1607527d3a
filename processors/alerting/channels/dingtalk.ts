/**
 * DingTalk (钉钉) custom robot with signing (加签): the URL carries `timestamp` (ms) and `sign` =
 * urlencode(base64(HMAC-SHA256(key = secret, message = timestamp + "\n" + secret))); the timestamp
 * must be within an hour of DingTalk's clock. Markdown messages `{msgtype, markdown: {title, text}}`;
 * 20 messages a minute per robot, beyond which the robot is throttled for 10 minutes (errcode 130101).
 */
import { createHmac } from 'node:crypto';
import type { Alert } from '../../outputs.ts';
import { alertMarkdown, type MessageOptions, summaryMarkdown, truncateUtf8 } from '../message.ts';
import { interpretRobot } from './http.ts';
import type { Channel } from './types.ts';

/** Assumption: DingTalk documents no byte limit for markdown; 20,000 bytes keeps well inside what it accepts. */
export const DINGTALK_MAX_BYTES = 20_000;
const DINGTALK_TOO_FAST = 130101;

export type DingtalkMessage = {
  readonly msgtype: 'markdown';
  readonly markdown: { readonly title: string; readonly text: string };
};

/** The signature, base64 (not yet URL-encoded). */
export function dingtalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/** The robot URL (with its access_token) plus `timestamp` and the URL-encoded `sign`. */
export function dingtalkSignedUrl(url: string, secret: string, timestamp: number): string {
  const u = new URL(url);
  u.searchParams.set('timestamp', String(timestamp));
  u.searchParams.set('sign', dingtalkSign(secret, timestamp));
  return u.toString();
}

export function dingtalkMessage(title: string, text: string): DingtalkMessage {
  return { msgtype: 'markdown', markdown: { title, text: truncateUtf8(text, DINGTALK_MAX_BYTES) } };
}

export function dingtalkChannel(name: string, url: string, secret: string, opts: MessageOptions): Channel {
  return {
    name,
    type: 'dingtalk',
    request: (alerts: readonly Alert[], kind, now) => {
      const r =
        kind === 'single' && alerts.length === 1
          ? alertMarkdown(alerts[0]!, opts)
          : summaryMarkdown(alerts, opts, { maxBytes: DINGTALK_MAX_BYTES });
      return { url: dingtalkSignedUrl(url, secret, now), body: dingtalkMessage(r.title, r.text) };
    },
    interpret: (reply, now) =>
      interpretRobot('DingTalk', reply, now, { errcode: DINGTALK_TOO_FAST, retryAfterMs: 10 * 60_000 }),
  };
}
