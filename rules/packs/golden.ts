/** Every pack's golden cases, by pack id, for the one test that runs them all. */
import type { PackId } from '../engine/types.ts';
import type { GoldenCase } from '../golden/kit.ts';
import { GOLDEN as wushan } from './chongqing-wushan/golden.ts';
import { GOLDEN as guangdong } from './guangdong/golden.ts';
import { GOLDEN as jiangsu } from './jiangsu/golden.ts';
import { GOLDEN as sichuan } from './sichuan/golden.ts';
import { GOLDEN as xinjiang } from './xinjiang/golden.ts';

export const GOLDEN_CASES: Partial<Record<PackId, readonly GoldenCase[]>> = {
  'chongqing-wushan': wushan,
  guangdong,
  jiangsu,
  sichuan,
  xinjiang,
};
