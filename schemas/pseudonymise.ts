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

/**
 * A field's value in raw text: a complete string; a string cut off by the end of a truncated record
 * (its clear prefix is still personal data); or a bare number (psn_no sent as a number).
 */
const VALUE = String.raw`(?:"((?:[^"\\]|\\.)*)("|\\?$)|(-?\d[\d.eE+-]*))`;
/** Fields whose value is personal data wherever they appear in a raw record. */
const PERSONAL_FIELD = new RegExp(String.raw`("(?:psn_no|certno|id_no|idcard)"\s*:\s*)${VALUE}`, 'g');
const INSURED_SUBJECT = /"subject_kind"\s*:\s*"insured"/;
const SUBJECT_CODE = new RegExp(String.raw`("subject_code"\s*:\s*)${VALUE}`, 'g');

function replaceValues(text: string, field: RegExp, pseudonymise: Pseudonymiser): string {
  return text.replace(
    field,
    (_m, head: string, str: string | undefined, close: string | undefined, num: string | undefined) =>
      str === undefined
        ? `${head}"${pseudonymise(num ?? '')}"`
        : `${head}"${pseudonymise(str)}${close === '"' ? '"' : ''}`,
  );
}

/**
 * A raw record as it may be kept in dead letters: its text unchanged except personal identifiers,
 * replaced by their tokens. Works on text that is not valid JSON too (truncated records): a value
 * cut off by the end of the text is replaced and left unterminated.
 */
export function redactRaw(raw: string, pseudonymise: Pseudonymiser): string {
  const out = replaceValues(raw, PERSONAL_FIELD, pseudonymise);
  return INSURED_SUBJECT.test(out) ? replaceValues(out, SUBJECT_CODE, pseudonymise) : out;
}
