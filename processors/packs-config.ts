/** Compiles the policy packs with the operator's assumption overrides (YIBAO_PACK_OVERRIDES, a JSON file). */
import { readFileSync } from 'node:fs';
import type { CompiledPack } from '../rules/engine/engine.ts';
import { type AssumptionOverrides, compilePacks } from '../rules/packs/index.ts';
import { MonitorError } from '../schemas/errors.ts';
import type { Config } from './config.ts';

export function loadPacks(config: Pick<Config, 'YIBAO_PACK_OVERRIDES'>): CompiledPack[] {
  const path = config.YIBAO_PACK_OVERRIDES;
  if (path === undefined) return compilePacks();
  let overrides: unknown;
  try {
    overrides = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new MonitorError(
      'PACK_INVALID',
      `YIBAO_PACK_OVERRIDES=${path}: ${(err as Error).message}: expected a JSON file like {"xinjiang": {"large_amount_yuan": 50000}}`,
      { path },
      err,
    );
  }
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new MonitorError(
      'PACK_INVALID',
      `YIBAO_PACK_OVERRIDES=${path}: expected a JSON object keyed by pack id`,
      { path },
    );
  }
  return compilePacks(overrides as AssumptionOverrides);
}
