/**
 * Collects what the injected patterns need while they are planned: labels, tasks by day, the
 * modifiers of normal traffic, and which subjects are taken (each injected subject is used by
 * one pattern only, and gets no normal supervision facts).
 */
import type { Day } from '../day.ts';
import type { Person } from '../persons.ts';
import type { SimInstitution } from '../population.ts';
import { label as labelOf, Rng } from '../rng.ts';
import type { Visit } from '../settlements.ts';
import { chinaTime, chinaYear, DAY } from '../time.ts';
import { personOf, type World } from '../world.ts';
import { type Label, type Plan, type PlannedTask, Reserve, type Task, type TaskContext } from './types.ts';

export class PlanBuilder {
  readonly labels: Label[] = [];
  readonly priceFactor = new Map<number, number>();
  readonly auditShare = new Map<number, { fromDay: number; share: number }>();
  readonly excluded = new Set<string>();
  readonly forcedGrades = new Map<string, string>();
  readonly reserve: Reserve;
  readonly rng: Rng;
  private readonly tasks = new Map<number, PlannedTask[]>();
  private serial = 0;

  constructor(readonly world: World) {
    this.reserve = new Reserve(world, personOf);
    this.rng = Rng.of(world.options.seed, labelOf('plan'));
  }

  get days(): number {
    return this.world.options.days;
  }

  /** Midnight (China time) of a day of the run. */
  dayMs(day: number): number {
    return this.world.startMs + day * DAY;
  }

  /** round(days × fraction), kept within [min, days − 1 − room]. */
  dayAt(fraction: number, min = 0, room = 0): number {
    return Math.max(min, Math.min(this.days - 1 - room, Math.round(this.days * fraction)));
  }

  /**
   * A first day near `preferred` such that first + each offset is a day of the run and all fall
   * in one natural year (periods are natural years in 巫山 and 新疆); undefined when none fits.
   */
  sameYearStart(preferred: number, offsets: readonly number[]): number | undefined {
    const span = Math.max(0, ...offsets);
    for (let delta = 0; delta < this.days; delta++) {
      for (const first of [preferred - delta, preferred + delta]) {
        if (first < 0 || first + span > this.days - 1) continue;
        const years = new Set(offsets.map((o) => chinaYear(this.dayMs(first + o))));
        if (years.size === 1) return first;
      }
    }
    return undefined;
  }

  /** The first institution (in a shuffled order) that matches and is not yet taken. */
  take(what: string, match: (i: SimInstitution) => boolean): SimInstitution {
    const found = this.rng
      .shuffled(this.world.institutions)
      .find((i) => match(i) && !this.excluded.has(i.code));
    if (!found) throw new Error(`simulator bug: no institution left for ${what}`);
    this.excluded.add(found.code);
    return found;
  }

  taken(code: string): boolean {
    return this.excluded.has(code);
  }

  at(day: number, name: string, run: Task): void {
    if (day < 0 || day >= this.days)
      throw new Error(`simulator bug: task ${name} on day ${day} outside the run`);
    const task = { name, serial: this.serial++, run };
    const list = this.tasks.get(day);
    if (list) list.push(task);
    else this.tasks.set(day, [task]);
  }

  label(l: Omit<Label, 'from' | 'to'> & { from: number; to: number }): void {
    this.labels.push({ ...l, from: chinaTime(l.from), to: chinaTime(l.to) });
  }

  build(): Plan {
    return {
      labels: this.labels,
      modifiers: { priceFactor: this.priceFactor, auditShare: this.auditShare },
      excluded: this.excluded,
      forcedGrades: this.forcedGrades,
      tasks: this.tasks,
    };
  }
}

/** The stream a task draws from: one per planned task and day, whatever else ran that day. */
export function taskRng(world: World, task: PlannedTask, day: Day): Rng {
  return Rng.of(world.options.seed, labelOf(`inject:${task.name}`), task.serial, day.index);
}

export function visit(
  ctx: TaskContext,
  inst: SimInstitution,
  person: Person,
  practitioner: string | undefined,
  setlMs: number,
): Visit {
  return { ids: ctx.day.injectedIds, rng: ctx.rng, inst, person, practitioner, setlMs };
}

export function physicianOf(world: World, inst: SimInstitution, rng: Rng): string | undefined {
  const staff = world.staff.settling[inst.index]!;
  return staff.length > 0 ? rng.pick(staff) : undefined;
}
