import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDecoder, type DecodeResult } from '../../../schemas/decode.ts';
import { createPseudonymiser, redactRaw, WITHHELD } from '../../../schemas/pseudonymise.ts';
import { example, withFields } from './examples.ts';
import { TEST_KEY } from './support.ts';

const OTHER_KEY = 'another-pseudonym-key-0002';
const PSN = '51000019800101000001';
const TOKEN = /^ps_[A-Za-z0-9_-]{22}$/;

const settlement = withFields(example('set-0001'), { psn_no: PSN });
const reversal = withFields(example('rev-0001'), { psn_no: PSN });
const insuredPenalty = withFields(example('sup-0001'), {
  subject_kind: 'insured',
  subject_code: PSN,
  behavior: 'card_lending',
});

const decodeA = createDecoder({ pseudonymKey: TEST_KEY });
const decodeB = createDecoder({ pseudonymKey: OTHER_KEY });
const pseudonymiseA = createPseudonymiser(TEST_KEY);

function accepted(r: DecodeResult): Record<string, unknown> {
  if (!r.ok) return expect.fail(`rejected: ${r.error.message}`);
  return r.event as unknown as Record<string, unknown>;
}

function rejectionMessage(r: DecodeResult): string {
  if (r.ok) return expect.fail('accepted');
  return r.error.message;
}

const PERSONAL = [
  ['settlement', 'psn_no', settlement],
  ['settlement_reversal', 'psn_no', reversal],
  ['supervision of an insured person', 'subject_code', insuredPenalty],
] as const;

describe('pseudonymisation at decode', () => {
  it.each(PERSONAL)('the %s %s is replaced by a ps_ token', (_type, field, record) => {
    const event = accepted(decodeA(JSON.stringify(record)));
    expect(event[field]).toMatch(TOKEN);
    expect(event[field]).toBe(pseudonymiseA(PSN));
  });

  it.each(PERSONAL)(
    'the %s token is the same for the same key and another for another key',
    (_t, field, record) => {
      const raw = JSON.stringify(record);
      const first = accepted(decodeA(raw))[field];
      expect(accepted(decodeA(raw))[field]).toBe(first);
      expect(accepted(createDecoder({ pseudonymKey: TEST_KEY })(raw))[field]).toBe(first);
      expect(accepted(decodeB(raw))[field]).toMatch(TOKEN);
      expect(accepted(decodeB(raw))[field]).not.toBe(first);
    },
  );

  it.each(PERSONAL)('the clear value appears nowhere in the decoded %s', (_type, _field, record) => {
    expect(JSON.stringify(accepted(decodeA(JSON.stringify(record))))).not.toContain(PSN);
  });

  it('one person has the same token in a settlement, its reversal and a supervision of the insured', () => {
    const tokens = PERSONAL.map(([, field, record]) => accepted(decodeA(JSON.stringify(record)))[field]);
    expect(new Set(tokens).size).toBe(1);
  });

  it('two persons have different tokens', () => {
    const other = withFields(settlement, { psn_no: '51000019800101000002' });
    expect(accepted(decodeA(JSON.stringify(other))).psn_no).not.toBe(
      accepted(decodeA(JSON.stringify(settlement))).psn_no,
    );
  });

  it.each([
    ['an institution', withFields(example('sup-0001'), {})],
    [
      'an employer',
      withFields(example('sup-0001'), { subject_kind: 'employer', subject_code: '91350100M000100Y43' }),
    ],
  ])('the subject_code of %s is kept in clear', (_name, record) => {
    expect(accepted(decodeA(JSON.stringify(record))).subject_code).toBe(record.subject_code);
  });

  const longPsn = `${PSN}12345678901`;
  it.each([
    ['a settlement psn_no of 31 chars', JSON.stringify(withFields(settlement, { psn_no: longPsn })), longPsn],
    ['a reversal psn_no of 31 chars', JSON.stringify(withFields(reversal, { psn_no: longPsn })), longPsn],
    [
      'a psn_no sent as a number',
      JSON.stringify(withFields(settlement, { psn_no: 5100001980 })),
      '5100001980',
    ],
    [
      'an insured subject_code of 31 chars',
      JSON.stringify(withFields(insuredPenalty, { subject_code: longPsn })),
      longPsn,
    ],
    [
      'a valid psn_no in a record rejected for another field',
      JSON.stringify(withFields(settlement, { medfee_sumamt: -1 })),
      PSN,
    ],
    [
      'a record truncated after the psn_no',
      JSON.stringify(settlement).replace(new RegExp(`(${PSN}").*$`), '$1,"fixmed'),
      PSN,
    ],
    ['a record truncated inside the psn_no', `{"psn_no":"${PSN.slice(0, 15)}`, PSN.slice(0, 15)],
    ['a record whose psn_no is followed by a stray token', `{"psn_no":"${PSN}",x}`, PSN],
    [
      'a record where V8 would quote the text around the error',
      `{"type":"settlement","psn_no":"${PSN.slice(0, 4)}","a":x}`,
      `"${PSN.slice(0, 4)}"`,
    ],
    ['a JSON array of records', `[${JSON.stringify(settlement)}]`, PSN],
  ])('%s is rejected without echoing the clear value', (_name, raw, clear) => {
    expect(raw).toContain(clear);
    for (const decode of [decodeA, decodeB]) {
      const r = decode(raw);
      expect(rejectionMessage(r)).not.toContain(clear);
      expect(JSON.stringify(r)).not.toContain(clear);
    }
  });
});

