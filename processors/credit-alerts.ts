/**
 * Alerts that come straight from the credit engine: a pack that lapsed (POLICY.md: one
 * `policy_expired` alert per pack), early warnings and notes a pack raised (江苏 第三条
 * below-threshold cases, refused repairs), and brand-wide chain triggers (四川 第三十四条(七),
 * 第三十五条(七)).
 */

import { RULES } from '../rules/early-warning/definitions.ts';
import type { CreditOutput } from '../rules/engine/standing.ts';
import { stableId } from './ids.ts';
import type { Alert } from './outputs.ts';

export function creditAlerts(outputs: readonly CreditOutput[]): Alert[] {
  const alerts: Alert[] = [];
  for (const o of outputs) {
    if (o.kind === 'policy_expired') {
      alerts.push({
        kind: 'alert',
        alert_id: stableId('alert', 'policy_expired', o.pack),
        rule: 'policy_expired',
        severity: 'general',
        title: '信用管理办法已过有效期，仍按最后版本执行',
        subject_kind: 'pack',
        subject_code: o.pack,
        division: null,
        pack: o.pack,
        raised_at: o.at,
        status: 'firing',
        reasons: [
          {
            rule: 'policy_expired',
            article: o.article,
            detail: `last day in force ${o.last_day}; standings now say policy_in_force: false`,
          },
        ],
      });
    } else if (o.kind === 'credit_notice') {
      const proximity = o.reason.rule === 'grade_boundary_proximity';
      alerts.push({
        kind: 'alert',
        alert_id: stableId('alert', o.reason.rule, o.subject_kind, o.subject_code, o.reason.event_id, o.at),
        rule: o.reason.rule,
        severity: proximity
          ? RULES.grade_boundary_proximity.severity
          : o.notice === 'warning'
            ? 'general'
            : 'info',
        title: proximity
          ? RULES.grade_boundary_proximity.title
          : o.notice === 'warning'
            ? '信用风险预警：未达失信认定标准的违规行为'
            : '信用事项提示',
        subject_kind: o.subject_kind,
        subject_code: o.subject_code,
        division: o.division,
        pack: o.pack,
        raised_at: o.at,
        status: 'firing',
        reasons: [o.reason],
      });
    } else if (o.kind === 'chain_change') {
      for (const rule of o.status.triggers.filter((t) => !o.previous.includes(t))) {
        const i = o.status.triggers.indexOf(rule);
        alerts.push({
          kind: 'alert',
          alert_id: stableId('alert', rule, o.status.pack, o.status.chain_id, o.at),
          rule,
          severity: 'key',
          title: '连锁药店品牌整改：D级及以下分店占比达到规定比例',
          subject_kind: 'chain',
          subject_code: o.status.chain_id,
          division: null,
          pack: o.status.pack,
          raised_at: o.at,
          status: 'firing',
          reasons: [
            {
              rule,
              article: o.status.trigger_articles[i],
              detail: `${o.status.at_or_below_d} of ${o.status.evaluated_branches} evaluated branches at D or below (${(o.status.share * 100).toFixed(2)}%)`,
            },
          ],
        });
      }
    }
  }
  return alerts;
}
