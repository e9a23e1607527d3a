/**
 * The early-warning rules (rules/early-warning/definitions.ts) read off the windows at a
 * boundary `at`: only buckets and entries before `at` count, so the outcome does not depend on
 * which later records had already arrived.
 */

import { RULES, type RuleId } from '../../rules/early-warning/definitions.ts';
import type { Outcome } from '../../rules/early-warning/outcome.ts';
import { packForDivision } from '../../rules/engine/jurisdiction.ts';
import { pushAll } from '../arrays.ts';
import { D, type InstitutionWindows, P, type PeerGroup } from './institution.ts';
import type { PersonState } from './person.ts';
import type { PractitionerWindows } from './practitioner.ts';
import { chinaDay, DAY_MS, HOUR_MS } from './ring.ts';
import type { IndicatorStore } from './store.ts';

const HYSTERESIS = 0.9;

const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits;

function where(store: IndicatorStore, institution: string): { division: string; pack: string | null } {
  const division = store.divisionOf(institution);
  return { division, pack: packForDivision(division) };
}

function outcome(
  rule: RuleId,
  kind: Outcome['subject_kind'],
  code: string,
  place: { division: string; pack: string | null },
  at: number,
  fields: Pick<Outcome, 'breached' | 'value' | 'threshold' | 'detail' | 'evidence'> & Partial<Outcome>,
): Outcome {
  const def = RULES[rule];
  return {
    rule,
    subject_kind: kind,
    subject_code: code,
    division: place.division,
    pack: place.pack,
    at,
    window: def.window,
    indicator: def.indicator,
    ...fields,
  };
}

/** No outcome (shared: most minute reads have none, and nothing is allocated for them). */
const NOTHING: Outcome[] = Object.freeze([]) as unknown as Outcome[];

/** What brought an institution's read at a boundary (bits, so one read serves all of them). */
export const READ = { minute: 1, hour: 2, day: 4, instant: 0 } as const;

const HOURS_24 = [24] as const;
const DAYS_7_30 = [7, 30] as const;
/** Scratch for the window reads (module-level: nothing allocated per read). */
const SPIKE = new Float64Array(8);
const OWN = new Float64Array(16);
const NO_PEERS = new Float64Array(16);

/** Bits of `InstitutionWindows.mayBeOpen`, one per boundary rule. */
const OPEN_BIT = { amount_spike: 1, off_hours_share: 2, peer_outlier: 4, claim_reduction_rate: 8 } as const;

/**
 * Whether a read is worth an outcome. A quiet (minute) read that is not breached decides nothing
 * unless the rule's alert may be open (AlertBook: below the threshold a read only resolves), so it
 * is dropped before its detail and evidence are built — that is most reads. `mayBeOpen` follows
 * the decisions: set by a breach, cleared by a read under `resolveBelow` (which resolves).
 */
function decides(
  w: InstitutionWindows,
  rule: keyof typeof OPEN_BIT,
  quiet: boolean,
  breached: boolean,
  value: number,
  resolveBelow: number,
): boolean {
  const bit = OPEN_BIT[rule];
  const worth = !quiet || breached || (w.mayBeOpen & bit) !== 0;
  if (breached) w.mayBeOpen |= bit;
  else if (value < resolveBelow) w.mayBeOpen &= ~bit;
  return worth;
}

/** The split-admission window (RULES.split_admission.window). */
export const SPLIT_WINDOW_MS = 30 * DAY_MS;

/**
 * An institution's boundary rules read at `at`, a minute boundary: every minute after a record
 * moved its windows (alerts), and at the hour and China midnight after one (also the indicator
 * snapshots, one per hour or day; the minute reads decide alerts only, `quiet`).
 */
export function evaluateInstitution(
  store: IndicatorStore,
  code: string,
  w: InstitutionWindows,
  at: number,
  read: number,
  peers: PeerReads = new Map(),
): Outcome[] {
  const spike = evaluateAmountSpike(store, code, w, at, (read & READ.hour) === 0);
  if ((read & (READ.minute | READ.day)) === 0) return spike;
  const days = evaluateInstitutionDays(store, code, w, at, (read & READ.day) === 0, peers);
  if (spike.length === 0) return days;
  pushAll(days, spike);
  return days;
}

/**
 * Peer groups' windows read at one boundary, shared by the members read at it (one read per group
 * instead of one per member). Valid for one boundary only: the caller makes a new one for each.
 */
export type PeerReads = Map<PeerGroup, Float64Array>;

function peerRead(peers: PeerReads, group: PeerGroup, at: number): Float64Array {
  let r = peers.get(group);
  if (!r) {
    r = group.windows.read('day', DAYS_7_30, at, new Float64Array(2 * group.windows.series));
    peers.set(group, r);
  }
  return r;
}