describe('redacting a raw record for dead letters', () => {
  const token = pseudonymiseA(PSN);

  it('a valid record keeps its text except the psn_no, replaced by the token decode gives', () => {
    const raw = JSON.stringify(settlement);
    expect(redactRaw(raw, pseudonymiseA)).toBe(raw.replace(PSN, token));
    expect(token).toBe(accepted(decodeA(raw)).psn_no);
  });

  it.each([
    [
      'after the closing quote',
      `{"type":"settlement","psn_no":"${PSN}"`,
      `{"type":"settlement","psn_no":"${token}"`,
    ],
    [
      'inside the value',
      `{"type":"settlement","psn_no":"${PSN.slice(0, 12)}`,
      `{"type":"settlement","psn_no":"${pseudonymiseA(PSN.slice(0, 12))}`,
    ],
    [
      'right after an escape character',
      `{"psn_no":"${PSN.slice(0, 12)}\\`,
      `{"psn_no":"${pseudonymiseA(PSN.slice(0, 12))}`,
    ],
  ])('a record truncated %s has its psn_no replaced', (_where, raw, redacted) => {
    expect(redactRaw(raw, pseudonymiseA)).toBe(redacted);
  });

  it('invalid JSON around a psn_no still has it replaced, with spaces around the colon', () => {
    expect(redactRaw(`{ "psn_no" : "${PSN}", oops }`, pseudonymiseA)).toBe(`{ "psn_no" : "${token}", oops }`);
  });

  it('a psn_no sent as a number is replaced by the token of its digits', () => {
    expect(redactRaw(`{"psn_no":${PSN},"x":1}`, pseudonymiseA)).toBe(`{"psn_no":"${token}","x":1}`);
  });

  it('every psn_no in the text is replaced, including escaped quotes inside the value', () => {
    const raw = `[{"psn_no":"${PSN}"},{"psn_no":"a\\"b"}]`;
    expect(redactRaw(raw, pseudonymiseA)).toBe(
      `[{"psn_no":"${token}"},{"psn_no":"${pseudonymiseA('a\\"b')}"}]`,
    );
  });

  it('the subject_code of an insured person is replaced, that of an institution is not', () => {
    const insured = JSON.stringify(insuredPenalty);
    expect(redactRaw(insured, pseudonymiseA)).toBe(insured.replace(PSN, token));
    const institution = JSON.stringify(example('sup-0001'));
    expect(redactRaw(institution, pseudonymiseA)).toBe(institution);
  });

  it('a truncated insured subject_code is replaced', () => {
    const raw = `{"subject_kind":"insured","subject_code":"${PSN.slice(0, 9)}`;
    expect(redactRaw(raw, pseudonymiseA)).toBe(
      `{"subject_kind":"insured","subject_code":"${pseudonymiseA(PSN.slice(0, 9))}`,
    );
  });

  const W = `"${WITHHELD}"`;
  it.each([
    ['an array', `{"psn_no":["${PSN}"],"x":1}`, `{"psn_no":${W},"x":1}`],
    ['an array of numbers', `{"psn_no":[${PSN}, 2]}`, `{"psn_no":${W}}`],
    ['an object', `{"certno":{"v":"${PSN}","n":[1,{"a":"]"}]},"x":1}`, `{"certno":${W},"x":1}`],
    ['an object holding a brace in a string', `{"id_no":{"v":"}${PSN}"},"x":1}`, `{"id_no":${W},"x":1}`],
    ['an array cut off by the end of the record', `{"idcard":["${PSN.slice(0, 9)}`, `{"idcard":${W}`],
    ['a bare word', `{"psn_no":A${PSN},"x":1}`, `{"psn_no":${W},"x":1}`],
    ['digits followed by letters', `{"psn_no":${PSN}X}`, `{"psn_no":${W}}`],
  ])('a personal field holding %s is withheld, the rest of the text kept', (_what, raw, redacted) => {
    const got = redactRaw(raw, pseudonymiseA);
    expect(got, `redactRaw(${raw})`).toBe(redacted);
    expect(got).not.toContain(PSN.slice(0, 9));
  });

  it('an insured subject_code holding an array is withheld; one of an institution is kept', () => {
    expect(redactRaw(`{"subject_kind":"insured","subject_code":["${PSN}"]}`, pseudonymiseA)).toBe(
      `{"subject_kind":"insured","subject_code":${W}}`,
    );
    const institution = `{"subject_kind":"institution","subject_code":["H32010200001"]}`;
    expect(redactRaw(institution, pseudonymiseA)).toBe(institution);
  });

  it('null, true and false in a personal field stay; the marker is not a token', () => {
    const raw = `{"psn_no":null,"certno":true,"id_no":false,"idcard": null }`;
    expect(redactRaw(raw, pseudonymiseA)).toBe(raw);
    expect(WITHHELD).not.toMatch(TOKEN);
  });

  it('an array psn_no is withheld in the message of a rejected record too', () => {
    const raw = JSON.stringify(withFields(settlement, { psn_no: [PSN] }));
    expect(raw).toContain(PSN);
    const r = decodeA(raw);
    expect(rejectionMessage(r)).not.toContain(PSN);
    expect(JSON.stringify(r)).not.toContain(PSN);
  });

  it('a record without personal fields is returned unchanged', () => {
    const raw = JSON.stringify(example('reg-0001'));
    expect(redactRaw(raw, pseudonymiseA)).toBe(raw);
  });
});

