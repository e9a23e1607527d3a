/**
 * 江苏省医疗保障定点医药机构失信行为惩戒暂行办法 as data. Seed: 003_605b521a6058a744.txt.
 * Every number below is quoted from the seed; the pack's assumptions live in assumptions.ts.
 */
import type { Behavior } from '../../../schemas/events.ts';
import type { Consequence } from '../../engine/types.ts';

export const SEED = '003_605b521a6058a744.txt';

/** 第二十一条: 本办法自 2020年3月1日起施行. */
export const IN_FORCE_FROM = '2020-03-01';

/** 第六条: 失信等级分为一般失信和严重失信; 第十四条 adds the 失信联合惩戒对象名单. Best first. */
export const LEVELS = ['none', 'general', 'severe', 'joint'] as const;
export type Dishonesty = Exclude<(typeof LEVELS)[number], 'none'>;

/** 第四条: 定点医疗机构's dishonest behaviours, each with its item. */
export const MEDICAL_BEHAVIORS: Readonly<Partial<Record<Behavior, string>>> = {
  fictitious_service: '第四条(一)', // 虚构医药服务，伪造医疗文书和票据
  forged_documents: '第四条(一)',
  false_invoice: '第四条(二)', // 为参保人员提供虚假发票
  own_expense_to_fund: '第四条(三)', // 应由个人负担的医疗费用记入基金支付范围
  split_admission: '第四条(四)', // 分解住院、挂床住院、降低入院标准
  hanging_bed: '第四条(四)',
  lowered_admission: '第四条(四)',
  non_designated_settlement: '第四条(五)', // 为非定点医药机构提供刷卡结算服务
  identity_fraud: '第四条(六)', // 为冒名就医或住院提供服务
  substitution: '第四条(七)', // 串换药品、耗材、物品、诊疗项目
  other: '第四条(八)', // 定点医疗机构的其他失信行为
  other_fraud: '第四条(八)',
};

/** 第五条: 定点零售药店's dishonest behaviours. */
export const PHARMACY_BEHAVIORS: Readonly<Partial<Record<Behavior, string>>> = {
  card_cashing: '第五条(一)', // 盗刷凭证，套取现金或购买非医疗物品
  substitution: '第五条(二)', // 串换药品、耗材、物品
  non_designated_settlement: '第五条(三)',
  false_invoice: '第五条(四)', // 虚开发票、提供虚假发票
  other: '第五条(五)', // 定点零售药店的其他失信行为
  other_fraud: '第五条(五)',
};

/**
 * 第七条(一)(二) and 第八条(一)(二): fund loss (元) bands. General when `floor` < loss ≤ `max`
 * (“（含）以下” includes `max`; no `floor`: any loss up to `max`), severe when loss > `max`; a loss
 * ≤ `floor` falls under neither article (judge.ts, 第三条: an interpretation). 第八条 writes
 * “超过50万元以上” and “1万元以上”: read with 第七条's “（含）以下”, the bound itself stays general.
 */
export type LossBand = {
  readonly floor?: number;
  readonly max: number;
  readonly who: string;
  readonly general: string;
  readonly severe: string;
};

export const LOSS_BANDS: Readonly<Record<'1' | '2' | '3' | 'pharmacy', LossBand>> = {
  '1': { max: 100_000, who: '一级定点医疗机构', general: '第七条(一)', severe: '第八条(一)' },
  '2': { floor: 100_000, max: 500_000, who: '二级定点医疗机构', general: '第七条(一)', severe: '第八条(一)' },
  '3': {
    floor: 500_000,
    max: 1_000_000,
    who: '三级定点医疗机构',
    general: '第七条(一)',
    severe: '第八条(一)',
  },
  pharmacy: { max: 10_000, who: '定点零售药店', general: '第七条(二)', severe: '第八条(二)' },
};

/** 第八条(五): 1年内有3次一般失信 → 严重失信. */
export const REPEAT_GENERAL = { count: 3, months: 12, article: '第八条(五)' } as const;

/** 公示期 (第十二条(一), 第十三条(一), 第十四条(二)), counted from 认定之日 (第十九条). */
export const PUBLICATION: Readonly<Record<Dishonesty, { years: number; article: string }>> = {
  general: { years: 1, article: '第十二条(一)' },
  severe: { years: 3, article: '第十三条(一)' },
  joint: { years: 3, article: '第十四条(二)' },
};

/** 第十五条: 一般失信公示三个月以后, 严重失信、失信联合惩戒对象名单公示六个月以后 may be repaired. */
export const REPAIR_AFTER_MONTHS: Readonly<Record<Dishonesty, number>> = {
  general: 3,
  severe: 6,
  joint: 6,
};

const institutions = ['institution'];
const medical = ['hospital', 'clinic', 'village_clinic'];

/** 第十二条 (一般失信), 第十三条 (严重失信), 第十四条 (失信联合惩戒对象). */
export const CONSEQUENCES: readonly Consequence[] = [
  {
    level: 'general',
    applies_to: institutions,
    article: '第十二条',
    measures: [
      { type: 'publication', years: 1 },
      { type: 'interview' },
      { type: 'monitoring', severity: 'general' },
      { type: 'other', text: '信用提醒，督促停止失信行为并整改；列为监督检查对象，适当增加检查频率' },
    ],
  },
  {
    level: 'severe',
    applies_to: institutions,
    article: '第十三条(一)(二)(四)',
    measures: [
      { type: 'publication', years: 3 },
      { type: 'monitoring', severity: 'key' },
      { type: 'other', text: '未被解除协议的，列为重点监控和监督检查对象，增加检查频率' },
      { type: 'other', text: '向行业主管部门及相关纪检监察、组织人事部门通报失信行为' },
    ],
  },
  {
    level: 'severe',
    applies_to: medical,
    article: '第十三条(三)',
    measures: [
      { type: 'other', text: '未被解除协议的，按协议约定扣减当年度医保结算总额' },
      { type: 'other', text: '维持或降低下一年度总额控制指标' },
    ],
  },
  {
    level: 'joint',
    applies_to: institutions,
    article: '第十四条',
    measures: [
      { type: 'termination', when: 'immediately' },
      { type: 'publication', years: 3 },
      { type: 'other', text: '推送至同级公共信用信息系统实施联合惩戒' },
      {
        type: 'other',
        text: '3年内不得申请医保定点资格；法定代表人或主要负责人、实际控制人3年内不得从事医保定点管理活动',
      },
    ],
  },
];
