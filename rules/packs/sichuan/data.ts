/**
 * 四川省医疗保障基金使用信用管理暂行办法（征求意见稿） as data. Seed: 000_6ffbee0125ee8f6d.txt.
 * Only what the seed states is here. The scoring table, the cut-offs, the start scores and the
 * in-force date are not in the draft: they are assumptions (assumptions.ts), never constants.
 */
import type { Behavior } from '../../../schemas/events.ts';
import type { ChainTrigger, Consequence, PackVersion } from '../../engine/types.ts';

export const SEED = '000_6ffbee0125ee8f6d.txt';

/** 第十七条第一款: 机构类 千分制, 医保信用等级从高到低分为 A、B、C、D、E 五级. */
export const GRADES = ['A', 'B', 'C', 'D', 'E'] as const;
export const INSTITUTION_SCALE_MAX = 1000;

/**
 * 第十七条第二款: 人员类 百分制，基础分数为100分，对失信行为进行扣分; 守信、轻微失信、一般失信、
 * 较重失信、严重失信五级. The insured (第四条(4)) are 人员 on the same scale (EVENTS.md `level`).
 */
export const LEVELS = ['trustworthy', 'minor', 'general', 'serious', 'severe'] as const;
export const PERSON_BASE_SCORE = 100;
export const PERSON_SCALE_MAX = 100;

/** The seed's own names of the five levels, accepted in `grade_published.grade`. */
export const LEVEL_NAMES: Readonly<Record<string, (typeof LEVELS)[number]>> = {
  守信: 'trustworthy',
  轻微失信: 'minor',
  一般失信: 'general',
  较重失信: 'serious',
  严重失信: 'severe',
};

/** 第十五条: 以一个自然年度为一个信用评价周期，每年第一季度末公布上年信用评价结果. */
export const PERIOD_ARTICLE = '第十五条';

/** 第十六条(一): 定点医药机构 不参与当年度信用评价, by excluded_reason. */
export const INSTITUTION_EXCLUSIONS = {
  agreement_under_6_months: { article: '第十六条(一)1', text: '医保服务协议管理不满 6个月' },
  agreement_ended_over_1_year: { article: '第十六条(一)2', text: '已解除医保服务协议管理超过一年' },
  license_suspended_over_1_year: { article: '第十六条(一)3', text: '暂停或吊销执业许可证超过一年' },
  fraud_investigation_open: { article: '第十六条(一)4', text: '因涉嫌欺诈骗保被立案查处尚未结案' },
  appeal_open: { article: '第十六条(一)5', text: '已申请医保行政复议、提起行政诉讼尚未结案' },
} as const;

/** 第十六条(二): 相关人员 不参与当年度信用评价, by excluded_reason. */
export const STAFF_EXCLUSIONS = {
  qualified_under_6_months: { article: '第十六条(二)1', text: '医保服务资格不满 6个月' },
  license_suspended_over_1_year: { article: '第十六条(二)2', text: '暂停或吊销职业资格证超过一年' },
  fraud_investigation_open: { article: '第十六条(二)3', text: '因涉嫌欺诈骗保被立案查处尚未结案' },
} as const;

/** 第十六条: 6 months and one year. */
export const UNDER_MONTHS = 6;
export const OVER_YEARS = 1;

/** 第三十七条(六): 连续 3年信用评价结果为一般失信及以下的，下一评定年度内其信用等级按序下调一个等级. */
export const THREE_YEAR_RULE = { years: 3, levels: ['general', 'serious', 'severe'] as readonly string[] };

/** 第三十九条: 暂停其医疗费用联网结算 3个月至 12个月 for these behaviours of an insured person. */
export const SETTLEMENT_SUSPENSION_BEHAVIORS: ReadonlySet<Behavior> = new Set<Behavior>([
  'card_lending',
  'duplicate_benefits',
  'drug_resale',
]);

/** 第五十四条: 本办法自 XX年 XX月 XX日起实施 — the date is an assumption (`in_force_from`). */
export const VERSION: PackVersion = {
  id: '四川省医疗保障基金使用信用管理暂行办法（征求意见稿）',
  in_force_from: '2022-01-01',
  status: '征求意见稿',
  article: '第五十四条',
};

/** 第三十四条(七), 第三十五条(七): brand-wide rectification of a pharmacy chain. */
export const CHAIN_TRIGGERS: readonly ChainTrigger[] = [
  { rule: 'sichuan.chain.d_rectify', article: '第三十四条(七)', min_share_pct: 20, measures_of_level: 'D' },
  {
    rule: 'sichuan.chain.e_rectify',
    article: '第三十五条(七)',
    min_share_pct: 15,
    requires_level: 'E',
    measures_of_level: 'E',
  },
];

const MEDICAL = ['hospital', 'clinic', 'village_clinic'];
const PHARMACY = ['pharmacy'];
const other = (text: string) => ({ type: 'other', text }) as const;

