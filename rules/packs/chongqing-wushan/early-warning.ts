/**
 * 巫山 (seed 001) has no 预警 article. Its principle is 动态管理 (第三条), and 失信信息 are
 * established through 执法检查、稽核检查 (第十三条): an early warning is read as a lead for such a
 * check, not a finding (an assumption).
 */
import type { EarlyWarningBasis } from '../../engine/types.ts';

export const EARLY_WARNING: EarlyWarningBasis = {
  article: '第三条、第十三条',
  quote: [
    '医疗保障基金监管信用管理应当遵循依法依规、客观公正、公开透明、动态管理、共建共享的原则',
    '信用主体的失信信息由医疗保障部门通过执法检查、稽核检查、经办服务、群众举报投诉核查，依据不良行为事实确定',
  ],
  assumption:
    'the seed names no 预警: an early warning is read as the 动态管理 of 第三条, a lead for the 执法检查、稽核检查 through which 第十三条 establishes 失信信息',
};
