/**
 * The one entry of every record into the monitor: bytes → validated, pseudonymised event, or a
 * rejection naming the field, the value and what was expected. Never throws (a property test
 * checks it on arbitrary input), so one bad record never stops a stream.
 */
import { type MonitorEvent, RECORD_SCHEMAS, RECORD_TYPES, type RecordType } from './events.ts';
import { fastRecord } from './fast-settlement.ts';
import { formatIssue, showValue } from './messages.ts';
import { createPseudonymiser, type Pseudonymiser, redactRaw } from './pseudonymise.ts';

/** Larger records are rejected before parsing: no legitimate record comes near it. */
export const MAX_RECORD_BYTES = 1 << 20;

export type Rejection = { readonly code: 'SCHEMA_INVALID'; readonly path: string; readonly message: string };
export type DecodeResult =
  | { readonly ok: true; readonly event: MonitorEvent }
  | { readonly ok: false; readonly error: Rejection };
export type Decoder = (raw: string | Buffer) => DecodeResult;

/** A psn_no of the national platform starts with its 6-digit division (e.g. 510000…). */
const DIVISION_PREFIX = /^[1-8]\d{5}/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function reject(path: string, message: string): DecodeResult {
  return { ok: false, error: { code: 'SCHEMA_INVALID', path, message } };
}

function toText(raw: string | Buffer): string | DecodeResult {
  if (typeof raw === 'string') return raw;
  try {
    return utf8.decode(raw);
  } catch {
    return reject('record', 'record: bytes are not valid UTF-8: expected one JSON object in UTF-8');
  }
}

/**
 * V8 quotes the text around some JSON syntax errors (`Unexpected token 'x', ..."5100","a":x}" is
 * not valid JSON`); that text may hold a psn_no in clear, so only the reason is kept. The rejection
 * shows the redacted record beside it.
 */
function syntaxReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '');
}

/**
 * Replace personal identifiers by their tokens; nothing after decode sees the clear value. In
 * place: `event` is decode's own (a fast path's or zod's output, never the caller's), and the
 * keys stay where they were (subject_admdvs, when taken from the code, comes last).
 */
function pseudonymiseEvent(event: MonitorEvent, pseudonymise: Pseudonymiser): MonitorEvent {
  switch (event.type) {
    case 'settlement':
    case 'settlement_reversal':
      (event as { psn_no: string }).psn_no = pseudonymise(event.psn_no);
      return event;
    case 'supervision': {
      if (event.subject_kind !== 'insured') return event;
      const code = event.subject_code;
      const e = event as { subject_code: string; subject_admdvs?: string };
      e.subject_code = pseudonymise(code);
      if (event.subject_admdvs === undefined && DIVISION_PREFIX.test(code))
        e.subject_admdvs = code.slice(0, 6);
      return event;
    }
    default:
      return event;
  }
}

const KNOWN_TYPES: ReadonlySet<unknown> = new Set(RECORD_TYPES);

export function decodeWith(raw: string | Buffer, pseudonymise: Pseudonymiser): DecodeResult {
  // A UTF-16 unit is at most 3 UTF-8 bytes: short strings need no count.
  const size =
    typeof raw !== 'string' ? raw.length : raw.length * 3 <= MAX_RECORD_BYTES ? 0 : Buffer.byteLength(raw);
  if (size > MAX_RECORD_BYTES) {
    return reject('record', `record: ${size} bytes is too large: expected at most ${MAX_RECORD_BYTES} bytes`);
  }
  const decoded = toText(raw);
  if (typeof decoded !== 'string') return decoded;
  // A byte order mark (an editor's or a Windows tool's export) is no part of the record.
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    const shown = showValue(redactRaw(text, pseudonymise));
    return reject('record', `record: ${shown} is not JSON (${syntaxReason(err)}): expected one JSON object`);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    // An array may hold whole records: show its redacted text, never the parsed clear values.
    const shown = Array.isArray(input) ? showValue(redactRaw(text.trim(), pseudonymise)) : showValue(input);
    return reject('record', `record: ${shown} is invalid: expected a JSON object`);
  }
  const type = (input as { type?: unknown }).type;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
    const shown = type === undefined ? 'is missing' : `${showValue(type)} is not a known record type`;
    return reject('type', `type: ${shown}: expected one of ${RECORD_TYPES.join(', ')}`);
  }
  const fast = fastRecord(input as Record<string, unknown>);
  if (fast) return { ok: true, event: pseudonymiseEvent(fast, pseudonymise) };
  const parsed = RECORD_SCHEMAS[type as RecordType].safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    if (!first) return reject(type, `${type}: is invalid`);
    const { path, message } = formatIssue(type, input, first);
    const more = parsed.error.issues.length - 1;
    return reject(path, more > 0 ? `${message} (and ${more} more)` : message);
  }
  return { ok: true, event: pseudonymiseEvent(parsed.data as MonitorEvent, pseudonymise) };
}

export function createDecoder(options: { pseudonymKey: string }): Decoder {
  const pseudonymise = createPseudonymiser(options.pseudonymKey);
  return (raw) => decodeWith(raw, pseudonymise);
}
