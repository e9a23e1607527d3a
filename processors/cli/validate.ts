/** `yibao-monitor validate FILE`: integrators check their feeds against EVENTS.md. */
import { createDecoder } from '../../schemas/decode.ts';
import type { Config } from '../config.ts';
import { readNdjson } from '../io/ndjson.ts';

export async function validateFile(
  path: string,
  config: Config,
  out: (line: string) => void,
): Promise<{ records: number; rejected: number }> {
  const decode = createDecoder({ pseudonymKey: config.pseudonymKey });
  let records = 0;
  let rejected = 0;
  for await (const { line, text } of readNdjson(path)) {
    records++;
    const r = decode(text);
    if (!r.ok) {
      rejected++;
      out(`line ${line}: ${r.error.message}`);
    }
  }
  out(`${records} records, ${rejected} rejected`);
  return { records, rejected };
}
