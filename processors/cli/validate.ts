/** `yibao-monitor validate FILE`: integrators check their feeds against EVENTS.md. */
import { createDecoder } from '../../schemas/decode.ts';
import { implausible } from '../../schemas/value-bounds.ts';
import type { Config } from '../config.ts';
import { readNdjson } from '../io/ndjson.ts';
import { loadValueBounds } from '../packs-config.ts';

export async function validateFile(
  path: string,
  config: Config,
  out: (line: string) => void,
): Promise<{ records: number; rejected: number }> {
  const decode = createDecoder({ pseudonymKey: config.pseudonymKey });
  const bounds = loadValueBounds(config);
  let records = 0;
  let rejected = 0;
  for await (const { line, text } of readNdjson(path)) {
    records++;
    const r = decode(text);
    const bad = r.ok ? implausible(r.event, bounds) : r.error;
    if (bad) {
      rejected++;
      out(`line ${line}: ${bad.message}`);
    }
  }
  out(`${records} records, ${rejected} rejected`);
  return { records, rejected };
}