describe('tokens', () => {
  /** RFC 2104 as node:crypto computes it: the reference the prepared buffers must match. */
  const reference = (key: string, clear: string) =>
    `ps_${createHmac('sha256', Buffer.from(key, 'utf8')).update(clear, 'utf8').digest().subarray(0, 16).toString('base64url')}`;

  it('are the first 128 bits of HMAC-SHA256, for keys shorter and longer than a block and values of any length', () => {
    const key = fc.oneof(
      fc.string({ minLength: 16, maxLength: 40 }),
      fc.string({ minLength: 60, maxLength: 200, unit: 'grapheme' }), // over 64 bytes: the key is hashed first
    );
    const clear = fc.oneof(
      fc.stringMatching(/^\d{18,20}$/),
      fc.string({ maxLength: 80, unit: 'binary' }), // lone surrogates too
      fc.string({ minLength: 60, maxLength: 300, unit: 'grapheme' }), // past the prepared buffer
    );
    fc.assert(
      fc.property(key, fc.array(clear, { minLength: 1, maxLength: 5 }), (k, values) => {
        const pseudonymise = createPseudonymiser(k);
        for (const v of values) expect(pseudonymise(v), JSON.stringify(v)).toBe(reference(k, v));
      }),
      { numRuns: 1_000 },
    );
    const pseudonymise = createPseudonymiser(TEST_KEY);
    // A shorter value after a longer one: nothing of the longer is left in the prepared buffer.
    expect(pseudonymise('5100001980010100000123')).toBe(reference(TEST_KEY, '5100001980010100000123'));
    expect(pseudonymise('51')).toBe(reference(TEST_KEY, '51'));
    expect(pseudonymise('')).toBe(reference(TEST_KEY, ''));
    expect(pseudonymise('x'.repeat(64))).toBe(reference(TEST_KEY, 'x'.repeat(64)));
    expect(pseudonymise('é'.repeat(96))).toBe(reference(TEST_KEY, 'é'.repeat(96)));
  });
});
