/**
 * A channel is two pure halves around one HTTP POST (STYLE.md §1, platformatic's createRequest /
 * parseResponse): `request` builds the message for some alerts, `interpret` reads the answer.
 */
import type { Alert } from '../../outputs.ts';

export type ChannelType = 'webhook' | 'wecom' | 'dingtalk';

export type HttpRequest = { readonly url: string; readonly body: unknown };

export type HttpReply = {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: string;
};

export type SendOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly retriable: boolean;
      readonly retryAfterMs?: number;
      readonly reason: string;
    };

export interface Channel {
  readonly name: string;
  readonly type: ChannelType;
  /** One alert ('single') or a folded burst ('summary'), at wall-clock `now` (DingTalk signs it). */
  request(alerts: readonly Alert[], kind: 'single' | 'summary', now: number): HttpRequest;
  interpret(reply: HttpReply, now: number): SendOutcome;
}
