/**
 * Keyed pseudonymisation of personal identifiers (psn_no, ID numbers) at ingest: HMAC-SHA256 with
 * a secret key, so tokens are stable for joins across records yet cannot be reversed or
 * recomputed without the key (四川 第二十二条: personal privacy is never disclosed).
 */
import { createHash, createHmac, createSecretKey, hash } from 'node:crypto';
import { replacePersonalValues } from './personal-values.ts';

export type Pseudonymiser = (clear: string) => string;

/** SHA-256's block; an HMAC key is padded (or first hashed) to it (RFC 2104). */
const BLOCK = 64;
/** Clear values of up to this many UTF-8 bytes are hashed in buffers prepared once (psn_no: ≤ 30 chars). */
const PREPARED_BYTES = 192;

/**
 * HMAC-SHA256 as RFC 2104 defines it, H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), with both padded keys
 * written once into buffers the message and the inner digest are written into: two one-shot
 * hashes and no object per token. A createHmac per token (an Hmac object, its key and two
 * Buffers) was most of the pseudonymiser's time (issue 14; about 3× slower in a microbenchmark).
 * A test checks the tokens against createHmac's. Longer values (only redacted dead letters have
 * them) take createHmac.
 */
function createTokens(key: string): (clear: string) => string {
  const k = Buffer.alloc(BLOCK);
  const raw = Buffer.from(key, 'utf8');
  (raw.length > BLOCK ? createHash('sha256').update(raw).digest() : raw).copy(k);
  const inner = Buffer.alloc(BLOCK + PREPARED_BYTES);
  const outer = Buffer.alloc(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    inner[i] = k[i]! ^ 0x36;
    outer[i] = k[i]! ^ 0x5c;
  }
  // One view per message length, so no Buffer is made per token.
  const views = Array.from({ length: PREPARED_BYTES + 1 }, (_, n) => inner.subarray(0, BLOCK + n));
  const digest = Buffer.alloc(32);
  const secret = createSecretKey(raw);
  const encode = (d: Buffer) => `ps_${d.toString('base64url', 0, 16)}`;
  return (clear) => {
    // A UTF-16 unit is at most 3 UTF-8 bytes.
    if (clear.length * 3 > PREPARED_BYTES)
      return encode(createHmac('sha256', secret).update(clear, 'utf8').digest());
    const n = inner.write(clear, BLOCK, 'utf8');
    // 'binary' (latin1): a digest as a string of 32 chars 0–255, written back byte for byte.
    outer.write(hash('sha256', views[n]!, 'binary'), BLOCK, 'binary');
    digest.write(hash('sha256', outer, 'binary'), 0, 'binary');
    return encode(digest);
  };
}

/** 128 bits of the HMAC, base64url: collision-free at national scale, 25 chars of state per person. */
export function createPseudonymiser(key: string): Pseudonymiser {
  if (key.length < 16) throw new RangeError('pseudonym key must be at least 16 characters');
  const token = createTokens(key); // keys prepared once, not per HMAC
  // One HMAC per settlement was a twentieth of the engine's time, and a person settles many
  // times: the tokens of the recently seen are kept, in two generations of CACHED each (the
  // older one dropped whole when the newer fills), so memory stays bounded (~10 MB).
  let recent = new Map<string, string>();
  let older = new Map<string, string>();
  return (clear) => {
    let t = recent.get(clear);
    if (t !== undefined) return t;
    t = older.get(clear) ?? token(clear);
    if (recent.size >= CACHED) {
      older = recent;
      recent = new Map();
    }
    recent.set(clear, t);
    return t;
  };
}

/** Tokens kept per generation of the pseudonymiser's cache. */
const CACHED = 1 << 16;

/**
 * Fields whose value is personal data wherever they appear in a raw record: the national
 * platform interface's personal fields (人员编号, 证件号码, 就诊凭证编号, 卡识别码, 姓名, 电话,
 * 地址, 出生日期) and common spellings of the same. Matched in any letter case. Issue 16.
 */
export const PERSONAL_FIELDS = [
  'psn_no',
  'certno',
  'psn_cert_no',
  'mdtrt_cert_no',
  'card_sn',
  'id_no',
  'idcard',
  'id_card',
  'psn_name',
  'tel',
  'mob',
  'mobile',
  'phone',
  'email',
  'addr',
  'address',
  'live_addr',
  'brdy',
  'birthday',
] as const;
const PERSONAL_NAME = new Set<string>(PERSONAL_FIELDS);
const PERSONAL_FIELD = new RegExp(`"(?:${PERSONAL_FIELDS.join('|')})"\\s*:\\s*`, 'gi');
const INSURED_SUBJECT = /"subject_kind"\s*:\s*"insured"/;
const SUBJECT_CODE = /"subject_code"\s*:\s*/g;

/**
 * What stands in a raw record for a personal field's value that is neither a string nor a number
 * (an array, an object, a bare word): withheld, since it may hold the identifier in any shape. It
 * begins with `ps_` so that checks telling tokens from clear values (the Kafka dead letters' last
 * line of defence) read it as no clear value, but it is no token: a token is ps_ and 22 characters.
 */
export const WITHHELD = 'ps_withheld';

const NUMBER = /-?\d[\d.eE+-]*/y;
const LITERAL = /(?:null|true|false)(?=[\s,}\]]|$)/y;
const BARE = /[^\s,}\]]+/y;
const DELIMITER = /[\s,}\]]/;

