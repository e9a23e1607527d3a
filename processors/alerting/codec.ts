/**
 * Alerts on the bus are JSON, one per message. The dispatcher decodes them with this schema, built
 * once per module (STYLE.md §3). Unknown fields are kept: EVENTS.md welcomes more fields on alerts, and
 * a newer publisher must not make an older dispatcher drop a message.
 */
import { z } from 'zod';
import { SUBJECT_KINDS } from '../../schemas/events.ts';
import type { Alert } from '../outputs.ts';

const reason = z.looseObject({
  rule: z.string(),
  article: z.string().optional(),
  seed: z.string().optional(),
  assumption: z.string().optional(),
  detail: z.string().optional(),
  event_id: z.string().optional(),
});

const alertSchema = z.looseObject({
  kind: z.literal('alert').optional(),
  alert_id: z.string().min(1),
  rule: z.string().min(1),
  severity: z.enum(['key', 'general', 'info']),
  title: z.string(),
  subject_kind: z.enum([...SUBJECT_KINDS, 'chain', 'pack']),
  subject_code: z.string().min(1),
  division: z.string().nullable(),
  pack: z.string().nullable(),
  raised_at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an RFC 3339 time' }),
  status: z.enum(['firing', 'resolved']),
  reasons: z.array(reason),
  explanation: z
    .looseObject({
      indicator: z.string(),
      value: z.number(),
      threshold: z.number(),
      window: z.string(),
      baseline: z.number().optional(),
    })
    .optional(),
  evidence: z.array(z.string()).optional(),
});

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeAlert(a: Alert): Uint8Array {
  return encoder.encode(JSON.stringify(a));
}

export type DecodedAlert =
  | { readonly ok: true; readonly alert: Alert }
  | { readonly ok: false; readonly error: string };

export function decodeAlert(data: Uint8Array | string): DecodedAlert {
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : decoder.decode(data));
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  const parsed = alertSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${issue?.path.join('.') || '(alert)'}: ${issue?.message}` };
  }
  return { ok: true, alert: { ...parsed.data, kind: 'alert' } as Alert };
}
