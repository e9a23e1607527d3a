/**
 * 四川 states the early-warning duty itself (seed 000): the province issues 信用风险预警 and the
 * subject's division puts it under 重点 or 一般监控 (第十九条, `key` / `general`), from 风险预警指标
 * set on the platform (第二十条) — the indicators of rules/early-warning/.
 */
import type { EarlyWarningBasis } from '../../engine/types.ts';

export const EARLY_WARNING: EarlyWarningBasis = {
  article: '第十九条、第二十条',
  quote: [
    '第十九条 建立医保基金使用信用风险预警机制，由省级医疗保障部门发出信用风险预警，信用主体所在辖区医保部门根据风险预警情况实施重点或一般监控。',
    '第二十条 省级医疗保障信用评价管理平台对各信用主体应设置风险预警指标，及时、准确的做到各信用主体的信用风险预测。',
  ],
};
