/** Shared by the schema tests: one decoder, and the assertion every rejection case makes. */
import { expect } from 'vitest';
import { createDecoder, type DecodeResult } from '../../../schemas/decode.ts';
import type { Example } from './examples.ts';
import { withFields } from './examples.ts';

export const TEST_KEY = 'unit-test-pseudonym-key-0001';
export const decode = createDecoder({ pseudonymKey: TEST_KEY });

/** name, record (object or raw text), the exact rejection message. */
export type RejectionCase = readonly [name: string, record: unknown, message: string];

export function decodeRecord(record: unknown): DecodeResult {
  return decode(typeof record === 'string' ? record : JSON.stringify(record));
}

/**
 * The record is rejected with exactly `message`, whose path is the part before the first `: `. The
 * pinned message itself must state what was expected, so a case cannot pin a vague text.
 */
export function expectRejected(record: unknown, message: string): void {
  expect(message).toMatch(/expected|is larger than|is before/);
  const path = message.slice(0, message.indexOf(': '));
  expect(decodeRecord(record)).toEqual({ ok: false, error: { code: 'SCHEMA_INVALID', path, message } });
}

export function expectAccepted(record: unknown): void {
  const r = decodeRecord(record);
  if (!r.ok) expect.fail(`rejected: ${r.error.message}`);
}

const TIMESTAMP_EXPECTED = 'expected an RFC 3339 timestamp with offset, e.g. 2026-11-20T10:42:13+08:00';

/** The fields every record has (EVENTS.md "Input records"), checked on one valid record of a type. */
export function envelopeRejections(valid: Example): RejectionCase[] {
  const type = String(valid.type);
  const at = (field: string, value: unknown) => withFields(valid, { [field]: value });
  const longId = 'e'.repeat(65);
  return [
    [
      'an unknown key is rejected naming it',
      at('colour', 'red'),
      `${type}.colour: unknown field: expected only the fields EVENTS.md lists for ${type}`,
    ],
    [
      'a missing event_id is rejected',
      at('event_id', undefined),
      `${type}.event_id: is missing: expected string`,
    ],
    [
      'an empty event_id is rejected',
      at('event_id', ''),
      `${type}.event_id: "" is invalid: expected an event_id of 1–64 chars`,
    ],
    [
      'an event_id of 65 chars is rejected',
      at('event_id', longId),
      `${type}.event_id: "${'e'.repeat(59)}… (67 chars) is invalid: expected an event_id of 1–64 chars`,
    ],
    [
      'a numeric event_id is not coerced',
      at('event_id', 12),
      `${type}.event_id: 12 is invalid: expected string, got number`,
    ],
    [
      'a missing occurred_at is rejected',
      at('occurred_at', undefined),
      `${type}.occurred_at: is missing: expected string`,
    ],
    [
      'an occurred_at without offset is rejected',
      at('occurred_at', '2026-01-02T08:00:00'),
      `${type}.occurred_at: "2026-01-02T08:00:00" is invalid: ${TIMESTAMP_EXPECTED}`,
    ],
    [
      'an occurred_at with an offset without colon is rejected',
      at('occurred_at', '2026-01-02T08:00:00+0800'),
      `${type}.occurred_at: "2026-01-02T08:00:00+0800" is invalid: ${TIMESTAMP_EXPECTED}`,
    ],
    [
      'an occurred_at on 29 February of a common year is rejected',
      at('occurred_at', '2026-02-29T08:00:00+08:00'),
      `${type}.occurred_at: "2026-02-29T08:00:00+08:00" is invalid: ${TIMESTAMP_EXPECTED}`,
    ],
    [
      'an occurred_at at hour 24 is rejected',
      at('occurred_at', '2026-01-02T24:00:00+08:00'),
      `${type}.occurred_at: "2026-01-02T24:00:00+08:00" is invalid: ${TIMESTAMP_EXPECTED}`,
    ],
    [
      'an occurred_at that is only a date is rejected',
      at('occurred_at', '2026-01-02'),
      `${type}.occurred_at: "2026-01-02" is invalid: ${TIMESTAMP_EXPECTED}`,
    ],
    [
      'an occurred_at given as epoch milliseconds is not coerced',
      at('occurred_at', 1767312000000),
      `${type}.occurred_at: 1767312000000 is invalid: expected string, got number`,
    ],
  ];
}
