/**
 * What the institution stage hands the person stage (keyed by the pseudonymised person) and what
 * comes back keyed by institution (ARCHITECTURE.md "Keys and stages"): a compact visit per
 * settlement, the reversal of one, and readmission signals for the institution's windows.
 */

/** One settlement as the person rules need it. */
export type VisitRecord = {
  readonly person: string;
  readonly eventId: string;
  readonly setlId: string;
  readonly institution: string;
  /** The institution's division (registry `admdvs`, else the code's): picks thresholds by place. */
  readonly division: string;
  readonly pharmacy: boolean;
  readonly t: number;
  /** Inpatient stays: admission, discharge and the ICD-10 category. */
  readonly stay?: { readonly begin: number; readonly end: number; readonly icd3: string };
  readonly supplies?: readonly { readonly item: string; readonly days: number }[];
};

/** A reversal (结算撤销) for the person side: the person stage finds the settlement by its id. */
export type VisitReversal = {
  readonly person: string;
  readonly setlId: string;
  readonly t: number;
};

/** A stay found to be a readmission (`delta` 1), or a reversed one (`delta` −1), for the institution. */
export type ReadmissionSignal = {
  readonly institution: string;
  readonly t: number;
  readonly eventId: string;
  readonly delta: 1 | -1;
  /** The earlier stay it follows (evidence), for `delta` 1. */
  readonly previous?: { readonly t: number; readonly eventId: string };
  /** When the count changes, if not at `t`: the reversal's time, for `delta` −1. */
  readonly at?: number;
};

/** Where person-side work goes when the person state lives in another stage. */
export type PersonHandOver = {
  visit(v: VisitRecord): void;
  reversal(r: VisitReversal): void;
};

/** Where readmissions go when the institution windows live in another stage. */
export type ReadmissionHandOver = {
  readmission(signal: ReadmissionSignal): void;
};
