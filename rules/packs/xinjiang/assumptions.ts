/**
 * What the Xinjiang seed (004) leaves open, as configurable assumptions, and the readings of its
 * text the project chose (marked on every reason that uses them). `settings` checks an override
 * once per compiled pack and says exactly what is wrong.
 */
import { MonitorError } from '../../../schemas/errors.ts';

export const ASSUMPTIONS = {
  large_amount_yuan: {
    value: 10000,
    why: '第十二条 needs 骗取医疗保障基金数额较大 but never says how much; 10000 yuan (reached = large) is the top of the 3000–10000 yuan range 法释〔2011〕7号 第一条 sets for 诈骗 数额较大, and the 1万 Jiangsu uses for pharmacies (seed 003 第八条(二)). Set it to the local standard.',
  },
  red_list_years: {
    value: 1,
    why: '第十四条 puts 守信 subjects on the 红名单 but sets no period; read as 1 year from decided_at, the shortest publication period of 第十九条.',
  },
  in_force_from: {
    value: '2023-01-01',
    why: '第三十八条: 自发布之日起施行, and the draft (征求意见稿) carries no date; 2023-01-01 is a placeholder after its bases (条例 2021, 新政办发〔2021〕1号). Set the publication date of the final text.',
  },
} as const;

/** Readings of the text; not configurable, but every reason that relies on one says so. */
export const READING = {
  fraud_below_large:
    '第十二条 needs 数额较大 or 严重后果; a fraud penalty with neither is read as a 第十一条 其他失信行为 (一般失信).',
  repair_similar:
    '第三十一条(2) 同类失信行为 read as a dishonesty fact with the same behaviour decided between the fact and the repair.',
} as const;

export type Settings = {
  readonly largeAmount: number;
  /** red_list_years in whole months (addMonths counts calendar months). */
  readonly redMonths: number;
  readonly inForceFrom: string;
};
type Values = Readonly<Record<string, unknown>>;

function invalid(name: string, value: unknown, expected: string): MonitorError {
  return new MonitorError(
    'PACK_INVALID',
    `assumption xinjiang.${name}: ${JSON.stringify(value)} is invalid: expected ${expected}`,
    { pack: 'xinjiang', name },
  );
}

/** A real calendar date YYYY-MM-DD (2023-02-30 is not). */
function isDate(v: unknown): v is string {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const ms = Date.parse(`${v}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === v;
}
const cache = new WeakMap<Values, Settings>();

/** The checked settings of one compiled assumptions object (computed once per object). */
export function settings(a: Values): Settings {
  const hit = cache.get(a);
  if (hit) return hit;
  const large = a.large_amount_yuan ?? ASSUMPTIONS.large_amount_yuan.value;
  if (typeof large !== 'number' || !Number.isFinite(large) || large <= 0) {
    throw invalid('large_amount_yuan', large, 'an amount in yuan > 0');
  }
  const years = a.red_list_years ?? ASSUMPTIONS.red_list_years.value;
  if (typeof years !== 'number' || !Number.isInteger(years * 12) || years <= 0) {
    throw invalid('red_list_years', years, 'a number of years > 0 in whole months (1, 2, 0.5, …)');
  }
  const from = a.in_force_from ?? ASSUMPTIONS.in_force_from.value;
  if (!isDate(from)) throw invalid('in_force_from', from, 'a date YYYY-MM-DD');
  const s: Settings = { largeAmount: large, redMonths: years * 12, inForceFrom: from };
  cache.set(a, s);
  return s;
}
