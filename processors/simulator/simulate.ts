/**
 * The simulator's entry points. A run is the registry, then day by day the normal traffic,
 * supervision facts and injected patterns of that day, sorted by (occurred_at, event_id) and
 * streamed out; only a day's records and a few bounded windows are in memory at once.
 * Pure and deterministic: no clock, no I/O, no Math.random.
 */
import type { MonitorEvent } from '../../schemas/events.ts';
import { type AnyStamped, closeDay, newState, openDay } from './day.ts';
import { taskRng } from './inject/builder.ts';
import { planInjections, withoutInjections } from './inject/plan.ts';
import type { Label, Plan } from './inject/types.ts';
import { type ResolvedOptions, resolveOptions, type SimulateOptions } from './options.ts';
import { registryRecords } from './registry.ts';
import { normalFacts, periodicFacts } from './supervision.ts';
import { normalTraffic } from './traffic.ts';
import { buildWorld, type World } from './world.ts';

export type Simulation = {
  readonly options: ResolvedOptions;
  readonly world: World;
  /** One label per injected pattern (empty when `inject` is false), known before any record. */
  readonly labels: readonly Label[];
  /** Every record of the run, in stream order. Each call starts the run again. */
  records(): Generator<MonitorEvent>;
  /** The same records, one JSON text each (no newline). */
  lines(): Generator<string>;
  /** Days done so far by the newest `records()` (for progress). */
  readonly daysDone: number;
};

export function serialize(record: MonitorEvent): string {
  return JSON.stringify(record);
}

function* run(world: World, plan: Plan, progress: (day: number) => void): Generator<MonitorEvent> {
  for (const r of registryRecords(world)) yield r.record;
  const state = newState();
  const facts = { excluded: plan.excluded, sanctioned: new Set<string>() };
  for (let index = 0; index < world.options.days; index++) {
    const day = openDay(world, index);
    normalTraffic(world, state, day, plan.modifiers);
    for (const f of periodicFacts(world, day, plan.forcedGrades, plan.excluded)) day.events.push(f);
    for (const f of normalFacts(world, day, facts)) day.events.push(f);
    for (const task of plan.tasks.get(index) ?? []) {
      task.run({ world, state, day, rng: taskRng(world, task, day) });
    }
    const events: (AnyStamped | undefined)[] = closeDay(state, day);
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      events[i] = undefined; // what is streamed out can be collected while the day goes on
      yield e.record;
    }
    progress(index + 1);
  }
}

export function createSimulation(options: SimulateOptions = {}): Simulation {
  const resolved = resolveOptions(options);
  const world = buildWorld(resolved);
  const full = planInjections(world);
  const plan = resolved.inject ? full : withoutInjections(full);
  let daysDone = 0;
  const progress = (d: number) => {
    daysDone = d;
  };
  const records = () => {
    daysDone = 0;
    return run(world, plan, progress);
  };
  return {
    options: resolved,
    world,
    labels: plan.labels,
    records,
    *lines() {
      for (const r of records()) yield serialize(r);
    },
    get daysDone() {
      return daysDone;
    },
  };
}

/** The run as NDJSON lines (no newline), for sinks that take an async stream. */
export async function* simulate(options: SimulateOptions = {}): AsyncGenerator<string> {
  yield* createSimulation(options).lines();
}

/** The labels of a run, without generating its records. */
export function simulationLabels(options: SimulateOptions = {}): readonly Label[] {
  return createSimulation(options).labels;
}
