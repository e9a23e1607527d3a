/**
 * Builders for golden cases: each returns a complete input record of EVENTS.md, so golden cases
 * go through the real decoder and engine. Only the fields a case is about need to be given.
 */
export type RawRecord = Record<string, unknown>;

let seq = 0;
const nextId = (p: string) => `${p}-${String(++seq).padStart(5, '0')}`;

/** Noon China time of a date: the event time of a record "on" that day. */
export const noon = (date: string) => `${date}T12:00:00+08:00`;

export function institution(code: string, fields: RawRecord & { admdvs?: string } = {}): RawRecord {
  return {
    type: 'institution',
    event_id: nextId('reg'),
    occurred_at: noon('2020-01-01'),
    fixmedins_code: code,
    name: `机构${code}`,
    kind: code.startsWith('P') ? 'pharmacy' : 'hospital',
    inpatient: false,
    admdvs: code.slice(1, 7),
    agreement_start: '2015-01-01',
    ...fields,
  };
}

export function practitioner(code: string, fixmedins: string, fields: RawRecord = {}): RawRecord {
  return {
    type: 'practitioner',
    event_id: nextId('prc'),
    occurred_at: noon('2020-01-01'),
    practitioner_code: code,
    role: 'physician',
    fixmedins_code: fixmedins,
    qualified_since: '2010-01-01',
    ...fields,
  };
}

/** A supervision fact decided on `decided_at`, arriving that day at noon unless told otherwise. */
export function fact(
  subjectCode: string,
  action: string,
  decidedAt: string,
  fields: RawRecord = {},
  subjectKind: 'institution' | 'practitioner' | 'insured' | 'employer' = 'institution',
): RawRecord {
  return {
    type: 'supervision',
    event_id: nextId('sup'),
    occurred_at: noon(decidedAt),
    subject_kind: subjectKind,
    subject_code: subjectCode,
    action,
    decided_at: decidedAt,
    ...fields,
  };
}

export function audit(code: string, date: string, reduced: number, violation = true): RawRecord {
  return {
    type: 'claim_audit',
    event_id: nextId('aud'),
    occurred_at: noon(date),
    fixmedins_code: code,
    rule_code: 'GOLDEN-001',
    reduced_amount: reduced,
    violation,
  };
}

export type GoldenExpectation = {
  readonly subject_kind?: 'institution' | 'practitioner' | 'insured' | 'employer';
  readonly subject_code: string;
  readonly level: string | null;
  readonly evaluated?: boolean;
  readonly excluded_reason?: string;
  readonly score?: number;
  readonly policy_in_force?: boolean;
  /** A rule id that must appear among the standing's reasons. */
  readonly reason_rule?: string;
};

export type GoldenCase = {
  /** A sentence: what the seed says and what follows. */
  readonly name: string;
  /** The article (第X条) of the pack's seed the case checks. */
  readonly article: string;
  readonly records: readonly RawRecord[];
  /** Standings are read at this instant (RFC 3339). */
  readonly as_of: string;
  readonly expect: GoldenExpectation | readonly GoldenExpectation[];
  /** Chain expectations (四川 chains). */
  readonly chain?: {
    readonly chain_id: string;
    readonly at_or_below_d: number;
    readonly triggers: readonly string[];
  };
  /** Assumption overrides for this case. */
  readonly overrides?: Record<string, unknown>;
  /**
   * The `policy_expired` the engine has told by `as_of` (POLICY.md: one per pack once no version
   * is in force), or `null`: none.
   */
  readonly policy_expired?: {
    readonly at: string;
    readonly last_day: string;
    readonly article: string;
  } | null;
};
