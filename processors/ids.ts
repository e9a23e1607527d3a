/** Deterministic ids for outputs, so a replay after a crash writes the same rows (idempotent sinks). */
import { createHash } from 'node:crypto';

export function stableId(prefix: string, ...parts: readonly (string | number | null | undefined)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p ?? ''}\u0000`);
  return `${prefix}-${h.digest('base64url').slice(0, 20)}`;
}
