import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDecoder, MAX_RECORD_BYTES } from '../../../schemas/decode.ts';
import { EXAMPLE_LINES, EXAMPLES, SHARED_EXAMPLES_PATH } from './examples.ts';
import { decode, expectRejected, type RejectionCase } from './support.ts';

const TYPES =
  'expected one of institution, practitioner, settlement, settlement_reversal, claim_audit, supervision';

describe('decoding a record', () => {
  it.runIf(existsSync(SHARED_EXAMPLES_PATH))(
    'the examples copied into the tests are examples.ndjson line for line',
    () => {
      expect(
        readFileSync(SHARED_EXAMPLES_PATH, 'utf8')
          .split('\n')
          .filter((l) => l !== ''),
      ).toEqual(EXAMPLE_LINES);
    },
  );

  it('examples.ndjson holds every record type, and each of its lines decodes to the same record', () => {
    expect(new Set(EXAMPLES.map((e) => e.type))).toEqual(
      new Set([
        'institution',
        'practitioner',
        'settlement',
        'settlement_reversal',
        'claim_audit',
        'supervision',
      ]),
    );
    for (const [i, line] of EXAMPLE_LINES.entries()) {
      const r = decode(line);
      if (!r.ok) expect.fail(`line ${i + 1}: ${r.error.message}`);
      const { psn_no: _clear, ...rest } = EXAMPLES[i] as Record<string, unknown>;
      expect(r.event).toMatchObject(rest);
    }
  });

  it('a record given as UTF-8 bytes decodes like its text', () => {
    const line = EXAMPLE_LINES[0]!;
    expect(decode(Buffer.from(line, 'utf8'))).toEqual(decode(line));
  });

  it('a record with surrounding white space and CRLF is accepted', () => {
    expect(decode(` ${EXAMPLE_LINES[0]}\r\n`).ok).toBe(true);
  });

  it('bytes that are not UTF-8 are rejected as such', () => {
    expect(decode(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]))).toEqual({
      ok: false,
      error: {
        code: 'SCHEMA_INVALID',
        path: 'record',
        message: 'record: bytes are not valid UTF-8: expected one JSON object in UTF-8',
      },
    });
  });

  it('a record over 1 MiB is rejected before it is parsed', () => {
    const big = `{"type":"institution","name":"${'x'.repeat(MAX_RECORD_BYTES)}"}`;
    expect(decode(big)).toEqual({
      ok: false,
      error: {
        code: 'SCHEMA_INVALID',
        path: 'record',
        message: `record: ${big.length} bytes is too large: expected at most ${MAX_RECORD_BYTES} bytes`,
      },
    });
  });

  it('a pseudonym key under 16 characters is refused when the decoder is made', () => {
    expect(() => createDecoder({ pseudonymKey: 'short' })).toThrow(
      new RangeError('pseudonym key must be at least 16 characters'),
    );
  });

  const cases: RejectionCase[] = [
    [
      'an empty line is rejected as not JSON',
      '',
      'record: "" is not JSON (Unexpected end of JSON input): expected one JSON object',
    ],
    [
      'a truncated record is rejected as not JSON with the position',
      '{"type":"institution",',
      'record: "{\\"type\\":\\"institution\\"," is not JSON (Expected double-quoted property name in JSON at position 22): expected one JSON object',
    ],
    [
      'a bare word is rejected as not JSON without V8 quoting it',
      'institution',
      'record: "institution" is not JSON (Unexpected token \'i\'): expected one JSON object',
    ],
    ['a JSON array is rejected', '[1,2]', 'record: "[1,2]" is invalid: expected a JSON object'],
    [
      'a JSON string is rejected',
      '"institution"',
      'record: "institution" is invalid: expected a JSON object',
    ],
    ['a JSON number is rejected', '12', 'record: 12 is invalid: expected a JSON object'],
    ['JSON null is rejected', 'null', 'record: null is invalid: expected a JSON object'],
    ['a record without type is rejected', '{"event_id":"x"}', `type: is missing: ${TYPES}`],
    [
      'an unknown type is rejected naming it',
      '{"type":"refund"}',
      `type: "refund" is not a known record type: ${TYPES}`,
    ],
    [
      'a type in upper case is rejected',
      '{"type":"SETTLEMENT"}',
      `type: "SETTLEMENT" is not a known record type: ${TYPES}`,
    ],
    ['a numeric type is rejected', '{"type":3}', `type: 3 is not a known record type: ${TYPES}`],
    [
      'a type inherited from Object is rejected',
      '{"type":"toString"}',
      `type: "toString" is not a known record type: ${TYPES}`,
    ],
    [
      'a known type with no fields is rejected naming the first missing field and the count of others',
      '{"type":"settlement_reversal"}',
      'settlement_reversal.event_id: is missing: expected string (and 4 more)',
    ],
  ];

  it.each(cases)('%s', (_name, record, message) => {
    expectRejected(record, message);
  });
});
