/**
 * Threshold resolution: a rule's default, overridden per pack, then per division prefix (longest
 * wins). Compiled once at start-up (STYLE.md §2–3): the overrides come from a JSON file
 * (YIBAO_RULE_OVERRIDES), so every key is checked — an unknown top-level key, pack, division,
 * rule or threshold, or a value out of its range (threshold-ranges.ts), is a CONFIG_INVALID error
 * naming the key, the value and what was expected. A misspelt key would otherwise never apply and
 * nobody would be told.
 */
import { MonitorError } from '../../schemas/errors.ts';
import { PACKS } from '../packs/index.ts';
import { RULE_IDS, RULES, type RuleId } from './definitions.ts';
import { describeRange, inRange, RANGES, type Range } from './threshold-ranges.ts';

type ByRule = { readonly [R in RuleId]?: { readonly [K in keyof RuleThresholds<R>]?: number } };

export type ThresholdOverrides = {
  readonly packs?: Readonly<Record<string, ByRule>>;
  readonly divisions?: Readonly<Record<string, ByRule>>;
};

/** A rule's thresholds, each a number: the names are the rule's own (definitions.ts). */
export type RuleThresholds<R extends RuleId> = {
  readonly [K in keyof (typeof RULES)[R]['thresholds']]: number;
};

export type Thresholds = <R extends RuleId>(
  rule: R,
  pack: string | null,
  division: string | null,
) => RuleThresholds<R>;

const TOP_LEVEL = ['packs', 'divisions'];
const PACK_IDS = PACKS.map((p) => p.id as string);
/** GB/T 2260 province-level codes: a division key starts with one of them. */
const PROVINCES =
  '11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82'.split(
    ' ',
  );

const invalid = (message: string) => new MonitorError('CONFIG_INVALID', message);

function objectAt(where: string, v: unknown, like: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw invalid(`${where}: ${JSON.stringify(v)} is invalid: expected an object like ${like}`);
  return v as Record<string, unknown>;
}

function checkValue(where: string, v: unknown, range: Range): void {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw invalid(`${where}: ${JSON.stringify(v)} is invalid: expected a number (${describeRange(range)})`);
  if (!inRange(v, range))
    throw invalid(`${where}: ${v} is out of range: expected ${describeRange(range)} (${range.why})`);
}

function checkRules(where: string, value: unknown): void {
  const byRule = objectAt(where, value, '{"amount_spike": {"ratio": 4}}');
  for (const [rule, values] of Object.entries(byRule)) {
    if (!(rule in RULES))
      throw invalid(`${where}.${rule}: no such early-warning rule, expected one of ${RULE_IDS.join(', ')}`);
    const ranges: Readonly<Record<string, Range>> = RANGES[rule as RuleId];
    const names = Object.keys(ranges);
    for (const [name, v] of Object.entries(objectAt(`${where}.${rule}`, values, '{"ratio": 4}'))) {
      const range = ranges[name];
      if (!range)
        throw invalid(
          `${where}.${rule}.${name}: no such threshold, expected one of ${names.join(', ') || '(none)'}`,
        );
      checkValue(`${where}.${rule}.${name}`, v, range);
    }
  }
}

function checkDivision(div: string): void {
  if (!/^\d{2}(\d{2}){0,2}$/.test(div))
    throw invalid(
      `divisions.${div}: no such division, expected a division code or prefix of 2, 4 or 6 digits (province, city, county)`,
    );
  if (!PROVINCES.includes(div.slice(0, 2)))
    throw invalid(
      `divisions.${div}: no such division, expected a code starting with a province code, one of ${PROVINCES.join(', ')}`,
    );
}

/** Checks the overrides as read from JSON; returns them typed. */
function checked(overrides: unknown): ThresholdOverrides {
  const top = objectAt('YIBAO_RULE_OVERRIDES', overrides, '{"divisions": {"510107": {…}}}');
  for (const key of Object.keys(top))
    if (!TOP_LEVEL.includes(key))
      throw invalid(`${key}: no such key, expected one of ${TOP_LEVEL.join(', ')}`);
  if (top.packs !== undefined)
    for (const [pack, byRule] of Object.entries(objectAt('packs', top.packs, '{"sichuan": {…}}'))) {
      if (!PACK_IDS.includes(pack))
        throw invalid(`packs.${pack}: no such pack, expected one of ${PACK_IDS.join(', ')}`);
      checkRules(`packs.${pack}`, byRule);
    }
  if (top.divisions !== undefined)
    for (const [div, byRule] of Object.entries(objectAt('divisions', top.divisions, '{"510107": {…}}'))) {
      checkDivision(div);
      checkRules(`divisions.${div}`, byRule);
    }
  return top as ThresholdOverrides;
}

/** `input`: a ThresholdOverrides, or what JSON.parse gave (checked here either way). */
export function compileThresholds(input: unknown = {}): Thresholds {
  const overrides = checked(input);
  const divisionKeys = Object.keys(overrides.divisions ?? {}).sort((a, b) => a.length - b.length);
  // Looked up for every evaluation: nested maps, no key string built per call.
  const cache = new Map<string, Map<string | null, Map<string | null, Readonly<Record<string, number>>>>>();
  const resolve = (rule: RuleId, pack: string | null, division: string | null) => {
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
  // Every name of the rule is present: the defaults are complete and overrides only replace them.
  return <R extends RuleId>(rule: R, pack: string | null, division: string | null) =>
    resolve(rule, pack, division) as RuleThresholds<R>;
}