/** 第二十五条–第二十九条 (定点医疗机构), 第三十一条–第三十五条 (定点药店), 第三十七条–第三十八条 (人员). */
export const CONSEQUENCES: readonly Consequence[] = [
  {
    level: 'A',
    applies_to: MEDICAL,
    article: '第二十五条',
    measures: [
      { type: 'budget_adjustment', min_pct: 2, max_pct: 2 },
      other('年终总控决算医疗费用超额补偿比例提高 2%'),
      other('新签医保定点协议免检、容缺受理；优先通过医保预付金申请'),
      other('除有明确举报线索外，免除当年省级飞行检查'),
      other('官方网站等公开平台宣传表扬'),
    ],
  },
  {
    level: 'B',
    applies_to: MEDICAL,
    article: '第二十六条',
    measures: [
      { type: 'budget_adjustment', min_pct: 1, max_pct: 1 },
      other('年终总控决算医疗费用超额补偿比例提高 1%'),
      other('优先通过医保预付金申请'),
      other('除有因检查外，降低日常监督检查频次，减少监督抽检频次'),
      other('公开平台公示评价结果'),
    ],
  },
  {
    level: 'C',
    applies_to: MEDICAL,
    article: '第二十七条',
    measures: [
      other('保持日常监督检查频次和正常监督抽检频次'),
      other('提醒限期整改，跟踪检查'),
      other('公开平台公示评价结果'),
    ],
  },
  {
    level: 'D',
    applies_to: MEDICAL,
    article: '第二十八条',
    measures: [
      { type: 'budget_adjustment', min_pct: -3, max_pct: -1 },
      other('不予通过医保预付金申请'),
      other('年终总控决算医疗费用超额补偿比例降低 1%-3%'),
      { type: 'monitoring', severity: 'key' },
      { type: 'sampling_change', pct_points: 10 },
      { type: 'interview' },
      other('提醒限期整改，跟踪检查；公示评价结果；信用等级通报内部相关处室'),
    ],
  },
  {
    level: 'E',
    applies_to: MEDICAL,
    article: '第二十九条',
    measures: [
      { type: 'budget_adjustment', min_pct: -5, max_pct: -3 },
      other('不予通过医保预付金申请'),
      other('年终总控决算医疗费用超额补偿比例降低 3%-5%'),
      { type: 'sampling_change', pct_points: 20 },
      { type: 'interview' },
      other('督促停止失信行为并立即整改；公示失信信息；通报相关部门实施联合惩戒'),
      { type: 'termination', when: 'two_consecutive_e_years' },
    ],
  },
  {
    level: 'A',
    applies_to: PHARMACY,
    article: '第三十一条',
    measures: [
      other('新签医保定点协议免检、容缺受理'),
      other('年终清算时全额偿付质量保证金'),
      other('以线上日常监管为主，原则上不开展现场检查'),
      other('官方网站等公开平台宣传表扬'),
    ],
  },
  {
    level: 'B',
    applies_to: PHARMACY,
    article: '第三十二条',
    measures: [
      other('年终清算时全额偿付质量保证金'),
      other('适当降低现场检查频次，以专项检查为主'),
      other('公开平台宣传表扬'),
    ],
  },
  {
    level: 'C',
    applies_to: PHARMACY,
    article: '第三十三条',
    measures: [
      other('保持日常监督检查频次和正常监督抽检频次'),
      other('提醒限期整改，跟踪检查'),
      other('公开平台公示评价结果'),
    ],
  },
  {
    level: 'D',
    applies_to: PHARMACY,
    article: '第三十四条',
    measures: [
      { type: 'monitoring', severity: 'key' },
      { type: 'sampling_change', pct_points: 10 },
      { type: 'interview' },
      other('提醒限期整改，跟踪检查；公示评价结果；信用等级通报内部有关部门'),
      other('同一连锁药店旗下占比 20% 的分店为 D 级或以下: 品牌下所有分店整改 (第三十四条(七))'),
    ],
  },
  {
    level: 'E',
    applies_to: PHARMACY,
    article: '第三十五条',
    measures: [
      { type: 'interview' },
      { type: 'sampling_change', pct_points: 20 },
      other('公示失信信息；通报相关部门实施联合惩戒'),
      { type: 'termination', when: 'two_consecutive_e_years' },
      other('同一连锁药店旗下占比 15% 的分店为 D 级或以下: 品牌下所有分店整改 (第三十五条(七))'),
    ],
  },
  {
    level: 'trustworthy',
    applies_to: ['practitioner'],
    article: '第三十七条(一)',
    measures: [other('宣传表扬，记入信用档案，同等条件下优先推荐纳入医保专家库')],
  },
  {
    level: 'minor',
    applies_to: ['practitioner'],
    article: '第三十七条(二)',
    measures: [{ type: 'interview' }, other('扣分事项记入信用档案')],
  },
  {
    level: 'general',
    applies_to: ['practitioner'],
    article: '第三十七条(三)',
    measures: [
      { type: 'interview' },
      other('定点机构内部通告 1次'),
      { type: 'suspension', min_months: 1, max_months: 2 },
    ],
  },
  {
    level: 'serious',
    applies_to: ['practitioner'],
    article: '第三十七条(四)',
    measures: [
      { type: 'interview' },
      other('定点机构内部通告 1次'),
      { type: 'suspension', min_months: 3, max_months: 12 },
      other('恢复前须参加医保知识考试合格；取消医保专家库成员资格'),
    ],
  },
  {
    level: 'severe',
    applies_to: ['practitioner'],
    article: '第三十七条(五)',
    measures: [
      other('定点机构内部通告'),
      { type: 'termination', when: 'immediately' },
      other('两年内不受理其申请；取消医保专家库成员资格'),
    ],
  },
  ...(['minor', 'general', 'serious', 'severe'] as const).map(
    (level): Consequence => ({
      level,
      applies_to: ['insured'],
      article: '第三十八条',
      measures: [
        other('医保基金使用严格审核'),
        other('在信用中国，省、市（州）医疗保障信用管理平台分情况公示 (个人隐私不得披露, 第二十二条)'),
      ],
    }),
  ),
];
