/**
 * The channels file of `yibao-monitor notify`, compiled once at start-up (STYLE.md §2–3): unknown
 * keys, bad URLs and missing secrets are errors that name the channel and the field. Routing is
 * pure: a channel takes an alert at or above its minimum severity whose division starts with one of
 * its prefixes (no prefixes: every division, and alerts with none such as chains and packs).
 *
 * ```json
 * { "grafana_url": "https://grafana.example.cn",
 *   "channels": [
 *     { "name": "ops", "type": "webhook", "url": "http://alert-relay:9095/alerts" },
 *     { "name": "cd-wecom", "type": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
 *       "min_severity": "general", "divisions": ["5101"] },
 *     { "name": "sc-ding", "type": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=…",
 *       "secret": "SEC…", "min_severity": "key" } ] }
 * ```
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { MonitorError } from '../../schemas/errors.ts';
import type { Alert } from '../outputs.ts';
import { dingtalkChannel } from './channels/dingtalk.ts';
import type { Channel } from './channels/types.ts';
import { webhookChannel } from './channels/webhook.ts';
import { wecomChannel } from './channels/wecom.ts';
import { SEVERITY_RANK } from './fold.ts';
import type { MessageOptions } from './message.ts';

const httpUrl = z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' });

const channelSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,48}$/, {
      message: 'expected 1–48 letters, digits, _ or - (it names the durable consumer notify-<name>)',
    }),
    type: z.enum(['webhook', 'wecom', 'dingtalk']),
    url: httpUrl,
    /** DingTalk's signing secret (SEC…). */
    secret: z.string().min(1).optional(),
    min_severity: z.enum(['info', 'general', 'key']).default('info'),
    /** Division code prefixes (GB/T 2260): "51" 四川, "5101" 成都, "510104" 锦江区. */
    divisions: z
      .array(z.string().regex(/^\d{1,6}$/, { message: 'expected a division code or prefix (1–6 digits)' }))
      .min(1)
      .optional(),
    rate_per_minute: z.number().int().min(1).max(600).default(20),
    /** 'all': a new channel starts with every alert still on the bus; 'new': with the next one. */
    start: z.enum(['all', 'new']).default('all'),
    /** Webhook only: the receiver name in the payload (default: the channel name). */
    receiver: z.string().min(1).optional(),
    /** Webhook only: at most this many alerts per POST (0: all). */
    max_alerts: z.number().int().min(0).default(0),
  })
  .superRefine((c, ctx) => {
    if (c.type === 'dingtalk' && c.secret === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['secret'],
        message: 'a dingtalk channel needs its signing secret (SEC…)',
      });
    if (c.type !== 'dingtalk' && c.secret !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['secret'],
        message: `only dingtalk channels sign; ${c.type} takes no secret`,
      });
    if (c.type !== 'webhook' && c.receiver !== undefined)
      ctx.addIssue({ code: 'custom', path: ['receiver'], message: 'only webhook channels name a receiver' });
  });

const notifySchema = z
  .strictObject({
    grafana_url: httpUrl.optional(),
    external_url: httpUrl.optional(),
    channels: z.array(channelSchema).min(1, { message: 'expected at least one channel' }),
  })
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.channels.forEach((c, i) => {
      if (seen.has(c.name))
        ctx.addIssue({
          code: 'custom',
          path: ['channels', i, 'name'],
          message: `channel name ${c.name} is used twice`,
        });
      seen.add(c.name);
    });
  });

export type ChannelConfig = Readonly<z.infer<typeof channelSchema>>;
export type NotifyConfig = Readonly<z.infer<typeof notifySchema>>;

export function compileNotifyConfig(json: unknown, source = 'channels file'): NotifyConfig {
  const parsed = notifySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new MonitorError(
      'CONFIG_INVALID',
      `${source}: ${path.replace(/^\./, '') || '(top)'}: ${issue.message}`,
      {
        path: issue.path.map(String),
      },
    );
  }
  return Object.freeze(parsed.data);
}

export async function loadNotifyConfig(path: string): Promise<NotifyConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new MonitorError(
      'INPUT_UNREADABLE',
      `cannot read the channels file ${path}: ${(err as Error).message}`,
      { path },
      err,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MonitorError('CONFIG_INVALID', `${path} is not JSON: ${(err as Error).message}`, { path }, err);
  }
  return compileNotifyConfig(json, path);
}

export function routes(c: Pick<ChannelConfig, 'min_severity' | 'divisions'>, a: Alert): boolean {
  if (SEVERITY_RANK[a.severity] > SEVERITY_RANK[c.min_severity]) return false;
  if (!c.divisions) return true;
  const division = a.division;
  return division !== null && c.divisions.some((p) => division.startsWith(p));
}

export type ChannelContext = MessageOptions & { readonly externalURL?: string };

export function createChannel(c: ChannelConfig, ctx: ChannelContext): Channel {
  switch (c.type) {
    case 'webhook':
      return webhookChannel(c.name, c.url, {
        ...ctx,
        receiver: c.receiver ?? c.name,
        maxAlerts: c.max_alerts,
      });
    case 'wecom':
      return wecomChannel(c.name, c.url, ctx);
    case 'dingtalk':
      return dingtalkChannel(c.name, c.url, c.secret!, ctx);
  }
}
