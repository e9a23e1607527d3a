/**
 * Compiles the policy packs with the operator's assumption overrides (YIBAO_PACK_OVERRIDES, a JSON
 * file), the thresholds with theirs, and the event-time bounds of ingest.
 */

import { readFileSync } from 'node:fs';
import {
  compileThresholds,
  type ThresholdOverrides,
  type Thresholds,
} from '../rules/early-warning/thresholds.ts';
import type { CompiledPack } from '../rules/engine/engine.ts';
import { type AssumptionOverrides, compilePacks } from '../rules/packs/index.ts';
import { MonitorError } from '../schemas/errors.ts';
import type { ValueBounds } from '../schemas/value-bounds.ts';
import type { Config } from './config.ts';
import type { EventTimeBounds } from './stages/event-time-bounds.ts';

function readJsonObject(variable: string, path: string, example: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `${variable}=${path}: ${(err as Error).message}: expected a JSON file like ${example}`,
      { path },
      err,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MonitorError('CONFIG_INVALID', `${variable}=${path}: expected a JSON object like ${example}`, {
      path,
    });
  }
  return value as Record<string, unknown>;
}

/** Early-warning thresholds with the operator's overrides per pack and division (YIBAO_RULE_OVERRIDES). */
export function loadThresholds(config: Pick<Config, 'YIBAO_RULE_OVERRIDES'>): Thresholds {
  const path = config.YIBAO_RULE_OVERRIDES;
  if (path === undefined) return compileThresholds();
  return compileThresholds(
    readJsonObject(
      'YIBAO_RULE_OVERRIDES',
      path,
      '{"divisions": {"510107": {"amount_spike": {"ratio": 4}}}}',
    ) as ThresholdOverrides,
  );
}

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

/** The event-time bounds of ingest from the config; `now` gives the wall clock (undefined: synthetic input). */
export function loadValueBounds(
  config: Pick<Config, 'YIBAO_MAX_AMOUNT_YUAN' | 'YIBAO_MAX_ITEM_COUNT' | 'YIBAO_MAX_DAYS_SUPPLY'>,
): ValueBounds {
  return {
    maxAmountYuan: config.YIBAO_MAX_AMOUNT_YUAN,
    maxItemCount: config.YIBAO_MAX_ITEM_COUNT,
    maxDaysSupply: config.YIBAO_MAX_DAYS_SUPPLY,
  };
}

/** What ingest refuses: event times out of bounds and implausible values. */
export function loadEventTimeBounds(
  config: Pick<
    Config,
    | 'YIBAO_EVENT_TIME_FLOOR'
    | 'YIBAO_MAX_CLOCK_SKEW_SECONDS'
    | 'YIBAO_MAX_AMOUNT_YUAN'
    | 'YIBAO_MAX_ITEM_COUNT'
    | 'YIBAO_MAX_DAYS_SUPPLY'
  >,
  now: () => number | undefined,
): EventTimeBounds {
  return {
    floorMs: Date.parse(config.YIBAO_EVENT_TIME_FLOOR),
    maxAheadOfClockMs: config.YIBAO_MAX_CLOCK_SKEW_SECONDS * 1000,
    now,
    values: loadValueBounds(config),
  };
}
