/**
 * 巫山县医疗保障基金监管信用管理办法（试行） as data. Seed: 001_dc3d7edc95aa6502.txt.
 * Every number below is quoted from the seed, except those under `assumptions`.
 */
import type { Cutoff } from '../../engine/helpers.ts';
import type { Consequence } from '../../engine/types.ts';

export const SEED = '001_dc3d7edc95aa6502.txt';

/** 第十八条: 90分以上 A; 65分以上不足90分 B; 60分以上不足65分 C; 不足60分 D (第二十六条: 以上 includes). */
export const GRADE_CUTOFFS: readonly Cutoff[] = [
  { min: 90, level: 'A' },
  { min: 65, level: 'B' },
  { min: 60, level: 'C' },
  { min: Number.NEGATIVE_INFINITY, level: 'D' },
];

/** 附件 一(一): the period's violation money → one deduction tier (元, 不足 excludes the bound). */
export const VIOLATION_MONEY_TIERS: readonly { below: number; points: number; text: string }[] = [
  { below: 10_000, points: 2, text: '不足1万元 扣2分' },
  { below: 50_000, points: 5, text: '1万元以上不足5万元 扣5分' },
  { below: 100_000, points: 10, text: '5万元以上不足10万元 扣10分' },
  { below: Number.POSITIVE_INFINITY, points: 20, text: '10万元以上 扣20分' },
];

/** 附件 一(二)–(五): per-fact deductions. */
export const PER_FACT_DEDUCTIONS = {
  interview: { points: 5, article: '附件 一(二)', text: '约谈一次扣5分' },
  agreement_suspension: { points: 10, article: '附件 一(三)', text: '中止或暂停服务协议的扣10分' },
  late_payment: {
    points: 5,
    article: '附件 一(四)',
    text: '未在规定时间内退回基金、上缴违约金或罚款 每次扣5分',
  },
  fraud: { points: 20, article: '附件 一(五)', text: '条例第四十条骗取基金支出 每次扣20分' },
} as const;

export const BASE_SCORE = 100; // 附件: 基础分值为100分

const inpatient = ['inpatient'];
const outpatient = ['outpatient_only', 'pharmacy'];

/** 第二十一条 (inpatient and outpatient care) and 第二十二条 (outpatient only, pharmacies). */
export const CONSEQUENCES: readonly Consequence[] = [
  {
    level: 'A',
    applies_to: inpatient,
    article: '第二十一条(一)',
    measures: [
      { type: 'sampling_change', pct_points: -5 },
      { type: 'budget_adjustment', min_pct: 1, max_pct: 5 },
      { type: 'prepayment_adjustment', min_pct: 1, max_pct: 10 },
    ],
  },
  {
    level: 'B',
    applies_to: inpatient,
    article: '第二十一条(二)',
    measures: [{ type: 'other', text: '按计划检查审核，预算、考核、预付正常执行' }],
  },
  {
    level: 'C',
    applies_to: inpatient,
    article: '第二十一条(三)(五)',
    measures: [
      { type: 'sampling_change', pct_points: 5 },
      { type: 'budget_adjustment', min_pct: -5, max_pct: -1 },
      { type: 'prepayment_adjustment', min_pct: -10, max_pct: -1 },
      { type: 'interview' },
      { type: 'suspension', min_months: 3, max_months: 6 },
      { type: 'other', text: '不予申报或取消慢特病待遇资格认定及试点工作' },
    ],
  },
  {
    level: 'D',
    applies_to: inpatient,
    article: '第二十一条(四)(五)',
    measures: [
      { type: 'termination', when: 'next_year' },
      { type: 'other', text: '不予申报或取消慢特病待遇资格认定及试点工作' },
    ],
  },
  {
    level: 'A',
    applies_to: outpatient,
    article: '第二十二条(一)',
    measures: [{ type: 'audits_per_year', min: 1, max: 1 }],
  },
  {
    level: 'B',
    applies_to: outpatient,
    article: '第二十二条(二)',
    measures: [{ type: 'audits_per_year', min: 2 }],
  },
  {
    level: 'C',
    applies_to: outpatient,
    article: '第二十二条(三)(五)',
    measures: [
      { type: 'audits_per_year', min: 3 },
      { type: 'interview' },
      { type: 'suspension', min_months: 3, max_months: 6 },
      { type: 'other', text: '不予申报或取消慢特病、国家谈判药品定点及试点工作' },
    ],
  },
  {
    level: 'D',
    applies_to: outpatient,
    article: '第二十二条(四)(五)',
    measures: [
      { type: 'termination', when: 'next_year' },
      { type: 'other', text: '不予申报或取消慢特病、国家谈判药品定点及试点工作' },
    ],
  },
];
