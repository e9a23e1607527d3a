/**
 * One simulated China day and the little state carried from day to day: records scheduled for
 * later days (reversals, audits), recent inpatient stays, and each institution's daily fund for
 * the last week. Every piece is bounded by a window, so a run of any length stays in memory.
 */
import type { MonitorEvent } from '../../schemas/events.ts';
import { label, Rng } from './rng.ts';
import type { IdSource, SimSettlement, Stamped } from './settlements.ts';
import { chinaDate, chinaWeekday, DAY } from './time.ts';
import type { World } from './world.ts';

export type AnyStamped = Stamped<MonitorEvent>;

export type Day = {
  readonly index: number;
  /** 00:00 China time, epoch ms. */
  readonly ms: number;
  readonly date: string;
  /** 0 = Sunday. */
  readonly weekday: number;
  readonly rng: Rng;
  readonly ids: IdSource;
  /** Ids of injected records (a separate range: normal ids do not depend on injections). */
  readonly injectedIds: IdSource;
  readonly events: AnyStamped[];
  /** Normal settlements of each person today (key: division × 2³² + serial): at most 2 a day. */
  readonly visits: Map<number, number>;
  /** Normal (not injected) settlements and fund in fen per institution today. */
  readonly count: Int32Array;
  readonly fundFen: Float64Array;
};

export type State = {
  readonly pending: Map<number, AnyStamped[]>;
  /** Person key → end of their latest inpatient stay (ms). */
  readonly recentStays: Map<number, number>;
  /** Daily fund per institution for the days before today, newest last (at most 7). */
  readonly fundHistory: Float64Array[];
  /** Discharge work units elapsed before today (the even discharge schedule's clock). */
  workUnits: number;
};

const DAY_STREAM = label('day');
export const HISTORY_DAYS = 7;
export const INJECTED_ID_BASE = 90_000_000;
/** An inpatient stay keeps the person out of normal admissions for this long after discharge. */
export const STAY_EXCLUSION_MS = 45 * DAY;

export function newState(): State {
  return { pending: new Map(), recentStays: new Map(), fundHistory: [], workUnits: 0 };
}

export function openDay(world: World, index: number): Day {
  const ms = world.startMs + index * DAY;
  const date = chinaDate(ms);
  return {
    index,
    ms,
    date,
    weekday: chinaWeekday(ms),
    rng: Rng.of(world.options.seed, DAY_STREAM, index),
    ids: { ymd: date.replaceAll('-', ''), base: 0, seq: 0 },
    injectedIds: { ymd: date.replaceAll('-', ''), base: INJECTED_ID_BASE, seq: 0 },
    events: [],
    visits: new Map(),
    count: new Int32Array(world.institutions.length),
    fundFen: new Float64Array(world.institutions.length),
  };
}

/** Places a record on its own day: today, a later day of the run, or nowhere (after the run). */
export function schedule(world: World, state: State, day: Day, e: AnyStamped): void {
  const target = Math.floor((e.t - world.startMs) / DAY);
  if (target === day.index) day.events.push(e);
  else if (target > day.index && target < world.options.days) {
    const list = state.pending.get(target);
    if (list) list.push(e);
    else state.pending.set(target, [e]);
  } else if (target < day.index) {
    throw new Error(`simulator bug: ${e.id} at ${e.t} scheduled on day ${day.index}, before its own day`);
  }
}

export function countSettlement(day: Day, s: SimSettlement): void {
  day.count[s.inst]! += 1;
  day.fundFen[s.inst]! += s.fundFen;
}

/** Today's records in stream order: by event time, then event_id. */
export function closeDay(state: State, day: Day): AnyStamped[] {
  const carried = state.pending.get(day.index);
  if (carried) {
    state.pending.delete(day.index);
    for (const e of carried) day.events.push(e);
  }
  day.events.sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  state.fundHistory.push(day.fundFen);
  if (state.fundHistory.length > HISTORY_DAYS) state.fundHistory.shift();
  // Admissions reach back at most 15 days before discharge: older stays can no longer conflict.
  const horizon = day.ms - STAY_EXCLUSION_MS - 16 * DAY;
  for (const [k, end] of state.recentStays) if (end < horizon) state.recentStays.delete(k);
  return day.events;
}

/** Mean daily fund (fen) of an institution over the days before today (0 when none). */
export function trailingMeanFen(state: State, inst: number): number {
  if (state.fundHistory.length === 0) return 0;
  let sum = 0;
  for (const f of state.fundHistory) sum += f[inst] ?? 0;
  return sum / state.fundHistory.length;
}
