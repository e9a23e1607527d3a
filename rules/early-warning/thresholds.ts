/**
 * Threshold resolution: a rule's default, overridden per pack, then per division prefix (longest
 * wins). Compiled once; an override naming an unknown rule or threshold is a start-up error.
 */
import { MonitorError } from '../../schemas/errors.ts';
import { RULES, type RuleId } from './definitions.ts';

export type ThresholdOverrides = {
  readonly packs?: Readonly<Record<string, Partial<Record<string, Record<string, number>>>>>;
  readonly divisions?: Readonly<Record<string, Partial<Record<string, Record<string, number>>>>>;
};

export type Thresholds = (
  rule: RuleId,
  pack: string | null,
  division: string | null,
) => Readonly<Record<string, number>>;

function check(where: string, byRule: Partial<Record<string, Record<string, number>>>): void {
  for (const [rule, values] of Object.entries(byRule)) {
    const def = (RULES as Record<string, { thresholds: Record<string, number> }>)[rule];
    if (!def)
      throw new MonitorError(
        'CONFIG_INVALID',
        `${where}.${rule}: no such early-warning rule, expected one of ${Object.keys(RULES).join(', ')}`,
      );
    for (const [name, v] of Object.entries(values ?? {})) {
      if (!(name in def.thresholds))
        throw new MonitorError(
          'CONFIG_INVALID',
          `${where}.${rule}.${name}: no such threshold, expected one of ${Object.keys(def.thresholds).join(', ') || '(none)'}`,
        );
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new MonitorError(
          'CONFIG_INVALID',
          `${where}.${rule}.${name}: ${JSON.stringify(v)} is invalid: expected a number`,
        );
    }
  }
}

export function compileThresholds(overrides: ThresholdOverrides = {}): Thresholds {
  for (const [pack, byRule] of Object.entries(overrides.packs ?? {})) check(`packs.${pack}`, byRule);
  for (const [div, byRule] of Object.entries(overrides.divisions ?? {})) {
    if (!/^\d{2,6}$/.test(div))
      throw new MonitorError(
        'CONFIG_INVALID',
        `divisions.${div}: expected a division code or prefix of 2–6 digits`,
      );
    check(`divisions.${div}`, byRule);
  }
  const divisionKeys = Object.keys(overrides.divisions ?? {}).sort((a, b) => a.length - b.length);
  // Looked up for every evaluation: nested maps, no key string built per call.
  const cache = new Map<string, Map<string | null, Map<string | null, Readonly<Record<string, number>>>>>();
  return (rule, pack, division) => {
    let byPack = cache.get(rule);
    if (!byPack) cache.set(rule, (byPack = new Map()));
    let byDivision = byPack.get(pack);
    if (!byDivision) byPack.set(pack, (byDivision = new Map()));
    const hit = byDivision.get(division);
    if (hit) return hit;
    let t: Record<string, number> = { ...RULES[rule].thresholds };
    if (pack) t = { ...t, ...(overrides.packs?.[pack]?.[rule] ?? {}) };
    for (const d of divisionKeys)
      if (division?.startsWith(d)) t = { ...t, ...(overrides.divisions?.[d]?.[rule] ?? {}) };
    const frozen = Object.freeze(t);
    byDivision.set(division, frozen);
    return frozen;
  };
}
