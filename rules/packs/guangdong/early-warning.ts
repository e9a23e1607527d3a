/**
 * 广东 (seed 002) has no 预警 article. 第二十三条 puts 信用风险评估 into 监督检查 and
 * 分级分类管理: an early warning from indicators is read as that assessment (an assumption).
 */
import type { EarlyWarningBasis } from '../../engine/types.ts';

export const EARLY_WARNING: EarlyWarningBasis = {
  article: '第二十三条',
  quote: [
    '各级医疗保障行政部门应当建立以信用为基础的新型监管机制，将医疗保障信用信息综合运用于对各信用主体的信用风险评估',
    '根据信用风险情况在监督检查、协议管理、基金支付、绩效考核和公示宣传，以及“双随机、一公开”监管等方面落实分级分类管理和监督。',
  ],
  assumption:
    'the seed names no 预警: an early warning is read as the 信用风险评估 of 第二十三条, which 监督检查 acts on by credit risk',
};