/** Fund of the 24 hours before the hour boundary at or after `at`, so far, against the 7-day daily mean. */
export function evaluateAmountSpike(
  store: IndicatorStore,
  code: string,
  w: InstitutionWindows,
  at: number,
  quiet = false,
): Outcome[] {
  const place = where(store, code);
  const t = store.options.thresholds('amount_spike', place.pack, place.division);
  const current = w.windows.read('hour', HOURS_24, at, SPIKE)[D.fund]!;
  const lastDay = chinaDay(at - DAY_MS);
  let sum = 0;
  let days = 0;
  for (let d = lastDay - 7; d <= lastDay - 1; d++) {
    if (w.windows.days.valueAt(D.count, d) > 0) {
      sum += w.windows.days.valueAt(D.fund, d);
      days++;
    }
  }
  if (days === 0) return NOTHING;
  const baseline = sum / days;
  const ratio = baseline > 0 ? current / baseline : 0;
  const breached = days >= t.min_baseline_days && current >= t.min_amount && ratio >= t.ratio;
  if (!decides(w, 'amount_spike', quiet, breached, round(ratio), t.ratio * HYSTERESIS)) return NOTHING;
  return [
    outcome('amount_spike', 'institution', code, place, at, {
      breached,
      value: round(ratio),
      threshold: t.ratio,
      resolve_below: t.ratio * HYSTERESIS,
      baseline: round(baseline, 2),
      detail: `24小时基金支付 ${round(current, 2)} 元，为前${days}日日均 ${round(baseline, 2)} 元的 ${round(ratio, 2)} 倍`,
      evidence: w.recent.before(at),
      ...(quiet && { quiet }),
    }),
  ];
}

/**
 * 分解住院 over [at − 30 days, at), exact (the institution's admission and readmission times): read
 * just after each readmission found or reversed and just after one leaves the window, stamped
 * `stamp` (the time of the record that moved it).
 */
export function evaluateSplitAdmission(
  store: IndicatorStore,
  code: string,
  w: InstitutionWindows,
  at: number,
  stamp = at,
): Outcome[] {
  if (!w.readmissionTimes && !w.admissionTimes) return NOTHING;
  const readmissions = w.readmissionTimes?.countIn(at - SPLIT_WINDOW_MS, at) ?? 0;
  const admissions = w.admissionTimes?.countIn(at - SPLIT_WINDOW_MS, at) ?? 0;
  // Nothing in the window and no readmission ever: nothing to tell (as the daily read before).
  if (readmissions === 0 && admissions === 0 && !w.readmissionTimes) return NOTHING;
  const place = where(store, code);
  const sa = store.options.thresholds('split_admission', place.pack, place.division);
  const share = admissions > 0 ? readmissions / admissions : 0;
  const breached =
    readmissions >= sa.min_count || (readmissions >= sa.min_count_for_share && share >= sa.min_share);
  return [
    outcome('split_admission', 'institution', code, place, stamp, {
      breached,
      value: readmissions,
      threshold: sa.min_count,
      resolve_below: sa.min_count_for_share,
      baseline: round(share),
      detail: `30日内出院后${sa.gap_days}日内同病种再入院 ${readmissions} 例，占住院 ${admissions} 例的 ${round(share * 100, 1)}%`,
      evidence: w.readmissionEvidence?.before(at) ?? [],
    }),
  ];
}

/**
 * The 7- and 30-day rules over the China days before the midnight at or after `at`, so far: at
 * midnight the whole days before it, inside a day the days before it and the day up to `at`.
 */
