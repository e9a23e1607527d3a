/**
 * Targeted inspection tasks (定向检查): from key alerts (the alert's pack's early-warning article,
 * e.g. 四川 第十九条 重点监控; none where no pack covers the division), from levels whose
 * measures raise sampling or set audits (四川 第二十八条(五)/第二十九条(五) D +10%, E +20%;
 * 巫山 第二十二条 audits per year; 广东 第二十五条 sampling caps), and from chain triggers (every
 * branch of the brand, 四川 第三十四条(七)/第三十五条(七)). Each names its rule and article.
 */
import { warningBasis } from '../rules/early-warning/law.ts';
import type { CreditOutput, LevelChange } from '../rules/engine/standing.ts';
import type { Measure } from '../rules/engine/types.ts';
import type { SubjectKind } from '../schemas/events.ts';
import { pushAll } from './arrays.ts';
import { stableId } from './ids.ts';
import type { Alert, InspectionTask } from './outputs.ts';

function task(
  kind: SubjectKind,
  code: string,
  rule: string,
  basis: string,
  at: string,
  division: string | null,
  pack: string | null,
  detail: string,
): InspectionTask {
  return {
    kind: 'inspection',
    task_id: stableId('task', rule, kind, code, at, detail),
    subject_kind: kind,
    subject_code: code,
    reason_rule: rule,
    basis,
    created_at: at,
    division,
    pack,
    detail,
  };
}

function measureTask(m: Measure): string | undefined {
  switch (m.type) {
    case 'sampling_change':
      return m.pct_points > 0 ? `监督抽检比例和频次增加 ${m.pct_points}%` : undefined;
    case 'audits_per_year':
      return `次年稽核检查${m.max === m.min ? '' : '不少于'} ${m.min} 次`;
    case 'sampling_cap':
      return `检查抽查比例不高于 ${m.max_pct}%`;
    case 'monitoring':
      return m.severity === 'key'
        ? '列为重点监控和监督检查对象，增加检查频率'
        : '列为一般监控和监督检查对象，适当增加检查频率';
    default:
      return undefined;
  }
}

function fromLevel(c: LevelChange): InspectionTask[] {
  if (c.to === null) return [];
  const tasks: InspectionTask[] = [];
  for (const cons of c.consequences) {
    for (const m of cons.measures) {
      const what = measureTask(m);
      if (what)
        tasks.push(
          task(
            c.subject_kind,
            c.subject_code,
            `${c.pack}.level_${c.to}`,
            `${c.pack} ${cons.article}`,
            c.at,
            c.division,
            c.pack,
            `${c.from ?? '—'}→${c.to}: ${what}`,
          ),
        );
    }
  }
  return tasks;
}

export function inspectionsFrom(credit: readonly CreditOutput[], alerts: readonly Alert[]): InspectionTask[] {
  const tasks: InspectionTask[] = [];
  for (const o of credit) {
    if (o.kind === 'level_change') pushAll(tasks, fromLevel(o));
    if (o.kind === 'chain_change') {
      for (const rule of o.status.triggers.filter((t) => !o.previous.includes(t))) {
        const article = o.status.trigger_articles[o.status.triggers.indexOf(rule)] ?? '';
        for (const branch of o.status.branch_codes) {
          tasks.push(
            task(
              'institution',
              branch,
              rule,
              `${o.status.pack} ${article}`,
              o.at,
              null,
              o.status.pack,
              `品牌 ${o.status.chain_id} 所有分店整改`,
            ),
          );
        }
      }
    }
  }
  for (const a of alerts) {
    if (a.status !== 'firing' || a.severity !== 'key') continue;
    if (a.subject_kind !== 'institution' && a.subject_kind !== 'practitioner') continue;
    tasks.push(
      task(
        a.subject_kind,
        a.subject_code,
        a.rule,
        warningBasis(a.pack, a.division),
        a.raised_at,
        a.division,
        a.pack,
        a.title,
      ),
    );
  }
  return tasks;
}
