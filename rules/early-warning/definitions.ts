/**
 * Early-warning rules (信用风险预警: in 四川 第十九条、第二十条 a warning leads to 重点监控 `key` or
 * 一般监控 `general`; an alert cites its own pack's early-warning article, law.ts) as data: id, plain-Chinese title, severity, the indicator and window it reads,
 * and default thresholds. Thresholds are configurable per pack and per division (thresholds.ts).
 * The seeds give no numbers for these indicators: every default is an assumption and says why.
 */
export type Severity = 'key' | 'general' | 'info';

export type RuleDefinition = {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly subject: 'institution' | 'practitioner' | 'insured' | 'chain';
  readonly indicator: string;
  readonly window: string;
  readonly basis: string;
  readonly thresholds: Readonly<Record<string, number>>;
  readonly assumption: string;
};

/** Not one province's text: each alert cites its pack's `early_warning` (law.ts and each pack README). */
const WARNING_BASIS = "the subject's pack's early-warning article (Pack.early_warning)";

export const RULES = {
  split_admission: {
    id: 'split_admission',
    title: '疑似分解住院：出院后15日内同病种再次入院',
    severity: 'key',
    subject: 'institution',
    indicator: 'readmissions_15d_same_icd3',
    window: '30d',
    basis: `${WARNING_BASIS}; 分解住院 江苏 第四条(四), 新疆 第十一条(一)1`,
    thresholds: { gap_days: 15, min_count: 5, min_share: 0.2, min_count_for_share: 2 },
    assumption:
      '15 days after discharge, same institution and ICD-10 category (first 3 characters), as the issue defines; an institution alert at 5 readmissions in 30 days, or 2 and 20% of its inpatient admissions',
  },
  overlapping_stays: {
    id: 'overlapping_stays',
    title: '同一参保人同时在两家机构住院',
    severity: 'key',
    subject: 'insured',
    indicator: 'overlapping_inpatient_hours',
    window: 'stay',
    basis: `${WARNING_BASIS}; 挂床住院 江苏 第四条(四)`,
    thresholds: { min_overlap_hours: 12 },
    assumption: 'an overlap under 12 hours is a same-day transfer, not two stays',
  },
  multi_institution_day: {
    id: 'multi_institution_day',
    title: '参保人单日在多家机构结算',
    severity: 'general',
    subject: 'insured',
    indicator: 'distinct_institutions_per_day',
    window: '1d',
    basis: `${WARNING_BASIS}; 冒名就医、重复享受待遇 新疆 第十一条(二)`,
    thresholds: { min_institutions: 5 },
    assumption: 'five institutions in one China-time day is beyond an ordinary care path',
  },
  pharmacy_repeat_purchase: {
    id: 'pharmacy_repeat_purchase',
    title: '参保人单日在同一药店多次购药',
    severity: 'general',
    subject: 'institution',
    indicator: 'purchases_per_person_per_day',
    window: '1d',
    basis: `${WARNING_BASIS}; 盗刷凭证套现 江苏 第五条(一)`,
    thresholds: { min_purchases: 4 },
    assumption: 'four purchases by one person at one pharmacy in a day',
  },
  drug_oversupply: {
    id: 'drug_oversupply',
    title: '超量开药：同一药品30日内供药天数远超30天',
    severity: 'general',
    subject: 'insured',
    indicator: 'days_supply_same_item',
    window: '30d',
    basis: `${WARNING_BASIS}; 超量开药 新疆 第十一条(一)2`,
    thresholds: { max_days_supply: 90 },
    assumption: '90 days of supply of one item within 30 days (three times a month) is far beyond 30',
  },
  off_hours_share: {
    id: 'off_hours_share',
    title: '夜间（22:00–06:00）结算占比显著高于同类机构',
    severity: 'general',
    subject: 'institution',
    indicator: 'off_hours_share',
    window: '7d',
    basis: WARNING_BASIS,
    thresholds: { min_share: 0.3, peer_ratio: 3, min_settlements: 50 },
    assumption:
      "30% of a week's settlements at night and three times the peer group's share, with at least 50 settlements",
  },
  amount_spike: {
    id: 'amount_spike',
    title: '24小时基金支付额陡增',
    severity: 'general',
    subject: 'institution',
    indicator: 'fund_24h',
    window: '24h vs trailing 7d',
    basis: WARNING_BASIS,
    thresholds: { ratio: 3, min_amount: 10_000, min_baseline_days: 3 },
    assumption:
      'three times the trailing 7-day daily mean and at least 1万 yuan, with at least 3 days of baseline',
  },
  peer_outlier: {
    id: 'peer_outlier',
    title: '次均基金支付显著高于同类机构',
    severity: 'general',
    subject: 'institution',
    indicator: 'fund_per_visit',
    window: '30d',
    basis: WARNING_BASIS,
    thresholds: { ratio: 2.5, min_visits: 30, min_peers: 3 },
    assumption:
      '2.5 times the peer group (same kind, level, 4-digit division prefix) with at least 30 visits and 3 peers',
  },
  claim_reduction_rate: {
    id: 'claim_reduction_rate',
    title: '审减率偏高',
    severity: 'general',
    subject: 'institution',
    indicator: 'audit_reduction_rate',
    window: '30d',
    basis: `${WARNING_BASIS}; 网上审核审减 巫山 附件 一(一)`,
    thresholds: { min_rate: 0.1, min_fund: 10_000 },
    assumption: 'audit reductions of 10% of fund payments over 30 days, with at least 1万 of payments',
  },
  practitioner_throughput: {
    id: 'practitioner_throughput',
    title: '医保医师每小时结算量超出正常诊疗能力',
    severity: 'general',
    subject: 'practitioner',
    indicator: 'settlements_per_hour',
    window: '1h',
    basis: WARNING_BASIS,
    thresholds: { max_per_hour: 30 },
    assumption: 'thirty settlements in an hour (two minutes a patient) is beyond a human rate',
  },
  grade_boundary_proximity: {
    id: 'grade_boundary_proximity',
    title: '信用等级临界：再有一次扣分或失信即降级',
    severity: 'info',
    subject: 'institution',
    indicator: 'distance_to_lower_level',
    window: 'period',
    basis: WARNING_BASIS,
    thresholds: {},
    assumption:
      "one more deduction of the pack's smallest size, or one more general dishonesty, lowers the level",
  },
  chain_threshold_proximity: {
    id: 'chain_threshold_proximity',
    title: '连锁药店临界：再有一家分店降为D级即触发品牌整改',
    severity: 'general',
    subject: 'chain',
    indicator: 'branches_to_trigger',
    window: 'current',
    basis: '四川 第三十四条(七)、第三十五条(七) (000_6ffbee0125ee8f6d.txt)',
    thresholds: { branches: 1 },
    assumption: 'one more branch at D or below reaches the share',
  },
} as const satisfies Record<string, RuleDefinition>;

export type RuleId = keyof typeof RULES;
export const RULE_IDS = Object.keys(RULES) as RuleId[];
