/**
 * 江苏 (seed 003) is a 失信行为惩戒 rule: it states no early-warning or monitoring duty. An early
 * warning serves its purpose (第一条) and is no 失信认定 (第三条 审慎认定): an assumption.
 */
import type { EarlyWarningBasis } from '../../engine/types.ts';

export const EARLY_WARNING: EarlyWarningBasis = {
  article: '第一条',
  quote: ['为加强医疗保障基金监管，确保医疗保障基金依法、依规、安全使用'],
  assumption:
    'the seed states no early-warning duty: an early warning serves its purpose, 加强医疗保障基金监管 (第一条), and is not a 失信认定 (第三条 审慎认定)',
};
