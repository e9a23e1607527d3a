/**
 * The injection plan of a run: which subjects, which days, which labels. It is computed even when
 * injection is off, so the subjects it reserves (no normal supervision facts) and the grades it
 * fixes are the same either way, and a run without injections is the same run minus the injected
 * records (and minus peer_outlier's raised prices).
 */
import type { World } from '../world.ts';
import { PlanBuilder } from './builder.ts';
import {
  guangdongSevereList,
  jiangsuJoint,
  jiangsuSevere,
  sichuanChains,
  wushanDowngrade,
  xinjiangBlack,
} from './credit.ts';
import {
  amountSpike,
  claimReductionRate,
  offHoursShare,
  peerOutlier,
  practitionerThroughput,
} from './institution-patterns.ts';
import {
  drugOversupply,
  multiInstitutionDay,
  overlappingStays,
  pharmacyRepeatPurchase,
  splitAdmission,
} from './person-patterns.ts';
import type { Plan } from './types.ts';

/** Every pattern, in planning order (the order fixes which subject each one takes). */
const PATTERNS = [
  sichuanChains,
  splitAdmission,
  overlappingStays,
  multiInstitutionDay,
  pharmacyRepeatPurchase,
  drugOversupply,
  offHoursShare,
  amountSpike,
  peerOutlier,
  claimReductionRate,
  practitionerThroughput,
  wushanDowngrade,
  jiangsuSevere,
  xinjiangBlack,
  guangdongSevereList,
  jiangsuJoint,
] as const;

export function planInjections(world: World): Plan {
  const b = new PlanBuilder(world);
  // Chain branches get no normal supervision facts: their chain status is what the chain
  // injections decide, and no other pattern takes them.
  for (const branches of world.chains.values()) for (const i of branches) b.excluded.add(i.code);
  for (const pattern of PATTERNS) pattern(b);
  return b.build();
}

/** The plan of a run without injections: same reservations and grades, no tasks, no labels. */
export function withoutInjections(plan: Plan): Plan {
  return {
    labels: [],
    modifiers: { priceFactor: new Map(), auditShare: new Map() },
    excluded: plan.excluded,
    forcedGrades: plan.forcedGrades,
    tasks: new Map(),
  };
}
