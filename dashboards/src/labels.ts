/**
 * Chinese labels for the codes the store keeps, and the SQL that applies them. Typed against the
 * code's own lists (packs, institution kinds, subject kinds, severities, rules), so a new pack or
 * kind fails to compile here until it has a label.
 */
import { LEVEL_RISK, SEVERITY_RANK } from '../../processors/storage/queries.ts';
import { RULES } from '../../rules/early-warning/definitions.ts';
import type { PackId } from '../../rules/engine/types.ts';
import type { INSTITUTION_KINDS, SubjectKind } from '../../schemas/events.ts';

export const PACK_LABELS: Readonly<Record<PackId, string>> = {
  'chongqing-wushan': '重庆巫山',
  jiangsu: '江苏',
  guangdong: '广东',
  xinjiang: '新疆',
  sichuan: '四川',
};

export const KIND_LABELS: Readonly<Record<(typeof INSTITUTION_KINDS)[number], string>> = {
  hospital: '医院',
  clinic: '诊所',
  pharmacy: '药店',
  village_clinic: '村卫生室',
};

export const SEVERITY_LABELS: Readonly<Record<keyof typeof SEVERITY_RANK, string>> = {
  key: '重点监控',
  general: '一般监控',
  info: '提示',
};

export const SUBJECT_KIND_LABELS: Readonly<Record<SubjectKind | 'chain' | 'pack', string>> = {
  institution: '定点机构',
  practitioner: '医保医师',
  insured: '参保人',
  employer: '参保单位',
  chain: '连锁药店',
  pack: '信用办法',
};

/**
 * Risk tiers by LEVEL_RISK (processors/storage/queries.ts), to compare the packs' different
 * scales on one axis: index = rank. A presentation order, not a rule (queries.ts says the same).
 */
export const RISK_TIERS = ['良好', '较好', '关注', '高风险', '严重'] as const;
export const UNRATED = '未评定';

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** `transform(expr, [keys], [labels], default)`: keys and labels are ours, never input. */
export function labelSql(expr: string, labels: Readonly<Record<string, string>>, fallback = expr): string {
  const keys = Object.keys(labels);
  return `transform(${expr}, [${keys.map(quote).join(', ')}], [${keys.map((k) => quote(labels[k]!)).join(', ')}], ${fallback})`;
}

/** LEVEL_RISK of `concat(scale, ':', level)`, -1 when the subject has no level (not evaluated). */
export function riskSql(scale = 'scale', level = 'level'): string {
  const keys = Object.keys(LEVEL_RISK);
  return `transform(concat(${scale}, ':', ${level}), [${keys.map(quote).join(', ')}], [${keys.map((k) => LEVEL_RISK[k]).join(', ')}], -1)`;
}

/** The tier name of a LEVEL_RISK value, UNRATED for -1. */
export function tierSql(risk: string): string {
  return `if(${risk} < 0, ${quote(UNRATED)}, arrayElement([${RISK_TIERS.map(quote).join(', ')}], toInt32(${risk}) + 1))`;
}

export const severityRankSql = (expr = 'severity') =>
  `transform(${expr}, [${Object.keys(SEVERITY_RANK).map(quote).join(', ')}], [${Object.values(SEVERITY_RANK).join(', ')}], 0)`;

export const packLabelSql = (expr = 'pack') =>
  labelSql(expr, PACK_LABELS, `if(${expr} = '', '未知', ${expr})`);
export const kindLabelSql = (expr = 'kind') => labelSql(expr, KIND_LABELS, "'未知'");
export const severityLabelSql = (expr = 'severity') => labelSql(expr, SEVERITY_LABELS);
export const subjectKindLabelSql = (expr = 'subject_kind') => labelSql(expr, SUBJECT_KIND_LABELS);
export const statusLabelSql = (expr = 'status') => labelSql(expr, { firing: '未解除', resolved: '已解除' });
export const ruleTitleSql = (expr = 'rule') =>
  labelSql(expr, Object.fromEntries(Object.values(RULES).map((r) => [r.id, r.title])));
