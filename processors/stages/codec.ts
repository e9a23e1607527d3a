/**
 * Stage messages on the wire (Kafka hand-over topics): JSON, with ±Infinity — the watermark of
 * "nothing yet" and of "the end" — spelt as strings, which JSON cannot carry as numbers.
 */
import type { StageMessage } from './messages.ts';

const MARK_FIELDS = new Set(['t', 'through', 'at']);

export function encodeStageMessage(m: StageMessage): string {
  return JSON.stringify(m, (k, v) =>
    MARK_FIELDS.has(k) && typeof v === 'number' && !Number.isFinite(v) ? (v > 0 ? '+inf' : '-inf') : v,
  );
}

/** Throws with the field and value when the bytes are not a stage message (a bug or a foreign producer). */
export function decodeStageMessage(raw: string | Buffer): StageMessage {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  const m = JSON.parse(text, (k, v) =>
    MARK_FIELDS.has(k) && (v === '+inf' || v === '-inf') ? (v === '+inf' ? Infinity : -Infinity) : v,
  ) as StageMessage;
  if (typeof m !== 'object' || m === null || typeof (m as { kind?: unknown }).kind !== 'string')
    throw new Error(`stage message: ${text.slice(0, 80)} is not an object with a "kind" string`);
  return m;
}