export function evaluateInstitutionDays(
  store: IndicatorStore,
  code: string,
  w: InstitutionWindows,
  at: number,
  quiet = false,
  peers: PeerReads = new Map(),
): Outcome[] {
  const place = where(store, code);
  const out: Outcome[] = [];
  // [7-day series…, 30-day series…] of the institution (`n` series), then of its peer group (`m`).
  const own = w.windows.read('day', DAYS_7_30, at, OWN);
  const n = w.windows.series;
  const q = quiet ? { quiet } : {};

  const group = store.groups.get(store.groupOf(code));
  const peer = group ? peerRead(peers, group, at) : NO_PEERS;
  const m = group?.windows.series ?? 0;

  const oh = store.options.thresholds('off_hours_share', place.pack, place.division);
  const n7 = own[D.count]!;
  if (n7 > 0) {
    const off7 = own[D.offHours]!;
    const share = off7 / n7;
    const peerN = peer[P.count]! - n7;
    const peerShare = peerN > 0 ? (peer[P.offHours]! - off7) / peerN : 0;
    const threshold = Math.max(oh.min_share, oh.peer_ratio * peerShare);
    const breached = n7 >= oh.min_settlements && share >= threshold;
    // Distinct persons of the whole days only: today's sketch holds persons after `at` already.
    const lastWholeDay = chinaDay(at - 1) - (w.windows.days.start(chinaDay(at)) === at ? 0 : 1);
    if (decides(w, 'off_hours_share', quiet, breached, round(share), threshold * HYSTERESIS))
      out.push(
        outcome('off_hours_share', 'institution', code, place, at, {
          breached,
          value: round(share),
          threshold: round(threshold),
          resolve_below: threshold * HYSTERESIS,
          baseline: round(peerShare),
          detail: `近7日22:00–06:00结算占比 ${round(share * 100, 1)}%（${n7} 笔，约 ${w.distinctPersons(lastWholeDay - 6, lastWholeDay)} 人），同类机构 ${round(peerShare * 100, 1)}%`,
          evidence: w.offHoursEvidence?.before(at) ?? [],
          ...q,
        }),
      );
  }

  const po = store.options.thresholds('peer_outlier', place.pack, place.division);
  const visits = own[n + D.count]!;
  const fund = own[n + D.fund]!;
  const peerCount = (group?.members.size ?? 1) - 1;
  const peerVisits = peer[m + P.count]! - visits;
  if (visits > 0 && peerVisits > 0 && peerCount >= po.min_peers) {
    const perVisit = fund / visits;
    const peerPerVisit = (peer[m + P.fund]! - fund) / peerVisits;
    const ratio = peerPerVisit > 0 ? perVisit / peerPerVisit : 0;
    const breached = visits >= po.min_visits && ratio >= po.ratio;
    if (decides(w, 'peer_outlier', quiet, breached, round(ratio), po.ratio * HYSTERESIS))
      out.push(
        outcome('peer_outlier', 'institution', code, place, at, {
          breached,
          value: round(ratio),
          threshold: po.ratio,
          resolve_below: po.ratio * HYSTERESIS,
          baseline: round(peerPerVisit, 2),
          detail: `近30日次均基金支付 ${round(perVisit, 2)} 元，为同类机构（${peerCount} 家）次均 ${round(peerPerVisit, 2)} 元的 ${round(ratio, 2)} 倍`,
          evidence: w.recent.before(at),
          ...q,
        }),
      );
  }

  const cr = store.options.thresholds('claim_reduction_rate', place.pack, place.division);
  const reductions = own[n + D.reductions]!;
  if (reductions > 0 && fund > 0) {
    const rate = reductions / fund;
    const breached = fund >= cr.min_fund && rate >= cr.min_rate;
    if (decides(w, 'claim_reduction_rate', quiet, breached, round(rate), cr.min_rate * HYSTERESIS))
      out.push(
        outcome('claim_reduction_rate', 'institution', code, place, at, {
          breached,
          value: round(rate),
          threshold: cr.min_rate,
          resolve_below: cr.min_rate * HYSTERESIS,
          detail: `近30日审减 ${round(reductions, 2)} 元，占基金支付 ${round(fund, 2)} 元的 ${round(rate * 100, 2)}%`,
          evidence: w.reductionEvidence?.before(at) ?? [],
          ...q,
        }),
      );
  }
  return out;
}

/**
 * Settlements of a practitioner in the hour before `at`, read when the watermark passes each of
 * them: the alert is raised by the settlement that makes the count, stamped `stamp` (its time).
 */
export function evaluatePractitioner(
  store: IndicatorStore,
  code: string,
  w: PractitionerWindows,
  at: number,
  stamp = at,
): Outcome[] {
  const place = where(store, w.institution || `X${code.replace(/^[A-Z]+/, '').slice(0, 6)}00000`);
  const t = store.options.thresholds('practitioner_throughput', place.pack, place.division);
  const count = w.recent.countIn(at - HOUR_MS, at);
  return [
    outcome('practitioner_throughput', 'practitioner', code, place, stamp, {
      breached: count >= t.max_per_hour,
      value: count,
      threshold: t.max_per_hour,
      resolve_below: t.max_per_hour * HYSTERESIS,
      detail: `截至该时点的1小时内结算 ${count} 笔（${w.institution}）`,
      evidence: w.recent.before(at),
    }),
  ];
}

/** No overlap signal (shared: most persons have none). */
const NO_SIGNALS: readonly string[] = Object.freeze([]);

/** The distinct values, sorted (as `[...new Set(values)].sort()`, without the Set and the spread). */
function distinctSorted(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) if (!out.includes(v)) out.push(v);
  return out.sort();
}

/** The event ids of the last `n` visits (as `.map(eventId).slice(-n)`, without the whole map). */
function lastIds(visits: readonly { readonly eventId: string }[], n: number): string[] {
  const out: string[] = [];
  for (let i = Math.max(0, visits.length - n); i < visits.length; i++) out.push(visits[i]!.eventId);
  return out;
}

