/**
 * Mixes a share of malformed records into a stream — truncated JSON, wrong types, unknown types,
 * huge strings, invalid codes — deterministically from a seed. The embedded demo uses it so the
 * dead-letter path is visible; fault tests use it to check that every bad record lands there.
 */
import type { SourceRecord } from './source.ts';

export const MALFORMATIONS = [
  'truncated',
  'wrong_type',
  'unknown_type',
  'huge_string',
  'invalid_code',
] as const;
export type Malformation = (typeof MALFORMATIONS)[number];

/** mulberry32: a small, fast, seedable generator (deterministic corruption). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function malform(raw: string, how: Malformation): string {
  switch (how) {
    case 'truncated':
      return raw.slice(0, Math.max(1, Math.floor(raw.length / 2)));
    case 'wrong_type':
      return raw.replace(/"occurred_at":"[^"]*"/, '"occurred_at":20261120');
    case 'unknown_type':
      return raw.replace(/"type":"[a-z_]+"/, '"type":"refund"');
    case 'huge_string':
      return raw.replace(
        /"event_id":"([^"]*)"/,
        (_m, id: string) => `"event_id":"${id}${'x'.repeat(70_000)}"`,
      );
    case 'invalid_code':
      return raw
        .replace(/"fixmedins_code":"[^"]*"/, '"fixmedins_code":"X123"')
        .replace(/"subject_code":"[^"]*"/, '"subject_code":""');
  }
}

export async function* withMalformed(
  records: AsyncIterable<SourceRecord>,
  share: number,
  seed = 7,
): AsyncGenerator<SourceRecord & { malformed?: Malformation }> {
  const next = rng(seed);
  let i = 0;
  for await (const r of records) {
    yield r;
    if (share > 0 && next() < share) {
      const how = MALFORMATIONS[i++ % MALFORMATIONS.length]!;
      yield {
        ...r,
        raw: malform(typeof r.raw === 'string' ? r.raw : r.raw.toString('utf8'), how),
        malformed: how,
      };
    }
  }
}
