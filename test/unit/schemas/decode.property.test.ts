/**
 * decode never throws (schemas/decode.ts): whatever a feed sends, the answer is an event or a
 * rejection whose message starts with where the problem is.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DecodeResult, decodeWith } from '../../../schemas/decode.ts';
import { RECORD_TYPES } from '../../../schemas/events.ts';
import { createPseudonymiser } from '../../../schemas/pseudonymise.ts';
import { EXAMPLES, type Example } from './examples.ts';
import { TEST_KEY } from './support.ts';

const RUNS = 2_000;
const pseudonymise = createPseudonymiser(TEST_KEY);
const decode = (raw: string | Buffer) => decodeWith(raw, pseudonymise);

const MESSAGE_START = new RegExp(`^(record|type|${RECORD_TYPES.join('|')})[.:]`);

/** The answer is an event of a known type, or a rejection with a message that says where. */
function wellFormed(r: DecodeResult): boolean {
  if (r.ok) return RECORD_TYPES.includes(r.event.type);
  const { code, message, path } = r.error;
  expect(code).toBe('SCHEMA_INVALID');
  expect(typeof message).toBe('string');
  expect(message).toMatch(MESSAGE_START);
  expect(message.startsWith(`${path}: `)).toBe(true);
  return true;
}

function decodesWellFormed(raw: string | Buffer): boolean {
  let r: DecodeResult;
  try {
    r = decode(raw);
  } catch (err) {
    throw new Error(`decode threw on ${JSON.stringify(raw.toString())}: ${String(err)}`);
  }
  return wellFormed(r);
}

/** A record of a known type, with every field of every example as a candidate key. */
const FIELDS = [...new Set(EXAMPLES.flatMap((e) => Object.keys(e)))];

/** A valid example with one field set to an arbitrary JSON value, or removed. */
const mutatedExample = fc
  .constantFrom(...EXAMPLES)
  .chain((e: Example) =>
    fc.tuple(
      fc.constant(e),
      fc.oneof(fc.constantFrom(...Object.keys(e)), fc.constantFrom(...FIELDS), fc.string()),
      fc.option(fc.jsonValue(), { nil: undefined }),
    ),
  )
  .map(([e, field, value]) => {
    const copy: Record<string, unknown> = { ...e };
    if (value === undefined) delete copy[field];
    else copy[field] = value;
    return copy;
  });

/** The inpatient example with one field of its first fee line set to an arbitrary JSON value. */
const inpatient = EXAMPLES.find((e) => e.event_id === 'set-0002')!;
const mutatedItem = fc
  .tuple(
    fc.constantFrom('hilist_code', 'list_type', 'cnt', 'pric', 'det_item_fee_sumamt', 'days_supply', 'x'),
    fc.jsonValue(),
  )
  .map(([field, value]) => {
    const items = structuredClone(inpatient.items) as Record<string, unknown>[];
    items[0]![field] = value;
    return { ...inpatient, items };
  });

describe('decode on arbitrary input', () => {
  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })),
        decodesWellFormed,
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws on arbitrary bytes, including invalid UTF-8', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          // Mostly JSON punctuation and UTF-8 lead bytes, which reach the parser more often.
          fc.uint8Array({ maxLength: 300, min: 0x22, max: 0x7d }),
          fc
            .array(fc.constantFrom(0x7b, 0x7d, 0x22, 0x3a, 0x2c, 0xc3, 0xe4, 0xf0, 0x80, 0xff, 0x00))
            .map((a) => new Uint8Array(a)),
        ),
        (bytes) => decodesWellFormed(Buffer.from(bytes)),
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => decodesWellFormed(JSON.stringify(v) ?? 'null')),
      { numRuns: RUNS },
    );
  });

  it('never throws on objects of a known type with arbitrary fields', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RECORD_TYPES),
        fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string()), fc.jsonValue()),
        (type, fields) => decodesWellFormed(JSON.stringify({ ...fields, type })),
      ),
      { numRuns: RUNS },
    );
  });

  it('never throws on a valid record with one field mutated to an arbitrary JSON value', () => {
    fc.assert(
      fc.property(mutatedExample, (record) => decodesWellFormed(JSON.stringify(record))),
      { numRuns: RUNS },
    );
  });

  it('never throws on a valid settlement with one fee-line field mutated', () => {
    fc.assert(
      fc.property(mutatedItem, (record) => decodesWellFormed(JSON.stringify(record))),
      { numRuns: RUNS },
    );
  });

  it('never shows the clear psn_no of a mutated settlement or reversal, accepted or rejected', () => {
    const personal = EXAMPLES.filter((e) => typeof e.psn_no === 'string');
    fc.assert(
      fc.property(
        fc.constantFrom(...personal),
        fc.constantFrom(...FIELDS.filter((f) => f !== 'type' && f !== 'psn_no')),
        fc.jsonValue(),
        (e, field, value) => {
          const out = JSON.stringify(decode(JSON.stringify({ ...e, [field]: value })));
          return !out.includes(e.psn_no as string);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('never shows the clear psn_no when a settlement line is cut off anywhere inside or after it', () => {
    // psn_no first, so that it falls within the part of the text a rejection shows.
    const psn = '51000019800101000001';
    const line = JSON.stringify({ psn_no: psn, ...EXAMPLES.find((e) => e.event_id === 'set-0001') });
    const at = line.indexOf(psn);
    // Every cut point: the domain is small enough to try all of it instead of sampling. Prefixes
    // of 7 chars and more occur nowhere else in the line.
    for (let end = at + 7; end < line.length; end++) {
      const cut = line.slice(0, end);
      const clear = psn.slice(0, Math.min(psn.length, end - at));
      expect(JSON.stringify(decode(cut)), cut).not.toContain(clear);
    }
  });
});