/**
 * The person's patterns over records before `at`, read when the watermark passes each record
 * (the `instant` boundary t + 1 ms): stamped `stamp`, the time of the record that moved them.
 */
export function evaluatePerson(
  store: IndicatorStore,
  token: string,
  person: PersonState,
  at: number,
  stamp = at,
): Outcome[] {
  const out: Outcome[] = [];
  const day = chinaDay(at - 1);
  const today = (person.visits ?? [])
    .filter((v) => v.t < at && chinaDay(v.t) === day)
    .sort((a, b) => a.t - b.t || (a.eventId < b.eventId ? -1 : 1));
  const firstPlace = where(
    store,
    today[0]?.institution ??
      person.stays?.[0]?.institution ??
      person.visits?.[0]?.institution ??
      'X00000000000',
  );

  if (today.length > 0) {
    const mi = store.options.thresholds('multi_institution_day', firstPlace.pack, firstPlace.division);
    // Evaluated at every settlement of a person: no Set, spread or mapped copies (issue 14).
    const institutions = distinctSorted(today.map((v) => v.institution));
    out.push(
      outcome('multi_institution_day', 'insured', token, firstPlace, stamp, {
        breached: institutions.length >= mi.min_institutions,
        value: institutions.length,
        threshold: mi.min_institutions,
        resolve_below: mi.min_institutions,
        detail: `当日在 ${institutions.length} 家机构结算：${institutions.join('、')}`,
        evidence: lastIds(today, 10),
      }),
    );
    const byPharmacy = new Map<string, string[]>();
    for (const v of today)
      if (v.pharmacy) byPharmacy.set(v.institution, [...(byPharmacy.get(v.institution) ?? []), v.eventId]);
    for (const [pharmacy, ids] of [...byPharmacy].sort()) {
      const place = where(store, pharmacy);
      const pr = store.options.thresholds('pharmacy_repeat_purchase', place.pack, place.division);
      if (ids.length < pr.min_purchases) continue;
      out.push(
        outcome('pharmacy_repeat_purchase', 'institution', pharmacy, place, stamp, {
          breached: true,
          value: ids.length,
          threshold: pr.min_purchases,
          detail: `同一参保人（${token}）当日在本药店购药 ${ids.length} 次`,
          evidence: ids.slice(-10),
          occurrence: `${token}|${day}`,
        }),
      );
    }
  }

  const supplies = (person.supplies ?? []).filter((s) => s.t < at && s.t >= at - 30 * DAY_MS);
  if (supplies.length > 0) {
    const ds = store.options.thresholds('drug_oversupply', firstPlace.pack, firstPlace.division);
    const byItem = new Map<string, { days: number; ids: string[] }>();
    for (const s of supplies) {
      const e = byItem.get(s.item) ?? { days: 0, ids: [] };
      e.days += s.days;
      e.ids.push(s.eventId);
      byItem.set(s.item, e);
    }
    const [item, worst] = [...byItem].sort((a, b) => b[1].days - a[1].days || (a[0] < b[0] ? -1 : 1))[0]!;
    out.push(
      outcome('drug_oversupply', 'insured', token, firstPlace, stamp, {
        breached: worst.days >= ds.max_days_supply,
        value: worst.days,
        threshold: ds.max_days_supply,
        resolve_below: ds.max_days_supply,
        detail: `30日内药品 ${item} 累计供药 ${worst.days} 天`,
        evidence: [...new Set(worst.ids)].slice(-10),
      }),
    );
  }

  const due: readonly string[] =
    person.overlaps === undefined
      ? NO_SIGNALS
      : person.overlaps.filter((s) => Number(s.split('|')[2]) < at).sort();
  if (due.length > 0) {
    person.overlaps = person.overlaps?.filter((s) => !due.includes(s));
    if (person.overlaps?.length === 0) person.overlaps = undefined;
    for (const signal of due) {
      const [a, b, time, overlapMs, instA, instB] = signal.split('|');
      const hours = Number(overlapMs) / HOUR_MS;
      const place = where(store, instA!);
      const os = store.options.thresholds('overlapping_stays', place.pack, place.division);
      if (hours < os.min_overlap_hours) continue;
      out.push(
        outcome('overlapping_stays', 'insured', token, place, Number(time), {
          breached: true,
          value: round(hours, 1),
          threshold: os.min_overlap_hours,
          detail: `同时在 ${instA} 与 ${instB} 住院，重叠 ${round(hours, 1)} 小时`,
          evidence: [a!, b!],
          occurrence: `${a}|${b}`,
        }),
      );
    }
  }
  return out;
}
