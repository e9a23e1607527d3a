/**
 * Dead letters leak no person (issue 16): personal fields are redacted by name in any spelling
 * (escaped keys, any letter case, the national interface's other personal fields) and by value
 * (ID numbers with a valid check character, mobile numbers) wherever they stand; a huge record is
 * kept only in part, with its length and SHA-256; a BOM is no part of a record; years 0–99 get
 * the event-time floor's message.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rejectedLine } from '../../../processors/cli/replay-lines.ts';
import type { Rejected } from '../../../processors/outputs.ts';
import { createTopology } from '../../../processors/topology.ts';
import { compilePacks } from '../../../rules/packs/index.ts';
import { MAX_KEPT_RAW_BYTES } from '../../../schemas/kept-raw.ts';
import { isIdNumber, looksLikeIdNumber, replacePersonalValues } from '../../../schemas/personal-values.ts';
import { createPseudonymiser, redactRaw, WITHHELD } from '../../../schemas/pseudonymise.ts';
import { example, withFields } from './examples.ts';
import { TEST_KEY } from './support.ts';

const pseudonymise = createPseudonymiser(TEST_KEY);
/** An ID number: 510107 (成都 青羊区), born 1990-01-01, sequence 001, check character 8. */
const ID = '510107199001010018';
/** The issue's: the same with a wrong check character (9), as a typo or test data would have it. */
const ISSUE_ID = '510107199001010019';
const MOBILE = '13912345678';
const NAME = '张三丰';

describe('ID and mobile numbers by value', () => {
  it('knows a valid GB 11643 check character from a wrong one', () => {
    expect(isIdNumber(ID)).toBe(true);
    expect(isIdNumber('11010519491231002X')).toBe(true);
    expect(isIdNumber('11010519491231002x')).toBe(true);
    expect(isIdNumber(ISSUE_ID)).toBe(false);
    expect(isIdNumber('51010719900101001')).toBe(false);
  });

  it('reads a wrong check character with a division and a real birth date as an ID number too', () => {
    expect(looksLikeIdNumber(ISSUE_ID)).toBe(true);
    expect(looksLikeIdNumber('510107199013010019')).toBe(false); // month 13
    expect(looksLikeIdNumber('910107199001010019')).toBe(false); // no division starts with 9
    expect(looksLikeIdNumber('510107900101001')).toBe(true); // 15 digits, born 1990-01-01
    expect(looksLikeIdNumber('001102000010000')).toBe(false); // a service item code
  });

  it('replaces standing numbers and leaves longer digit runs, codes and tokens alone', () => {
    const token = pseudonymise(ID);
    const text = `id ${ID}, tel:${MOBILE}; psn 51000019800101000001 setl 650104S202603020001685 ${token} typo ${ISSUE_ID} not 510107199013010019`;
    expect(replacePersonalValues(text, pseudonymise)).toBe(
      `id ${token}, tel:${pseudonymise(MOBILE)}; psn 51000019800101000001 setl 650104S202603020001685 ${token} typo ${pseudonymise(ISSUE_ID)} not 510107199013010019`,
    );
  });
});

