/**
 * 新疆 (seed 004, draft) has no 预警 article. The divisions 统筹加强对信用主体的监督检查
 * (第四条第二款) under 分级分类动态管理 (第十六条): an early warning is read as that (an assumption).
 */
import type { EarlyWarningBasis } from '../../engine/types.ts';

export const EARLY_WARNING: EarlyWarningBasis = {
  article: '第四条第二款、第十六条',
  quote: ['统筹加强对信用主体的监督检查', '对信用主体实行分级分类动态管理'],
  assumption:
    'the seed names no 预警: an early warning is read as the 监督检查 of 第四条第二款 under the 分级分类动态管理 of 第十六条',
};
