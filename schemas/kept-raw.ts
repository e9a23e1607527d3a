import { createHash } from 'node:crypto';

/** A dead letter keeps at most this much of its (redacted) record (issue 16: no amplification). */
export const MAX_KEPT_RAW_BYTES = 64 * 1024;

/**
 * The redacted text a dead letter keeps: whole up to MAX_KEPT_RAW_BYTES; beyond, its head, with
 * the record's length in bytes and the SHA-256 of the whole record as received, so the original
 * can be found upstream. The redaction ran over the whole record first: the cut leaves no clear
 * value behind.
 */
export function keptRaw(
  raw: string | Buffer,
  redacted: string,
): { raw: string; raw_bytes?: number; raw_sha256?: string } {
  const bytes = Buffer.from(redacted, 'utf8');
  if (bytes.length <= MAX_KEPT_RAW_BYTES) return { raw: redacted };
  const whole = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  // toString drops a character cut in half at the end (U+FFFD); strip it.
  const head = bytes
    .subarray(0, MAX_KEPT_RAW_BYTES)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return {
    raw: head,
    raw_bytes: whole.length,
    raw_sha256: createHash('sha256').update(whole).digest('hex'),
  };
}
