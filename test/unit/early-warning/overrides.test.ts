/**
 * YIBAO_RULE_OVERRIDES is strict (STYLE.md §2–3, issue 17): a misspelt key would never apply and
 * nobody would be told, so every unknown key and every value out of its range stops start-up with
 * a message naming the key, the value and what was expected.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadThresholds } from '../../../processors/packs-config.ts';
import { RULE_IDS, RULES } from '../../../rules/early-warning/definitions.ts';
import { describeRange, inRange, RANGES, type Range } from '../../../rules/early-warning/threshold-ranges.ts';
import { compileThresholds } from '../../../rules/early-warning/thresholds.ts';
import { isMonitorError } from '../../../schemas/errors.ts';

function messageOf(overrides: unknown): string {
  try {
    compileThresholds(overrides);
  } catch (e) {
    if (isMonitorError(e, 'CONFIG_INVALID')) return e.message;
    throw e;
  }
  throw new Error(`accepted: ${JSON.stringify(overrides)}`);
}

const PACKS_LIST = 'chongqing-wushan, jiangsu, guangdong, xinjiang, sichuan';

describe('unknown keys stop start-up, naming the key and the valid ones', () => {
  it('a misspelt top-level key (divison)', () => {
    expect(messageOf({ divison: { '510107': { amount_spike: { ratio: 4 } } } })).toBe(
      'divison: no such key, expected one of packs, divisions',
    );
  });

  it('a misspelt pack (packs.sichaun)', () => {
    expect(messageOf({ packs: { sichaun: { amount_spike: { ratio: 4 } } } })).toBe(
      `packs.sichaun: no such pack, expected one of ${PACKS_LIST}`,
    );
  });

  it('a division that is no division code or prefix', () => {
    expect(messageOf({ divisions: { '51010': { amount_spike: { ratio: 4 } } } })).toBe(
      'divisions.51010: no such division, expected a division code or prefix of 2, 4 or 6 digits (province, city, county)',
    );
    expect(messageOf({ divisions: { '990101': { amount_spike: { ratio: 4 } } } })).toMatch(
      /^divisions\.990101: no such division, expected a code starting with a province code, one of 11, 12, .*, 51, .*, 82$/,
    );
  });

  it('an unknown rule, under a pack or a division', () => {
    const rules = RULE_IDS.join(', ');
    expect(messageOf({ packs: { sichuan: { amount_spik: { ratio: 4 } } } })).toBe(
      `packs.sichuan.amount_spik: no such early-warning rule, expected one of ${rules}`,
    );
    expect(messageOf({ divisions: { '44': { split_admision: {} } } })).toBe(
      `divisions.44.split_admision: no such early-warning rule, expected one of ${rules}`,
    );
  });

  it('an unknown threshold name', () => {
    expect(messageOf({ divisions: { '5101': { amount_spike: { ratoi: 4 } } } })).toBe(
      'divisions.5101.amount_spike.ratoi: no such threshold, expected one of ratio, min_amount, min_baseline_days',
    );
    expect(messageOf({ packs: { guangdong: { grade_boundary_proximity: { margin: 1 } } } })).toBe(
      'packs.guangdong.grade_boundary_proximity.margin: no such threshold, expected one of (none)',
    );
  });

  it('a level that is not an object', () => {
    expect(messageOf({ packs: { sichuan: { amount_spike: 4 } } })).toBe(
      'packs.sichuan.amount_spike: 4 is invalid: expected an object like {"ratio": 4}',
    );
    expect(messageOf([])).toMatch(/^YIBAO_RULE_OVERRIDES: \[\] is invalid: expected an object/);
  });
});

describe('thresholds are typed per rule with their ranges', () => {
  it('amount_spike.ratio: -4 is refused with its bound', () => {
    expect(messageOf({ packs: { sichuan: { amount_spike: { ratio: -4 } } } })).toBe(
      'packs.sichuan.amount_spike.ratio: -4 is out of range: expected a number greater than 1 (a multiple of the baseline: at or under 1 is no excess)',
    );
  });

  it('practitioner_throughput.max_per_hour: 0 is refused with its bound', () => {
    expect(messageOf({ divisions: { '510107': { practitioner_throughput: { max_per_hour: 0 } } } })).toBe(
      'divisions.510107.practitioner_throughput.max_per_hour: 0 is out of range: expected an integer at least 1 (a count of at least one)',
    );
  });

  it('a share over 1, a fractional count and a string are refused', () => {
    expect(messageOf({ packs: { jiangsu: { claim_reduction_rate: { min_rate: 1.5 } } } })).toBe(
      'packs.jiangsu.claim_reduction_rate.min_rate: 1.5 is out of range: expected a number greater than 0 and at most 1 (a share of a whole, over 0 and at most 1)',
    );
    expect(messageOf({ packs: { jiangsu: { split_admission: { min_count: 2.5 } } } })).toMatch(
      /^packs\.jiangsu\.split_admission\.min_count: 2\.5 is out of range: expected an integer at least 1/,
    );
    expect(messageOf({ packs: { jiangsu: { amount_spike: { ratio: '4' } } } })).toBe(
      'packs.jiangsu.amount_spike.ratio: "4" is invalid: expected a number (a number greater than 1)',
    );
  });

  it('values at their bound are accepted: ratio just over 1, max_per_hour 1, min_baseline_days 7', () => {
    const t = compileThresholds({
      packs: { sichuan: { amount_spike: { ratio: 1.01, min_baseline_days: 7 } } },
      divisions: { '510107': { practitioner_throughput: { max_per_hour: 1 } } },
    });
    expect(t('amount_spike', 'sichuan', '510104')).toMatchObject({ ratio: 1.01, min_baseline_days: 7 });
    expect(t('practitioner_throughput', 'sichuan', '510107').max_per_hour).toBe(1);
    expect(messageOf({ packs: { sichuan: { amount_spike: { ratio: 1 } } } })).toMatch(
      /ratio: 1 is out of range/,
    );
    expect(messageOf({ packs: { sichuan: { amount_spike: { min_baseline_days: 8 } } } })).toMatch(
      /min_baseline_days: 8 is out of range: expected an integer from 1 to 7/,
    );
  });

  it('every default lies in its range, and every threshold has one', () => {
    for (const rule of RULE_IDS) {
      const ranges: Readonly<Record<string, Range>> = RANGES[rule];
      expect(Object.keys(ranges).sort(), rule).toEqual(Object.keys(RULES[rule].thresholds).sort());
      for (const [name, v] of Object.entries(RULES[rule].thresholds as Record<string, number>))
        expect(inRange(v, ranges[name]!), `${rule}.${name} = ${v}: ${describeRange(ranges[name]!)}`).toBe(
          true,
        );
    }
  });
});

describe('at start-up', () => {
  it('a YIBAO_RULE_OVERRIDES file with a misspelt key stops loadThresholds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rule-overrides-'));
    const path = join(dir, 'overrides.json');
    writeFileSync(path, JSON.stringify({ packs: { sichaun: { amount_spike: { ratio: 4 } } } }));
    expect(() => loadThresholds({ YIBAO_RULE_OVERRIDES: path })).toThrow(
      `packs.sichaun: no such pack, expected one of ${PACKS_LIST}`,
    );
  });
});
