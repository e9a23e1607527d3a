/**
 * The five policy packs, compiled once at start-up with the operator's assumption overrides
 * (STYLE.md §2): an override naming an unknown pack or assumption is a start-up error.
 */
import { MonitorError } from '../../schemas/errors.ts';
import type { CompiledPack } from '../engine/engine.ts';
import type { Pack, PackId } from '../engine/types.ts';
import { wushan } from './chongqing-wushan/index.ts';
import { guangdong } from './guangdong/index.ts';
import { jiangsu } from './jiangsu/index.ts';
import { sichuan } from './sichuan/index.ts';
import { xinjiang } from './xinjiang/index.ts';

export const PACKS: readonly Pack[] = [wushan, jiangsu, guangdong, xinjiang, sichuan];

export type AssumptionOverrides = Partial<Record<PackId, Record<string, unknown>>>;

/** Packs whose in-force date is itself an assumption take it from `in_force_from`. */
function withVersions(pack: Pack, values: Record<string, unknown>): Pack {
  const from = values.in_force_from;
  if (typeof from !== 'string') return pack;
  return { ...pack, versions: pack.versions.map((v, i) => (i === 0 ? { ...v, in_force_from: from } : v)) };
}

export function compilePacks(overrides: AssumptionOverrides = {}): CompiledPack[] {
  for (const id of Object.keys(overrides)) {
    if (!PACKS.some((p) => p.id === id)) {
      throw new MonitorError(
        'PACK_INVALID',
        `assumption override for pack "${id}": no such pack, expected one of ${PACKS.map((p) => p.id).join(', ')}`,
        { pack: id },
      );
    }
  }
  return PACKS.map((pack) => {
    const values: Record<string, unknown> = {};
    for (const [name, a] of Object.entries(pack.assumptions)) values[name] = a.value;
    for (const [name, value] of Object.entries(overrides[pack.id] ?? {})) {
      const known = pack.assumptions[name];
      if (!known) {
        throw new MonitorError(
          'PACK_INVALID',
          `assumption override ${pack.id}.${name}: no such assumption, expected one of ${Object.keys(pack.assumptions).join(', ')}`,
          { pack: pack.id, name },
        );
      }
      if (typeof value !== typeof known.value) {
        throw new MonitorError(
          'PACK_INVALID',
          `assumption override ${pack.id}.${name}: ${JSON.stringify(value)} is invalid: expected a ${typeof known.value} like ${JSON.stringify(known.value)}`,
          { pack: pack.id, name },
        );
      }
      values[name] = value;
    }
    return { pack: withVersions(pack, values), assumptions: Object.freeze(values) };
  });
}
