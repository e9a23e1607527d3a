/**
 * Credit downgrades by supervision facts, one per pack, and the 四川 chain triggers. The
 * expected outcome in each label is what the pack's seed says (巫山, 江苏, 新疆, 广东), or for
 * 四川 what its default assumptions give (rules/packs/sichuan/assumptions.ts: a published B
 * starts at 850 of 1000, fraud −200, a penalty for a fraud behaviour −200, cut-offs every 100).
 */
import type { SupervisionEvent } from '../../../schemas/events.ts';
import type { SimInstitution } from '../population.ts';
import { documentNo, type FactFields, fact, gradePublications } from '../supervision.ts';
import { chinaDate, HOUR, MINUTE } from '../time.ts';
import type { PlanBuilder } from './builder.ts';

type PlannedFact = {
  readonly day: number;
  readonly action: SupervisionEvent['action'];
  readonly fields?: FactFields;
  /** Minutes after 10:00. */
  readonly minute?: number;
};

/** Schedules the facts about one institution; returns the first and last event times. */
function facts(
  b: PlanBuilder,
  name: string,
  inst: SimInstitution,
  planned: readonly PlannedFact[],
): [number, number] {
  const times = planned.map((f) => b.dayMs(f.day) + 10 * HOUR + (f.minute ?? 0) * MINUTE);
  planned.forEach((f, k) => {
    const at = times[k]!;
    b.at(f.day, name, (ctx) => {
      const decided = chinaDate(at);
      const fields: FactFields = { ...f.fields };
      if (f.action !== 'interview')
        fields.document_no = documentNo(inst.division.doc, f.action, decided, ctx.rng.int(1, 400));
      ctx.day.events.push(fact(ctx.day.injectedIds, at, 'institution', inst.code, f.action, decided, fields));
    });
  });
  return [Math.min(...times), Math.max(...times)];
}

/** 巫山 outpatient clinic: 100 − 20 (追回 ≥ 10万) − 2 × 5 (约谈) − 20 (骗保) = 50 → D. */
export function wushanDowngrade(b: PlanBuilder): void {
  const offsets = [0, 2, 4, 7];
  const first = b.sameYearStart(b.dayAt(0.5), offsets);
  if (first === undefined) return;
  const clinic = b.take(
    'credit_downgrade',
    (i) => i.kind === 'clinic' && i.division.jurisdiction === 'chongqing-wushan',
  );
  const [from, to] = facts(b, 'credit_downgrade', clinic, [
    { day: first, action: 'recovery', fields: { amount: 120_000 } },
    { day: first + 2, action: 'interview' },
    { day: first + 4, action: 'interview' },
    { day: first + 7, action: 'fraud', fields: { amount: 38_000 } },
  ]);
  b.label({
    rule: 'credit_downgrade',
    subject_kind: 'institution',
    subject_code: clinic.code,
    from,
    to,
    detail: {
      pack: 'chongqing-wushan',
      scale: 'grade',
      expected_level: 'D',
      expected_score: 50,
      basis: '附件 一(一) 10万以上 −20, 一(二) 约谈 2 × −5, 一(五) 骗取基金 −20: 50 < 60 → D (第十八条)',
    },
  });
}

/** 江苏 pharmacy: a penalty for 盗刷套现 with 1.5万 of fund loss (> 1万) → severe (第八条(二)). */
export function jiangsuSevere(b: PlanBuilder): void {
  const pharmacy = b.take(
    'credit_downgrade',
    (i) => i.kind === 'pharmacy' && i.chainId === undefined && i.division.jurisdiction === 'jiangsu',
  );
  const day = b.dayAt(0.55);
  const [from, to] = facts(b, 'credit_downgrade', pharmacy, [
    { day, action: 'penalty', fields: { behavior: 'card_cashing', amount: 15_000 } },
  ]);
  b.label({
    rule: 'credit_downgrade',
    subject_kind: 'institution',
    subject_code: pharmacy.code,
    from,
    to,
    detail: {
      pack: 'jiangsu',
      scale: 'dishonesty',
      expected_level: 'severe',
      basis: '第八条(二): 定点零售药店 基金损失 1万元以上 (15000 > 10000) → 严重失信',
    },
  });
}

/** 江苏 hospital: listed as a 失信联合惩戒对象 → joint (第十四条). */
export function jiangsuJoint(b: PlanBuilder): void {
  const hospital = b.take(
    'credit_downgrade',
    (i) => i.kind === 'hospital' && i.level === 1 && i.division.jurisdiction === 'jiangsu',
  );
  const day = b.dayAt(0.75);
  const [from, to] = facts(b, 'credit_downgrade', hospital, [{ day, action: 'joint_punishment_listed' }]);
  b.label({
    rule: 'credit_downgrade',
    subject_kind: 'institution',
    subject_code: hospital.code,
    from,
    to,
    detail: {
      pack: 'jiangsu',
      scale: 'dishonesty',
      expected_level: 'joint',
      basis: '第十四条: 列入失信联合惩戒对象名单 → joint, published 3 years (第十四条(二))',
    },
  });
}