/** The end of a string starting at `i` (its opening quote): after its closing quote, or where the text ends. */
function stringEnd(text: string, i: number): { end: number; content: string; closed: boolean } {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') {
      // An escape cut off by the end of a truncated record is not part of the value.
      if (j + 1 >= text.length) return { end: text.length, content: text.slice(i + 1, j), closed: false };
      j++;
    } else if (c === '"') return { end: j + 1, content: text.slice(i + 1, j), closed: true };
  }
  return { end: text.length, content: text.slice(i + 1), closed: false };
}

/** The end of the array or object starting at `i`: after its matching bracket, or where the text ends. */
function nestedEnd(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '"') j = stringEnd(text, j).end - 1;
    else if (c === '[' || c === '{') depth++;
    else if ((c === ']' || c === '}') && --depth === 0) return j + 1;
  }
  return text.length;
}

/**
 * The value at `i` and what replaces it: a complete string or one cut off by the end of a
 * truncated record (its clear prefix is still personal data) becomes its token, left unterminated
 * when cut off; a number (psn_no sent as a number) the token of its digits; null, true and false
 * stay; anything else (array, object, bare word) is withheld whole.
 */
function redactValueAt(text: string, i: number, pseudonymise: Pseudonymiser): { end: number; with: string } {
  if (i >= text.length) return { end: i, with: '' };
  const c = text[i];
  if (c === '"') {
    const s = stringEnd(text, i);
    return { end: s.end, with: `"${pseudonymise(s.content)}${s.closed ? '"' : ''}` };
  }
  if (c === '[' || c === '{') return { end: nestedEnd(text, i), with: `"${WITHHELD}"` };
  for (const re of [NUMBER, LITERAL]) {
    re.lastIndex = i;
    const m = re.exec(text);
    const end = i + (m?.[0].length ?? 0);
    if (m && (end === text.length || DELIMITER.test(text[end]!)))
      return { end, with: re === NUMBER ? `"${pseudonymise(m[0])}"` : m[0] };
  }
  BARE.lastIndex = i;
  const bare = BARE.exec(text)?.[0] ?? '';
  return { end: i + bare.length, with: bare === '' ? '' : `"${WITHHELD}"` };
}

function replaceValues(text: string, field: RegExp, pseudonymise: Pseudonymiser): string {
  let out = '';
  let done = 0;
  field.lastIndex = 0;
  for (let m = field.exec(text); m !== null; m = field.exec(text)) {
    const at = m.index + m[0].length;
    const v = redactValueAt(text, at, pseudonymise);
    out += text.slice(done, at) + v.with;
    done = v.end;
    field.lastIndex = v.end;
  }
  return out + text.slice(done);
}

/** `\u005f`-style escapes of letters, digits and `_` (a key spelled to slip past a pattern) written plainly. */
function unescapeWordChars(text: string): string {
  return text.replace(/(?<!\\)\\u00([0-7][0-9a-fA-F])/g, (m, hex: string) => {
    const c = String.fromCharCode(Number.parseInt(hex, 16));
    return /\w/.test(c) ? c : m;
  });
}

const TOKEN = /^ps_[A-Za-z0-9_-]{22}$/;

/**
 * The parsed record with personal fields (by name, any case, however the key was escaped, and an
 * insured subject_code) replaced by tokens or withheld, and ID and mobile numbers in any string
 * replaced by their tokens; `changed` says whether anything was.
 */
function redactParsed(v: unknown, pseudonymise: Pseudonymiser, changed: { any: boolean }): unknown {
  if (typeof v === 'string') {
    const r = replacePersonalValues(v, pseudonymise);
    if (r !== v) changed.any = true;
    return r;
  }
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => redactParsed(x, pseudonymise, changed));
  const o = v as Record<string, unknown>;
  const insured = o.subject_kind === 'insured';
  // No prototype: a "__proto__" key stays a plain field.
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, x] of Object.entries(o)) {
    const personal = PERSONAL_NAME.has(k.toLowerCase()) || (insured && k === 'subject_code');
    if (!personal) out[k] = redactParsed(x, pseudonymise, changed);
    else if (
      x === null ||
      typeof x === 'boolean' ||
      (typeof x === 'string' && (TOKEN.test(x) || x === WITHHELD))
    )
      out[k] = x;
    else {
      changed.any = true;
      out[k] = typeof x === 'string' || typeof x === 'number' ? pseudonymise(String(x)) : WITHHELD;
    }
  }
  return out;
}

/**
 * A raw record as it may be kept in dead letters: personal identifiers replaced by their tokens,
 * personal fields holding anything else withheld (`WITHHELD`). In three passes:
 * 1. on the text, by field name (escaped key letters written plainly first): this keeps the text
 *    byte for byte elsewhere and works on records that are not JSON (truncated ones: a value cut
 *    off by the end of the text is replaced and left unterminated), and on numbers too long for a
 *    double;
 * 2. on the text, by value: ID numbers with a valid check character and mobile numbers anywhere;
 * 3. when the text parses, on the parsed record: keys in any spelling or letter case, values
 *    written with escapes. Only if this finds more is the record written anew from the parse.
 */
export function redactRaw(raw: string, pseudonymise: Pseudonymiser): string {
  let out = replaceValues(unescapeWordChars(raw), PERSONAL_FIELD, pseudonymise);
  if (INSURED_SUBJECT.test(out)) out = replaceValues(out, SUBJECT_CODE, pseudonymise);
  out = replacePersonalValues(out, pseudonymise);
  let parsed: unknown;
  try {
    parsed = JSON.parse(out);
  } catch {
    return out;
  }
  const changed = { any: false };
  const redacted = redactParsed(parsed, pseudonymise, changed);
  return changed.any ? JSON.stringify(redacted) : out;
}
