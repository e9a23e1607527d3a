/**
 * 自治区医疗保障基金监管信用管理办法（试行）（征求意见稿） as data. Seed: 004_3174892be621c40f.txt.
 * Every number below is quoted from the seed; the pack's assumptions live in assumptions.ts.
 */
import type { Behavior, SubjectKind } from '../../../schemas/events.ts';
import type { Consequence } from '../../engine/types.ts';

export const SEED = '004_3174892be621c40f.txt';

/** 第十六条: 红名单 (守信), 灰名单 (一般失信), 黑名单 (严重失信); `none` between red and grey. Best first. */
export const LEVELS = ['red', 'none', 'grey', 'black'] as const;
export type Listed = 'grey' | 'black';

type BehaviorItems = Readonly<Partial<Record<Behavior, string>>>;

/** 第十一条(一): 定点医药机构及医保医（药）师's 一般失信 behaviours. */
const INSTITUTION_GENERAL: BehaviorItems = {
  split_admission: '第十一条(一)1', // 分解住院、挂床住院
  hanging_bed: '第十一条(一)1',
  over_treatment: '第十一条(一)2', // 过度诊疗、过度检查、分解处方、超量开药、重复开药
  overcharge: '第十一条(一)3', // 重复收费、超标准收费、分解项目收费
  substitution: '第十一条(一)4', // 串换药品、医用耗材、诊疗项目和服务设施
  resale_facilitation: '第十一条(一)5', // 为转卖药品、返还现金实物提供便利
  non_covered_settlement: '第十一条(一)6', // 不属于基金支付范围的费用纳入结算
  no_internal_control: '第十一条(一)7', // 未建立基金使用内部管理制度
  obstruction: '第十一条(一)8', // 拒绝监督检查或者提供虚假情况
  other: '第十一条(一)9', // 其他失信行为
};

/** 第十一条(二): 参保单位及参保人员's 一般失信 behaviours (one list for both). */
const INSURED_GENERAL: BehaviorItems = {
  card_lending: '第十一条(二)1', // 本人医疗保障凭证交由他人冒名使用
  duplicate_benefits: '第十一条(二)2', // 重复享受医疗保障待遇
  drug_resale: '第十一条(二)3', // 转卖药品，接受返还现金、实物
  contribution_arrears: '第十一条(二)4', // 参保单位未按时足额缴纳医疗保险费，造成不良后果
  other: '第十一条(二)5', // 其他失信行为
};

/** 第十二条(一): 定点医药机构及协议管理医（药）师's fraud behaviours. */
const INSTITUTION_FRAUD: BehaviorItems = {
  identity_fraud: '第十二条(一)1', // 诱导、协助他人冒名或者虚假就医、购药
  false_invoice: '第十二条(一)1', // 提供虚假证明材料，串通他人虚开费用单据
  forged_documents: '第十二条(一)2', // 伪造、变造、隐匿、涂改、销毁医学文书等
  fictitious_service: '第十二条(一)3', // 虚构医药服务项目
  other_fraud: '第十二条(一)4', // 其他骗取医疗保障基金支出的行为
};

/** 第十二条(二): 参保人员's fraud behaviours; the seed lists none for 参保单位. */
const INSURED_FRAUD: BehaviorItems = {
  identity_fraud: '第十二条(二)1', // 使用他人医疗保障凭证冒名就医、购药
  forged_documents: '第十二条(二)2', // 伪造、变造…医学文书等，骗取基金支出
  fictitious_service: '第十二条(二)2', // 虚构医药服务项目等方式骗取基金支出
  other_fraud: '第十二条(二)3', // 其他以骗取基金为目的，造成基金损失
};

export const GENERAL_BEHAVIORS: Readonly<Record<SubjectKind, BehaviorItems>> = {
  institution: INSTITUTION_GENERAL,
  practitioner: INSTITUTION_GENERAL,
  employer: INSURED_GENERAL,
  insured: INSURED_GENERAL,
};

export const FRAUD_BEHAVIORS: Readonly<Record<SubjectKind, BehaviorItems>> = {
  institution: INSTITUTION_FRAUD,
  practitioner: INSTITUTION_FRAUD,
  employer: {},
  insured: INSURED_FRAUD,
};

/** 第十二条(三): 一个自然年度内两次（含）以上一般失信 → 严重失信. */
export const GENERALS_IN_A_YEAR = { count: 2, article: '第十二条(三)' } as const;

/** 第十九条: 一般公示期限为一年，严重失信行为的公示期限为三年，自处罚决定作出之日起. */
export const PUBLICATION: Readonly<Record<Listed, { years: number; article: string }>> = {
  grey: { years: 1, article: '第十九条' },
  black: { years: 3, article: '第十九条' },
};

/** 第三十一条(3): 公示期超过3个月 (more than: the day 3 months later is not enough). */
export const REPAIR_AFTER_MONTHS = 3;

/** 第十条(一)(二), 第十四条: the facts that put a subject on the red list. */
export const RED_FACTS = { honor: '第十条(一), 第十四条', verified_report: '第十条(二), 第十四条' } as const;

const everyone = ['institution', 'practitioner', 'employer', 'insured'];

/** 第二十五条 (红名单), 第二十六条 (灰名单), 第二十七条 and 第二十四条 (黑名单). */
export const CONSEQUENCES: readonly Consequence[] = [
  {
    level: 'red',
    applies_to: everyone,
    article: '第二十五条(一)(二)(三)',
    measures: [
      { type: 'other', text: '在医疗保障部门官方网站公示' },
      { type: 'other', text: '建立“绿色通道”，申请办理医疗保障相关业务时优先办理' },
      { type: 'other', text: '日常监督管理、专项检查中减少检查频次' },
    ],
  },
  {
    level: 'red',
    applies_to: ['institution'],
    article: '第二十五条(二)',
    measures: [{ type: 'other', text: '作为增加医保基金总额预算的重要依据' }],
  },
  {
    level: 'grey',
    applies_to: everyone,
    article: '第二十六条, 第十九条',
    measures: [
      { type: 'interview' },
      { type: 'other', text: '限期整改' },
      { type: 'monitoring', severity: 'key' },
      { type: 'other', text: '列为重点监督检查对象，增加检查频次' },
      { type: 'publication', years: 1 },
    ],
  },
  {
    level: 'black',
    applies_to: everyone,
    article: '第二十七条(一)(二), 第十九条',
    measures: [
      { type: 'monitoring', severity: 'key' },
      { type: 'other', text: '列为重点监督检查对象，增加检查频次' },
      { type: 'publication', years: 3 },
    ],
  },
  {
    level: 'black',
    applies_to: ['institution'],
    article: '第二十七条(三)(五)',
    measures: [
      { type: 'other', text: '作为降低次年医保基金总额预算的重要依据' },
      { type: 'other', text: '定点医药机构年终考核定为不合格等级' },
    ],
  },
  {
    level: 'black',
    applies_to: ['practitioner'],
    article: '第二十七条(四)',
    measures: [{ type: 'other', text: '限制或暂停严重失信医保医师发生的医保费用结算' }],
  },
  {
    level: 'black',
    applies_to: ['insured'],
    article: '第二十四条',
    measures: [{ type: 'other', text: '对认定为严重失信的参保人员，实行待遇享受等方面限制' }],
  },
];