/** 新疆 clinic: two general penalties in one natural year → black list (第十二条(三)). */
export function xinjiangBlack(b: PlanBuilder): void {
  // Half the run apart, or closer when the run crosses a new year.
  let gap = Math.max(1, Math.round(b.days * 0.5));
  let first = b.sameYearStart(b.dayAt(0.25), [0, gap]);
  while (first === undefined && gap > 1) first = b.sameYearStart(b.dayAt(0.25), [0, --gap]);
  if (first === undefined) return;
  const clinic = b.take(
    'credit_downgrade',
    (i) => i.kind === 'clinic' && i.division.jurisdiction === 'xinjiang',
  );
  const [from, to] = facts(b, 'credit_downgrade', clinic, [
    { day: first, action: 'penalty', fields: { behavior: 'over_treatment', amount: 8_000 } },
    { day: first + gap, action: 'penalty', fields: { behavior: 'overcharge', amount: 6_500 } },
  ]);
  b.label({
    rule: 'credit_downgrade',
    subject_kind: 'institution',
    subject_code: clinic.code,
    from,
    to,
    detail: {
      pack: 'xinjiang',
      scale: 'list',
      expected_level: 'black',
      basis:
        '第十一条(一)2, (一)3 are general (grey); 第十二条(三): two generals in one natural year → black',
    },
  });
}

/** 广东: a fraud penalty, then the 严重失信主体名单 → E at once (第二十条). */
export function guangdongSevereList(b: PlanBuilder): void {
  if (b.days < 4) return;
  const day = b.dayAt(0.6, 0, 3);
  const inst = b.take(
    'credit_downgrade',
    (i) => i.kind === 'hospital' && i.level === 1 && i.division.jurisdiction === 'guangdong',
  );
  const [from, to] = facts(b, 'credit_downgrade', inst, [
    { day, action: 'penalty', fields: { behavior: 'fictitious_service', amount: 120_000 } },
    { day: day + 3, action: 'severe_list_added' },
  ]);
  b.label({
    rule: 'credit_downgrade',
    subject_kind: 'institution',
    subject_code: inst.code,
    from,
    to,
    detail: {
      pack: 'guangdong',
      scale: 'grade',
      expected_level: 'E',
      basis: '第二十条: 列入严重失信主体名单 → E; both facts carry a document_no (第二十六条)',
    },
  });
}

/**
 * 四川 chains: SC-KANGTAI (20 branches) gets 5 branches to D (25% ≥ 20%: 第三十四条(七));
 * SC-RENHE (18 branches) gets 2 to D and 1 to E (16.7%: ≥ 15% with an E branch, below 20%:
 * 第三十五条(七) only). The facts come after the run's last grade publication, so the monitor
 * adjusts the published grade (第十八条).
 */
export function sichuanChains(b: PlanBuilder): void {
  const dChain = b.world.chains.get('SC-KANGTAI');
  const eChain = b.world.chains.get('SC-RENHE');
  if (!dChain || !eChain) throw new Error('simulator bug: the Sichuan chains are missing');
  const lastPublication = Math.max(...gradePublications(b.world).map((p) => p.day));
  const firstDay = Math.min(b.days - 1, lastPublication + 1);
  const dTargets = b.rng.shuffled(dChain).slice(0, 5);
  const eTargets = b.rng.shuffled(eChain).slice(0, 3);
  for (const t of [...dTargets, ...eTargets]) b.forcedGrades.set(t.code, 'B');
  const dayOf = (k: number) => Math.min(b.days - 1, firstDay + k);
  // On the day of the publication itself, facts come in the afternoon, after it (10:00).
  const minute = firstDay === lastPublication ? 5 * 60 : 0;
  const branch = (inst: SimInstitution, k: number, level: 'D' | 'E') => {
    const planned: PlannedFact[] = [
      { day: dayOf(k), action: 'fraud', fields: { amount: 20_000 + 5_000 * k }, minute },
    ];
    if (level === 'E') {
      planned.push({
        day: dayOf(k),
        action: 'penalty',
        fields: { behavior: 'card_cashing', amount: 80_000, serious_consequence: true },
        minute: minute + 30,
      });
    }
    const [from, to] = facts(b, 'credit_downgrade', inst, planned);
    b.label({
      rule: 'credit_downgrade',
      subject_kind: 'institution',
      subject_code: inst.code,
      from,
      to,
      detail: {
        pack: 'sichuan',
        scale: 'grade',
        chain_id: inst.chainId,
        expected_level: level,
        basis:
          level === 'D'
            ? '第十八条 骗取基金 → recorded at once: published B (850) − 200 = 650 → D under the pack’s default assumptions'
            : '第十八条: published B (850) − 200 (fraud) − 200 (card_cashing penalty, serious) = 450 → E under the pack’s default assumptions',
      },
    });
    return [from, to] as const;
  };
  const dTimes = dTargets.map((inst, k) => branch(inst, k, 'D'));
  const eTimes = eTargets.map((inst, k) => branch(inst, k, k === 0 ? 'E' : 'D'));
  const chainLabel = (
    rule: string,
    chain: readonly SimInstitution[],
    times: readonly (readonly [number, number])[],
    low: number,
    e: number,
  ) =>
    b.label({
      rule,
      subject_kind: 'chain',
      subject_code: chain[0]!.chainId!,
      from: Math.min(...times.map((t) => t[0])),
      to: Math.max(...times.map((t) => t[1])),
      detail: {
        pack: 'sichuan',
        branches: chain.length,
        at_or_below_d: low,
        e_branches: e,
        share: Math.round((low / chain.length) * 10_000) / 10_000,
        basis: rule.endsWith('d_rectify')
          ? '第三十四条(七): 20% or more of the branches at D or below'
          : '第三十五条(七): 15% or more at D or below, with an E branch',
      },
    });
  chainLabel('sichuan.chain.d_rectify', dChain, dTimes, dTargets.length, 0);
  chainLabel('sichuan.chain.e_rectify', eChain, eTimes, eTargets.length, 1);
}
