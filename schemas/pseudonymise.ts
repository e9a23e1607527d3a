/**
 * Keyed pseudonymisation of personal identifiers (psn_no, ID numbers) at ingest: HMAC-SHA256 with
 * a secret key, so tokens are stable for joins across records yet cannot be reversed or
 * recomputed without the key (四川 第二十二条: personal privacy is never disclosed).
 */
import { createHmac } from 'node:crypto';

export type Pseudonymiser = (clear: string) => string;

/** 128 bits of the HMAC, base64url: collision-free at national scale, 25 chars of state per person. */
export function createPseudonymiser(key: string): Pseudonymiser {
  if (key.length < 16) throw new RangeError('pseudonym key must be at least 16 characters');
  return (clear) =>
    `ps_${createHmac('sha256', key).update(clear, 'utf8').digest().subarray(0, 16).toString('base64url')}`;
}

/** Fields whose value is personal data wherever they appear in a raw record. */
const PERSONAL_FIELD = /("(?:psn_no|certno|id_no|idcard)"\s*:\s*)"((?:[^"\\]|\\.)*)"/g;
const INSURED_SUBJECT = /"subject_kind"\s*:\s*"insured"/;
const SUBJECT_CODE = /("subject_code"\s*:\s*)"((?:[^"\\]|\\.)*)"/g;

/**
 * A raw record as it may be kept in dead letters: its text unchanged except personal identifiers,
 * replaced by their tokens. Works on text that is not valid JSON too (truncated records).
 */
export function redactRaw(raw: string, pseudonymise: Pseudonymiser): string {
  let out = raw.replace(
    PERSONAL_FIELD,
    (_m, head: string, value: string) => `${head}"${pseudonymise(value)}"`,
  );
  if (INSURED_SUBJECT.test(out)) {
    out = out.replace(SUBJECT_CODE, (_m, head: string, value: string) => `${head}"${pseudonymise(value)}"`);
  }
  return out;
}