describe('redactRaw', () => {
  const settlement = JSON.stringify(example('set-0001'));

  it.each([
    ['an escaped key', `{"type":"settlement","psn\\u005fno":"${ID}","x":1}`],
    ["an escaped key holding the issue's ID number", `{"type":"settlement","psn\\u005fno":"${ISSUE_ID}"}`],
    ['an upper-case key', `{"type":"settlement","PSN_NO":"${ID}"}`],
    ['an unknown field', `{"type":"settlement","remark":"病人 ${ID} 电话 ${MOBILE}"}`],
    ['mdtrt_cert_no', `{"type":"settlement","mdtrt_cert_no":"${ID}"}`],
    ['a value written with escapes', `{"type":"x","note":"\\u0035${ID.slice(1)}"}`],
    ['text that is no JSON', `not json ${ID} ${MOBILE} {`],
    ['a truncated record with an escaped key', `{"type":"settlement","psn\\u005Fno":"${ID.slice(0, 12)}`],
  ])('%s keeps no ID or mobile number in clear', (_what, raw) => {
    const got = redactRaw(raw, pseudonymise);
    expect(got).not.toContain(ID.slice(0, 12));
    expect(got).not.toContain(MOBILE);
    expect(got).toMatch(/ps_[A-Za-z0-9_-]{22}/);
  });

  it('the national interface personal fields are redacted by name: names and addresses too', () => {
    const raw = JSON.stringify({
      type: 'settlement',
      psn_name: NAME,
      addr: '四川省成都市青羊区某街1号',
      Tel: '028-12345678',
      certno: { v: ID },
      name: '某医院',
    });
    const got = JSON.parse(redactRaw(raw, pseudonymise));
    expect(got.psn_name).toBe(pseudonymise(NAME));
    expect(got.addr).toMatch(/^ps_/);
    expect(got.Tel).toMatch(/^ps_/);
    expect(got.certno).toBe(WITHHELD);
    expect(got.name).toBe('某医院'); // an institution's name is public
    expect(JSON.stringify(got)).not.toContain(NAME);
  });

  it('a record with nothing personal is kept byte for byte, spaces included', () => {
    const raw = '{ "type" : "institution",  "fixmedins_code": "H51010700001" }';
    expect(redactRaw(raw, pseudonymise)).toBe(raw);
    expect(redactRaw(settlement, pseudonymise)).toBe(
      settlement.replace(JSON.parse(settlement).psn_no, pseudonymise(JSON.parse(settlement).psn_no)),
    );
  });

  it('a "__proto__" key stays a field of the record', () => {
    const got = redactRaw(`{"__proto__":{"psn_no":"${ID}"},"a":"${MOBILE}"}`, pseudonymise);
    expect(got).not.toContain(ID);
    expect(got).not.toContain(MOBILE);
    expect(got).toContain('__proto__');
  });
});

describe('dead letters from the topology', () => {
  const topology = () => createTopology({ pseudonymKey: TEST_KEY, packs: compilePacks() });
  const rejectedOf = (raw: string): Rejected => {
    const out = topology().process(raw, { line: 1 });
    const r = out.find((o): o is Rejected => o.kind === 'rejected');
    if (!r) return expect.fail(`not rejected: ${raw.slice(0, 200)}`);
    return r;
  };

  it('a rejected record with an escaped psn_no key keeps no ID number', () => {
    const raw = JSON.stringify(withFields(example('set-0001'), { medfee_sumamt: 'x' })).replace(
      /"psn_no":"[^"]*"/,
      `"psn\\u005fno":"${ID}","psn_name":"${NAME}"`,
    );
    const r = rejectedOf(raw);
    expect(r.raw).not.toContain(ID);
    expect(r.raw).not.toContain(NAME);
    expect(r.error).not.toContain(ID);
  });

  it(`a 10 MB line is kept as its first ${MAX_KEPT_RAW_BYTES} bytes with its length and SHA-256`, () => {
    const raw = `{"type":"settlement","psn_no":"${ID}","pad":"${'a'.repeat(10 * 1024 * 1024)}"}`;
    const r = rejectedOf(raw);
    expect(r.error).toMatch(/too large/);
    expect(Buffer.byteLength(r.raw)).toBeLessThanOrEqual(MAX_KEPT_RAW_BYTES);
    expect(Buffer.byteLength(r.raw)).toBeGreaterThan(MAX_KEPT_RAW_BYTES - 4);
    expect(r.raw).not.toContain(ID);
    expect(r.raw_bytes).toBe(Buffer.byteLength(raw));
    expect(r.raw_sha256).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(rejectedLine(r)).toMatchObject({ raw_bytes: r.raw_bytes, raw_sha256: r.raw_sha256 });
  });

  it('a small record is kept whole, with no length or hash', () => {
    const r = rejectedOf('{"type":"nope"}');
    expect(r.raw).toBe('{"type":"nope"}');
    expect(r.raw_bytes).toBeUndefined();
    expect(rejectedLine(r)).not.toHaveProperty('raw_bytes');
  });

  it('a BOM before the first record is no part of it', () => {
    const t = topology();
    expect(t.process(`\uFEFF${JSON.stringify(example('reg-0001'))}`, { line: 1 })).toEqual([]);
    expect(t.counters.accepted).toBe(1);
  });

  it('year 0001 is refused by the event-time floor, not as "not a timestamp"', () => {
    const raw = JSON.stringify(withFields(example('set-0001'), { occurred_at: '0001-01-01T00:00:00+08:00' }));
    expect(rejectedOf(raw).error).toMatch(
      /^occurred_at: "0001-01-01T00:00:00\+08:00" is before the event-time floor/,
    );
  });
});
