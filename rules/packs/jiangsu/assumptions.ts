/**
 * What the Jiangsu seed (003) leaves open, as configurable assumptions, and the readings of its
 * text the project chose (marked on every reason that uses them). `settings` checks an override
 * once per compiled pack and says exactly what is wrong.
 */
import { MonitorError } from '../../../schemas/errors.ts';

export const ASSUMPTIONS = {
  unlevelled_institution_level: {
    value: 1,
    why: '第七条 and 第八条 band the loss by 一级/二级/三级 hospital grade; a medical institution the registry gives no grade (clinics, village clinics) is read as this grade, 1 (一级, the grade of 基层 institutions).',
  },
  missing_loss_yuan: {
    value: 0,
    why: '第七条 and 第八条 classify by 基金损失; a penalty that carries no amount is read as this loss (0: no quantified loss).',
  },
} as const;

/** Readings of the text; not configurable, but every reason that relies on one says so. */
export const READING = {
  below_threshold:
    '第七条(一) starts 二级 at a loss over 10万 and 三级 over 50万, 第八条(一) higher still: a smaller loss falls under neither article, so under 第三条 (审慎认定) it is not dishonesty but an early warning.',
  repeat_window:
    '第八条(五) 1年内 read as a rolling 12 months of decided_at: an earlier general counts while the later one is decided no later than the same date a year on.',
  repair_day: '第十五条 公示三个月（六个月）以后 read as: from the day 3 (6) months after decided_at.',
} as const;

export type Settings = { readonly unlevelledLevel: 1 | 2 | 3; readonly missingLoss: number };
type Values = Readonly<Record<string, unknown>>;

function invalid(name: string, value: unknown, expected: string): MonitorError {
  return new MonitorError(
    'PACK_INVALID',
    `assumption jiangsu.${name}: ${JSON.stringify(value)} is invalid: expected ${expected}`,
    { pack: 'jiangsu', name },
  );
}

const cache = new WeakMap<Values, Settings>();

/** The checked settings of one compiled assumptions object (computed once per object). */
export function settings(a: Values): Settings {
  const hit = cache.get(a);
  if (hit) return hit;
  const level = a.unlevelled_institution_level ?? ASSUMPTIONS.unlevelled_institution_level.value;
  if (level !== 1 && level !== 2 && level !== 3) {
    throw invalid('unlevelled_institution_level', level, 'a hospital grade 1, 2 or 3');
  }
  const loss = a.missing_loss_yuan ?? ASSUMPTIONS.missing_loss_yuan.value;
  if (typeof loss !== 'number' || !Number.isFinite(loss) || loss < 0) {
    throw invalid('missing_loss_yuan', loss, 'an amount in yuan ≥ 0');
  }
  const s: Settings = { unlevelledLevel: level, missingLoss: loss };
  cache.set(a, s);
  return s;
}
