/**
 * 广东省医疗保障信用管理办法（试行） (粤医保规〔2023〕8号) as data. Seed: 002_dd4d40122b044e38.txt.
 * Only what the seed states is here. The point table, the validity periods and the grade cut-offs
 * are left by the seed to the province's 信用评价规则 (第十七条): they are assumptions
 * (assumptions.ts), never constants.
 */
import type { Consequence, FactAction, PackVersion } from '../../engine/types.ts';

export const SEED = '002_dd4d40122b044e38.txt';

/** 第二十条: 信用等级分为五个等级 A、B、C、D、E, best first. */
export const GRADES = ['A', 'B', 'C', 'D', 'E'] as const;

/** 第二十条第二款: 被依法依规纳入严重失信主体名单的，其信用等级直接判定为 E 级. */
export const SEVERE_LIST_GRADE = 'E';

/** 第三十七条: 公示期限为五个工作日; 公示期满无异议的，按程序予以信用修复. */
export const REPAIR_PUBLICITY_WORKING_DAYS = 5;

/** 第四十三条: 本办法自 2024 年 7 月 1 日起施行，有效期两年 (to 2026-06-30 inclusive). */
export const VERSION: PackVersion = {
  id: '粤医保规〔2023〕8号',
  in_force_from: '2024-07-01',
  in_force_to: '2026-06-30',
  status: '试行',
  article: '第四十三条',
};

/**
 * Negative facts (负面信用信息, 第十九条). 第二十六条: 失信行为认定必须以具有法律效力的文书为依据, so
 * each needs a `document_no` to count toward the grade. Applying 第二十六条 to every negative fact
 * (not only 行政处罚) is an interpretation: a fact the monitor cannot tie to a document never
 * moves a grade.
 */
export const NEGATIVE_ACTIONS: ReadonlySet<FactAction> = new Set<FactAction>([
  'penalty',
  'fraud',
  'recovery',
  'interview',
  'late_payment',
  'agreement_suspension',
  'agreement_termination',
  'joint_punishment_listed',
  'severe_list_added',
]);

/**
 * 失信行为 for 第二十五条 (激励 only for A and B 且不存在失信行为): the facts 第二十六条 names as
 * 认定依据 — 生效判决 and 行政处罚决定 (`penalty`, `fraud`) — and the lists of 第八条(六).
 * Interviews, recoveries and agreement measures are supervision, not a 失信认定 (interpretation).
 */
export const DISHONESTY_ACTIONS: ReadonlySet<FactAction> = new Set<FactAction>([
  'penalty',
  'fraud',
  'joint_punishment_listed',
  'severe_list_added',
]);

/** 第四条: 机构类 (定点医疗机构、定点零售药店、参保单位、其他企业) and 个人类 subjects. */
const ORGANISATIONS = ['institution', 'employer'];
const PERSONS = ['practitioner', 'insured'];
const ONLY_WITHOUT_DISHONESTY =
  '仅对不存在失信行为的信用主体 (第二十五条); see the standing reason guangdong.incentive';

/**
 * 第二十五条 incentives (A and B, no dishonesty), 第二十三条/第二十八条 for D and E. A consequence
 * cannot carry the "no dishonesty" condition, so each incentive says it; the standing's reasons tell
 * whether it holds (rule `guangdong.incentive` or `guangdong.incentive.withheld`).
 */
export const CONSEQUENCES: readonly Consequence[] = [
  {
    level: 'A',
    applies_to: ORGANISATIONS,
    article: '第二十五条(一)(二)(三)',
    measures: [
      { type: 'sampling_cap', max_pct: 30 },
      { type: 'other', text: '在各级医疗保障部门官方网站进行公示、宣传' },
      { type: 'other', text: '减少检查频次，“双随机、一公开”抽查比例不高于原抽查比例的 50%' },
      { type: 'other', text: '提高医疗保障基金预拨付额度' },
      { type: 'other', text: '政务服务事项容缺受理、优先办理' },
      { type: 'other', text: ONLY_WITHOUT_DISHONESTY },
    ],
  },
  {
    level: 'B',
    applies_to: ORGANISATIONS,
    article: '第二十五条(二)',
    measures: [
      { type: 'sampling_cap', max_pct: 50 },
      { type: 'other', text: '减少检查频次，“双随机、一公开”抽查比例不高于原抽查比例的 50%' },
      { type: 'other', text: '提高医疗保障基金预拨付额度' },
      { type: 'other', text: ONLY_WITHOUT_DISHONESTY },
    ],
  },
  {
    level: 'A',
    applies_to: PERSONS,
    article: '第二十五条(三)',
    measures: [
      { type: 'other', text: '政务服务事项容缺受理、优先办理；信用就医等便利' },
      { type: 'other', text: ONLY_WITHOUT_DISHONESTY },
    ],
  },
  {
    level: 'D',
    applies_to: [...ORGANISATIONS, ...PERSONS],
    article: '第二十三条',
    measures: [{ type: 'other', text: '信用风险较高: 监督检查、协议管理、基金支付中分级分类管理和监督' }],
  },
  {
    level: 'E',
    applies_to: [...ORGANISATIONS, ...PERSONS],
    article: '第二十三条, 第二十八条',
    measures: [
      { type: 'other', text: '信用风险高: 分级分类管理和监督' },
      { type: 'other', text: '依全国失信惩戒措施基础清单及广东省、地级以上市补充清单实施惩戒，不得超出清单' },
    ],
  },
];
