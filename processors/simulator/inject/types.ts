/**
 * Injected patterns: each is a label (what a monitor should find, where and when) and the tasks
 * that write its records on given days. Tasks draw from their own random streams and number
 * their records from a separate id range, so normal traffic is the same with or without them.
 */
import type { Day, State } from '../day.ts';
import type { Person } from '../persons.ts';
import type { Rng } from '../rng.ts';
import type { Modifiers } from '../traffic.ts';
import type { World } from '../world.ts';

export type LabelSubjectKind = 'institution' | 'practitioner' | 'insured' | 'chain';

/** One line of the labels file. */
export type Label = {
  /** Early-warning rule id, `credit_downgrade`, or a chain rule id (`sichuan.chain.d_rectify`). */
  readonly rule: string;
  readonly subject_kind: LabelSubjectKind;
  /** fixmedins_code, practitioner_code, chain_id, or the insured person's psn_no in clear. */
  readonly subject_code: string;
  /** First and last injected record (RFC 3339, +08:00). */
  readonly from: string;
  readonly to: string;
  readonly detail: Readonly<Record<string, unknown>>;
};

export type TaskContext = {
  readonly world: World;
  readonly state: State;
  readonly day: Day;
  /** The task's own stream, seeded by (pattern, task number, day): independent of everything else. */
  readonly rng: Rng;
};

export type Task = (ctx: TaskContext) => void;
export type PlannedTask = { readonly name: string; readonly serial: number; readonly run: Task };

export type Plan = {
  readonly labels: readonly Label[];
  readonly modifiers: Modifiers;
  /** Institutions and practitioners that get no normal supervision facts. */
  readonly excluded: ReadonlySet<string>;
  /** 四川 official grades fixed for chain branches whose downgrade is injected. */
  readonly forcedGrades: ReadonlyMap<string, string>;
  /** Tasks by day index, in the order they run. */
  readonly tasks: ReadonlyMap<number, readonly PlannedTask[]>;
};

/** Persons reserved for injections: serials above each division's normal population. */
export class Reserve {
  private readonly next = new Map<number, number>();
  constructor(
    private readonly world: World,
    private readonly personOf: (world: World, division: number, serial: number) => Person,
  ) {}

  take(divisionIndex: number): Person {
    const serial = this.next.get(divisionIndex) ?? this.world.people[divisionIndex]!.count;
    this.next.set(divisionIndex, serial + 1);
    return this.personOf(this.world, divisionIndex, serial);
  }
}

/** The note every insured label carries: the file holds the clear psn_no, the monitor never does. */
export const PSEUDONYM_NOTE =
  'subject_code is the clear psn_no; the monitor pseudonymises it at ingest (keyed hash), so compare with pseudonymise(subject_code)';
