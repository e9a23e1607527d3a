/**
 * The indicator stage: event-time windows per institution, practitioner, pseudonymised person
 * and peer group, updated as records arrive, and evaluated at window boundaries once the
 * watermark (newest event time − allowed lateness) has passed them. Later records are counted,
 * not applied. A reversal takes its settlement out of every window. Pure: no clock, no I/O.
 */

import type { Outcome } from '../../rules/early-warning/outcome.ts';
import type { Thresholds } from '../../rules/early-warning/thresholds.ts';
import { packForDivision } from '../../rules/engine/jurisdiction.ts';
import type {
  ClaimAuditEvent,
  InstitutionEvent,
  SettlementEvent,
  SettlementReversalEvent,
} from '../../schemas/events.ts';
import { isInpatientMedType } from '../../schemas/events.ts';
import { pushAll } from '../arrays.ts';
import { DeferredQueue } from './deferred.ts';
import {
  evaluateInstitution,
  evaluatePerson,
  evaluatePractitioner,
  evaluateSplitAdmission,
  type PeerReads,
  READ,
  SPLIT_WINDOW_MS,
} from './evaluate.ts';
import { Evidence } from './evidence.ts';
import { D, InstitutionWindows, P, PeerGroup } from './institution.ts';
import { MINUTE_MS } from './layered-ring.ts';
import { PersonState, type Stay } from './person.ts';
import { PractitionerWindows } from './practitioner.ts';
import { CHINA_OFFSET_MS, DAY_MS, HOUR_MS, isOffHours } from './ring.ts';
import { BoundaryScheduler, type Granularity } from './scheduler.ts';
import { TimeIndex } from './time-index.ts';
import type {
  PersonHandOver,
  ReadmissionHandOver,
  ReadmissionSignal,
  VisitRecord,
  VisitReversal,
} from './visits.ts';

export type IndicatorOptions = {
  readonly allowedLatenessMs: number;
  readonly thresholds: Thresholds;
  /** Settlements remembered for reversals this long (event time). */
  readonly reversalHorizonMs?: number;
  /** Keys idle this long (event time) are evicted. */
  readonly idleEvictionMs?: number;
  /** Set in the institution stage of a split topology: person-side work is handed over, not done here. */
  readonly persons?: PersonHandOver;
  /** Set in the person stage of a split topology: readmissions go to the institution stage. */
  readonly readmissions?: ReadmissionHandOver;
};

export type InstitutionInfo = {
  readonly kind: string;
  readonly level: number | null;
  readonly admdvs: string;
  readonly chain_id: string | null;
  readonly group: string;
};

/** What a settlement put into the windows, kept so a reversal can take it out again. */
/** A reversal waiting for the watermark to pass its time (DeferredQueue items are data). */
type Deferred =
  | { readonly kind: 'visit'; readonly reversal: VisitReversal }
  | { readonly kind: 'settlement'; readonly setlId: string; readonly t: number };

type Contribution = {
  readonly t: number;
  readonly eventId: string;
  readonly institution: string;
  readonly practitioner?: string;
  readonly person: string;
  readonly fund: number;
  readonly off: boolean;
  readonly inpatient: boolean;
  readonly group: string;
};

export type IndicatorCounters = {
  applied: number;
  late: number;
  reversals_applied: number;
  reversals_unmatched: number;
  evicted: number;
};

const WIDTHS: Record<Granularity, { width: number; offset: number }> = {
  instant: { width: 1, offset: 0 },
  minute: { width: MINUTE_MS, offset: 0 },
  hour: { width: HOUR_MS, offset: 0 },
  day: { width: DAY_MS, offset: CHINA_OFFSET_MS },
};

export class IndicatorStore {
  readonly institutions = new Map<string, InstitutionWindows>();
  readonly practitioners = new Map<string, PractitionerWindows>();
  readonly persons = new Map<string, PersonState>();
  readonly groups = new Map<string, PeerGroup>();
  readonly info = new Map<string, InstitutionInfo>();
  /** Divisions of institutions seen only through visits (the person stage has no registry). */
  private readonly visitDivisions = new Map<string, string>();
  private readonly contributions = new Map<string, Contribution>();
  private readonly contributionOrder: { t: number; setlId: string }[] = [];
  private contributionHead = 0;
  private readonly scheduler = new BoundaryScheduler(WIDTHS);
  /** Split-admission reads (`instant` boundaries of institutions), held by `readmissionGate`. */
  private readonly readmissionChecks = new BoundaryScheduler(WIDTHS);
  /**
   * How far the person stage has evaluated (exclusive): every readmission signal before it has
   * arrived. Set by the institution stage of a split topology; a store that finds readmissions
   * itself has no gate.
   */
  readmissionGate = Number.POSITIVE_INFINITY;
  /** Readmission signals applied (id → event time), for at-least-once hand-overs; swept daily. */
  private readonly readmissionsSeen = new Map<string, number>();
  /** Reversals waiting for the watermark to pass their own time (see applyReversal). */
  private readonly deferred = new DeferredQueue<Deferred>();
  private maxEventTime = Number.NEGATIVE_INFINITY;
  private lastEviction = Number.NEGATIVE_INFINITY;
  readonly counters: IndicatorCounters = {
    applied: 0,
    late: 0,
    reversals_applied: 0,
    reversals_unmatched: 0,
    evicted: 0,
  };

  constructor(readonly options: IndicatorOptions) {}

  /**
   * Newest event time per source partition: the watermark is the slowest partition's newest time
   * minus the allowed lateness (Flink's per-partition watermarks), so records from a partition
   * that lags are not late merely because another partition runs ahead. A partition the source
   * reports idle (no record for a while of wall-clock time, decided at the I/O edge) stops
   * holding the watermark back until its next record.
   */
  private readonly partitionMax = new Map<string, number>();
  private currentPartition = '';

  /** The partition the next records come from (a Kafka topic/partition; '' for a single stream). */
  fromPartition(partition: string): void {
    this.currentPartition = partition;
  }

  /** The source's assignment: a partition that has delivered nothing yet holds the watermark at −∞. */
  expectPartition(partition: string): void {
    if (!this.partitionMax.has(partition)) this.partitionMax.set(partition, Number.NEGATIVE_INFINITY);
  }

  /**
   * Watermark alignment (as Flink's): a partition may deliver a record at event time t unless it
   * runs more than `maxSkewMs` ahead of the watermark while another partition lags. The slowest
   * partition always may, so alignment cannot deadlock. Keeps the distance between a key's own
   * progress and its evaluation within the windows' ring sizes.
   */
  mayDeliver(partition: string, t: number, maxSkewMs: number): boolean {
    const wm = this.watermark;
    if (!Number.isFinite(wm) || t <= wm + this.options.allowedLatenessMs + maxSkewMs) return true;
    const own = this.partitionMax.get(partition) ?? Number.NEGATIVE_INFINITY;
    return own - this.options.allowedLatenessMs <= wm;
  }

  /** The source says this partition has been silent: it no longer holds the watermark back. */
  partitionIdle(partition: string): void {
    this.partitionMax.delete(partition);
  }

  /** The newest event time applied or observed on any partition (−∞ before the first). */
  get newestEventTime(): number {
    return this.maxEventTime;
  }

  get watermark(): number {
    // With every partition idle, what has been seen is all there is. With one left, that one's
    // own progress: the newest time overall would pass the records it has still to deliver.
    if (this.partitionMax.size === 0) return this.maxEventTime - this.options.allowedLatenessMs;
    let min = Number.POSITIVE_INFINITY;
    for (const t of this.partitionMax.values()) if (t < min) min = t;
    return min - this.options.allowedLatenessMs;
  }

  // ── registry ──────────────────────────────────────────────────────────────────────────

  registerInstitution(e: InstitutionEvent): void {
    const group = `${e.kind}|${e.level ?? 0}|${e.admdvs.slice(0, 4)}`;
    const prev = this.info.get(e.fixmedins_code);
    if (prev && prev.group !== group) this.groups.get(prev.group)?.members.delete(e.fixmedins_code);
    this.info.set(e.fixmedins_code, {
      kind: e.kind,
      level: e.level ?? null,
      admdvs: e.admdvs,
      chain_id: e.chain_id ?? null,
      group,
    });
    this.group(group).members.add(e.fixmedins_code);
  }

  private group(key: string): PeerGroup {
    let g = this.groups.get(key);
    if (!g) {
      g = new PeerGroup();
      this.groups.set(key, g);
    }
    return g;
  }

  groupOf(code: string): string {
    return this.info.get(code)?.group ?? `unknown|0|${code.slice(1, 5)}`;
  }

  /** An institution's division: the registry's, else the one its visits carried, else the code's. */
  divisionOf(code: string): string {
    return this.info.get(code)?.admdvs ?? this.visitDivisions.get(code) ?? code.slice(1, 7);
  }

  // ── records ───────────────────────────────────────────────────────────────────────────

  /** False when the record is later than the allowed lateness (counted, not applied). */
  /**
   * Applies records a caller held back for alignment (so admitted on arrival): the watermark may
   * have passed them since, but the boundaries it passed are evaluated only after they are in.
   */
  admitted<T>(apply: () => T): T {
    this.lateExempt = true;
    try {
      return apply();
    } finally {
      this.lateExempt = false;
    }
  }

  private lateExempt = false;

  private admit(t: number): boolean {
    if (t < this.watermark && !this.lateExempt) {
      this.counters.late++;
      return false;
    }
    if (t > this.maxEventTime) this.maxEventTime = t;
    // A record held back and admitted now was observed on arrival: its partition's progress is
    // counted already, and one declared idle since must not come back with an old time.
    if (!this.lateExempt && t > (this.partitionMax.get(this.currentPartition) ?? Number.NEGATIVE_INFINITY))
      this.partitionMax.set(this.currentPartition, t);
    this.counters.applied++;
    return true;
  }

  /** `t`: the record's occurred_at, read by the caller (ingest parsed it once). */
  applySettlement(e: SettlementEvent, t = Date.parse(e.occurred_at)): boolean {
    if (!this.admit(t)) return false;
    const code = e.fixmedins_code;
    const inst = this.institution(code);
    const off = isOffHours(t);
    const inpatient = isInpatientMedType(e.med_type);
    const groupKey = this.groupOf(code);
    const g = this.group(groupKey);
    g.members.add(code);
    inst.lastSeen = Math.max(inst.lastSeen, t);
    inst.windows.add(t, D.count, 1);
    inst.windows.add(t, D.fund, e.fund_pay_sumamt);
    g.windows.add(t, P.count, 1);
    g.windows.add(t, P.fund, e.fund_pay_sumamt);
    if (off) {
      inst.windows.add(t, D.offHours, 1);
      g.windows.add(t, P.offHours, 1);
      (inst.offHoursEvidence ??= new Evidence(10)).add(t, e.event_id);
    }
    if (inpatient) (inst.admissionTimes ??= new TimeIndex()).add(t);
    inst.recent.add(t, e.event_id);
    inst.addPerson(t, e.psn_no);
    this.touchInstitution(code, t);

    if (e.practitioner_code) {
      const p = this.practitioner(e.practitioner_code);
      p.institution = code;
      p.lastSeen = Math.max(p.lastSeen, t);
      p.recent.add(t, e.event_id);
      this.scheduler.touch(e.practitioner_code, t, 'instant');
    }

    const visit = this.visitOf(e, t, inpatient);
    if (this.options.persons) this.options.persons.visit(visit);
    else this.applyToPerson(visit);
    this.remember(e.setl_id, {
      t,
      eventId: e.event_id,
      institution: code,
      person: e.psn_no,
      fund: e.fund_pay_sumamt,
      off,
      inpatient,
      group: groupKey,
      ...(e.practitioner_code !== undefined && { practitioner: e.practitioner_code }),
    });
    return true;
  }

  private visitOf(e: SettlementEvent, t: number, inpatient: boolean): VisitRecord {
    const supplies = (e.items ?? [])
      .filter((item) => item.days_supply !== undefined)
      .map((item) => ({ item: item.hilist_code, days: item.days_supply! }));
    return {
      person: e.psn_no,
      eventId: e.event_id,
      setlId: e.setl_id,
      institution: e.fixmedins_code,
      division: this.divisionOf(e.fixmedins_code),
      pharmacy: e.fixmedins_code.startsWith('P') || e.med_type === '41',
      t,
      ...(inpatient &&
        e.endtime && {
          stay: {
            begin: Date.parse(e.begntime),
            end: Date.parse(e.endtime),
            icd3: (e.dise_codg ?? '').slice(0, 3).toUpperCase(),
          },
        }),
      ...(supplies.length > 0 && { supplies }),
    };
  }

  /** The person stage's input: a visit handed over by the institution stage (lateness applies here). */
  applyVisit(v: VisitRecord): boolean {
    // A hand-over resent after a crash (at-least-once between stages) changes nothing.
    if (this.persons.get(v.person)?.visits?.some((x) => x.eventId === v.eventId)) return false;
    if (!this.admit(v.t)) return false;
    if (this.divisionOf(v.institution) !== v.division) this.visitDivisions.set(v.institution, v.division);
    this.applyToPerson(v);
    return true;
  }

  private applyToPerson(v: VisitRecord): void {
    const t = v.t;
    const person = this.person(v.person);
    person.lastSeen = Math.max(person.lastSeen, t);
    (person.visits ??= []).push({
      eventId: v.eventId,
      setlId: v.setlId,
      institution: v.institution,
      pharmacy: v.pharmacy,
      t,
    });
    for (const s of v.supplies ?? [])
      (person.supplies ??= []).push({ eventId: v.eventId, setlId: v.setlId, item: s.item, days: s.days, t });
    if (v.stay) {
      const stay: Stay & { readmission?: boolean } = {
        eventId: v.eventId,
        setlId: v.setlId,
        institution: v.institution,
        icd3: v.stay.icd3,
        begin: v.stay.begin,
        end: v.stay.end,
        t,
      };
      this.linkStay(v.person, person, stay);
    }
    person.prune(t - 2 * DAY_MS, t - 45 * DAY_MS);
    this.scheduler.touch(v.person, t, 'instant');
  }

  /**
   * Readmissions (分解住院) and overlapping stays (同时住院), order-independent: a stay is a
   * readmission when some earlier stay of the same person at the same institution with the same
   * ICD-10 category ended at most gap_days before it began, whichever of the two arrived first.
   */
  private linkStay(psn: string, person: PersonState, stay: Stay & { readmission?: boolean }): void {
    const stays = (person.stays ??= []) as (Stay & { readmission?: boolean; overlapSignals?: string[] })[];
    const division = this.divisionOf(stay.institution);
    const pack = packForDivision(division);
    const gap = this.options.thresholds('split_admission', pack, division).gap_days * DAY_MS;
    const isReadmission = (later: Stay, earlier: Stay) =>
      later.institution === earlier.institution &&
      later.icd3 !== '' &&
      later.icd3 === earlier.icd3 &&
      earlier.end <= later.begin &&
      later.begin - earlier.end <= gap;
    const mark = (s: Stay & { readmission?: boolean }, prev: Stay) => {
      if (s.readmission) return;
      s.readmission = true;
      this.tellReadmission({
        institution: s.institution,
        t: s.t,
        eventId: s.eventId,
        delta: 1,
        previous: { t: prev.t, eventId: prev.eventId },
      });
    };
    for (const other of stays) {
      if (isReadmission(stay, other)) mark(stay, other);
      if (isReadmission(other, stay)) mark(other, stay);
      const overlap = Math.min(stay.end, other.end) - Math.max(stay.begin, other.begin);
      if (other.institution !== stay.institution && overlap > 0) {
        const [a, b] = [stay.eventId, other.eventId].sort();
        const signal = `${a}|${b}|${Math.max(stay.t, other.t)}|${overlap}|${other.institution}|${stay.institution}`;
        (person.overlaps ??= []).push(signal);
        this.scheduler.touch(psn, Math.max(stay.t, other.t), 'instant');
      }
    }
    stays.push(stay);
  }

  /**
   * A reversal is admitted (or counted late) on arrival and takes effect once the watermark passes
   * its own time: boundaries before it still count the settlement, later ones do not, whatever
   * the arrival order within the lateness — a reversal may even arrive before its settlement.
   */
  applyReversal(e: SettlementReversalEvent, t = Date.parse(e.occurred_at)): boolean {
    if (!this.admit(t)) return false;
    const visitReversal: VisitReversal = { person: e.psn_no, setlId: e.setl_id, t };
    if (this.options.persons) this.options.persons.reversal(visitReversal);
    else this.deferred.push(t, e.setl_id, { kind: 'visit', reversal: visitReversal });
    this.deferred.push(t, e.setl_id, { kind: 'settlement', setlId: e.setl_id, t });
    return true;
  }

  private reverseSettlement(setlId: string, t: number): void {
    const found = this.contributions.get(setlId);
    // Beyond the horizon counts as unmatched even if not yet swept, so the answer does not depend
    // on which later settlements this instance happened to see.
    const c = found && found.t >= t - (this.options.reversalHorizonMs ?? 3 * DAY_MS) ? found : undefined;
    if (!c) {
      this.counters.reversals_unmatched++;
      return;
    }
    this.contributions.delete(setlId);
    this.counters.reversals_applied++;
    const inst = this.institution(c.institution);
    inst.windows.add(c.t, D.count, -1);
    inst.windows.add(c.t, D.fund, -c.fund);
    inst.recent.remove(c.eventId);
    const g = this.group(c.group);
    g.windows.add(c.t, P.count, -1);
    g.windows.add(c.t, P.fund, -c.fund);
    if (c.off) {
      inst.windows.add(c.t, D.offHours, -1);
      g.windows.add(c.t, P.offHours, -1);
      inst.offHoursEvidence?.remove(c.eventId);
    }
    if (c.inpatient) inst.admissionTimes?.remove(c.t);
    // Only a settlement still inside the practitioner's one-hour window changes what it shows.
    if (c.practitioner && c.t >= t - HOUR_MS) {
      const p = this.practitioners.get(c.practitioner);
      p?.recent.remove(c.eventId);
      this.scheduler.touch(c.practitioner, t, 'instant');
    }
    this.touchInstitution(c.institution, t);
  }

  /**
   * An institution's windows moved at t: its rules are read at the next minute boundary (alerts),
   * and at the next hour and China midnight (the indicator snapshots, one per hour and day).
   */
  private touchInstitution(code: string, t: number): void {
    this.scheduler.touch(code, t, 'minute');
    this.scheduler.touch(code, t, 'hour');
    this.scheduler.touch(code, t, 'day');
  }

  /** The person stage's input: a reversal handed over by the institution stage (deferred the same way). */
  applyVisitReversal(r: VisitReversal): boolean {
    if (!this.admit(r.t)) return false;
    this.deferred.push(r.t, r.setlId, { kind: 'visit', reversal: r });
    return true;
  }

  private reverseVisit(r: VisitReversal): void {
    const person = this.persons.get(r.person);
    if (!person) return;
    const stay = person.stays?.find((s) => s.setlId === r.setlId) as
      | (Stay & { readmission?: boolean })
      | undefined;
    const eventId =
      stay?.eventId ??
      person.visits?.find((v) => v.setlId === r.setlId)?.eventId ??
      person.supplies?.find((v) => v.setlId === r.setlId)?.eventId;
    if (stay?.readmission)
      this.tellReadmission({
        institution: stay.institution,
        t: stay.t,
        eventId: stay.eventId,
        delta: -1,
        at: r.t,
      });
    person.removeSettlement(r.setlId);
    if (eventId !== undefined) person.overlaps = person.overlaps?.filter((s) => !s.includes(eventId));
    this.scheduler.touch(r.person, r.t, 'instant');
  }

  private tellReadmission(signal: ReadmissionSignal): void {
    if (this.options.readmissions) this.options.readmissions.readmission(signal);
    else this.applyReadmission(signal);
  }

  /**
   * The institution stage's input from the person stage: a readmission counted in (or out). The
   * split-admission count is read just after the change and just after the readmission leaves its
   * 30-day window, once the person stage has evaluated that far (`readmissionGate`).
   */
  applyReadmission(r: ReadmissionSignal): void {
    // A signal resent after a crash (at-least-once between stages) counts once.
    const id = `${r.eventId}|${r.delta}`;
    if (this.readmissionsSeen.has(id)) return;
    this.readmissionsSeen.set(id, r.t);
    const inst = this.institution(r.institution);
    const times = (inst.readmissionTimes ??= new TimeIndex());
    this.readmissionChecks.touch(r.institution, r.at ?? r.t, 'instant');
    if (r.delta < 0) {
      times.remove(r.t);
      inst.readmissionEvidence?.remove(r.eventId);
      return;
    }
    times.add(r.t);
    this.readmissionChecks.touch(r.institution, r.t + SPLIT_WINDOW_MS, 'instant');
    const ev = (inst.readmissionEvidence ??= new Evidence(10));
    ev.add(r.t, r.eventId);
    if (r.previous) ev.add(r.previous.t, r.previous.eventId);
  }

  applyAudit(e: ClaimAuditEvent, t = Date.parse(e.occurred_at)): boolean {
    if (!this.admit(t)) return false;
    const inst = this.institution(e.fixmedins_code);
    inst.windows.add(t, D.reductions, e.reduced_amount);
    if (e.reduced_amount > 0) (inst.reductionEvidence ??= new Evidence(10)).add(t, e.event_id);
    this.scheduler.touch(e.fixmedins_code, t, 'minute');
    this.scheduler.touch(e.fixmedins_code, t, 'day');
    return true;
  }

  /**
   * Another instance admitted a record of `partition` at `t` (a progress message of the split
   * topology): event time moves on here exactly as if this store had seen the record.
   */
  observe(partition: string | undefined, t: number): void {
    if (t > this.maxEventTime) this.maxEventTime = t;
    if (partition !== undefined && t > (this.partitionMax.get(partition) ?? Number.NEGATIVE_INFINITY))
      this.partitionMax.set(partition, t);
  }

  /** Moves event time on with no record (end of input, or an idle source's heartbeat). */
  advanceEventTime(t: number): void {
    if (t > this.maxEventTime) this.maxEventTime = t;
  }

  // ── evaluation ────────────────────────────────────────────────────────────────────────

  /**
   * Evaluates every boundary the watermark has passed, or with `all` (end of input: nothing more
   * will come) every pending one; either way none at or after `cap`.
   */
  evaluateDue(all = false, cap = Number.POSITIVE_INFINITY): Outcome[] {
    const out: Outcome[] = [];
    const limit = all ? cap : Math.min(this.watermark, cap);
    // Boundaries and deferred reversals in time order; a boundary at a reversal's own instant
    // comes first (it counts records before it).
    for (;;) {
      const at = this.scheduler.peek(limit);
      const next = this.deferred.peek();
      if (next !== undefined && next < limit && (at === undefined || next < at)) {
        const d = this.deferred.take();
        if (d.kind === 'visit') this.reverseVisit(d.reversal);
        else this.reverseSettlement(d.setlId, d.t);
        continue;
      }
      if (at === undefined) break;
      this.evaluateBoundary(at, out);
    }
    this.evaluateReadmissionChecks(all ? Math.min(cap, this.maxEventTime + 1) : limit, out);
    // After the evaluation, so a key is never evicted with a boundary the watermark passed; driven
    // by how far evaluation has come (records held for alignment may still go in behind the
    // watermark), which every instance of a split topology shares.
    if (Number.isFinite(limit)) this.evictIdle(limit);
    return out;
  }

  /** One boundary's keys: crossing-event reads of persons and practitioners, institutions' windows. */
  private evaluateBoundary(at: number, out: Outcome[]): void {
    let institutions: Map<string, number> | undefined;
    for (const { g, key } of this.scheduler.take(at)) {
      if (g === 'instant') {
        // Crossing-event rules: read off over records before `at` = t + 1 ms, stamped t.
        const p = this.practitioners.get(key);
        if (p) pushAll(out, evaluatePractitioner(this, key, p, at, at - 1));
        const person = this.persons.get(key);
        if (person) pushAll(out, evaluatePerson(this, key, person, at, at - 1));
      } else {
        (institutions ??= new Map()).set(key, (institutions.get(key) ?? 0) | READ[g]);
        // Split admissions at midnight too, for the daily snapshot, through the same gate.
        if (g === 'day') {
          const inst = this.institutions.get(key);
          if (inst?.admissionTimes || inst?.readmissionTimes)
            this.readmissionChecks.touch(key, at - 1, 'day');
        }
      }
    }
    if (!institutions) return;
    // One read per institution and boundary, whichever of minute, hour and day brought it here,
    // in the order `take` gave (sorted within each granularity): deterministic, no sort needed.
    const peers: PeerReads = new Map();
    for (const [key, read] of institutions) {
      const inst = this.institutions.get(key);
      if (inst) pushAll(out, evaluateInstitution(this, key, inst, at, read, peers));
    }
  }

  /** Split admissions read at each readmission change the person stage has evaluated past. */
  private evaluateReadmissionChecks(limit: number, out: Outcome[]): void {
    const gate = Math.min(limit, this.readmissionGate);
    for (
      let at = this.readmissionChecks.peek(gate);
      at !== undefined;
      at = this.readmissionChecks.peek(gate)
    ) {
      // A key's China-midnight read and a readmission's at the same instant are one read.
      const dailyOnly = new Map<string, boolean>();
      for (const { g, key } of this.readmissionChecks.take(at))
        dailyOnly.set(key, (dailyOnly.get(key) ?? true) && g === 'day');
      for (const [key, daily] of dailyOnly) {
        const inst = this.institutions.get(key);
        // A readmission's read is stamped with its record; the daily one (the snapshot a
        // supervisor's dashboard plots, one per day) with the midnight.
        if (inst) pushAll(out, evaluateSplitAdmission(this, key, inst, at, daily ? at : at - 1));
      }
    }
  }

  // ── keys and memory ───────────────────────────────────────────────────────────────────

  private institution(code: string): InstitutionWindows {
    let w = this.institutions.get(code);
    if (!w) {
      w = new InstitutionWindows();
      this.institutions.set(code, w);
    }
    return w;
  }

  private practitioner(code: string): PractitionerWindows {
    let w = this.practitioners.get(code);
    if (!w) {
      w = new PractitionerWindows();
      this.practitioners.set(code, w);
    }
    return w;
  }

  private person(token: string): PersonState {
    let p = this.persons.get(token);
    if (!p) {
      p = new PersonState();
      this.persons.set(token, p);
    }
    return p;
  }

  private remember(setlId: string, c: Contribution): void {
    this.contributions.set(setlId, c);
    this.contributionOrder.push({ t: c.t, setlId });
    // Expire from the front with a moving head; compact only when the dead prefix is large, so
    // each settlement costs O(1) amortised.
    const horizon = c.t - (this.options.reversalHorizonMs ?? 3 * DAY_MS);
    const order = this.contributionOrder;
    while (this.contributionHead < order.length && order[this.contributionHead]!.t < horizon) {
      const old = order[this.contributionHead++]!;
      if (this.contributions.get(old.setlId)?.t === old.t) this.contributions.delete(old.setlId);
    }
    if (this.contributionHead > 65_536 && this.contributionHead * 2 > order.length) {
      order.splice(0, this.contributionHead);
      this.contributionHead = 0;
    }
  }

  /** Once an hour of event time, drops keys idle longer than the longest window. */
  private evictIdle(t: number): void {
    if (t - this.lastEviction < HOUR_MS) return;
    // Practitioners (2-hour idleness) hourly; persons and institutions (32 days) once an event
    // day: a full scan of millions of persons every hour cost 8% of the engine's time.
    const daily = Math.floor(t / DAY_MS) !== Math.floor(this.lastEviction / DAY_MS);
    this.lastEviction = t;
    const idle = this.options.idleEvictionMs ?? 32 * DAY_MS;
    const cutoff = t - idle;
    for (const [k, p] of this.practitioners) {
      if (p.lastSeen < t - 2 * HOUR_MS) {
        this.practitioners.delete(k);
        this.counters.evicted++;
      }
    }
    if (!daily) return;
    for (const [id, at] of this.readmissionsSeen)
      if (at < cutoff - 45 * DAY_MS) this.readmissionsSeen.delete(id);
    for (const [k, p] of this.persons) {
      if (p.lastSeen < cutoff) {
        this.persons.delete(k);
        this.counters.evicted++;
      }
    }
    // Two days beyond the split-admission window: its reads may wait that long for the person stage.
    const admissionsBefore = t - SPLIT_WINDOW_MS - 2 * DAY_MS;
    for (const [k, w] of this.institutions) {
      if (w.lastSeen < cutoff) {
        this.institutions.delete(k);
        this.counters.evicted++;
        continue;
      }
      w.admissionTimes?.expireBefore(admissionsBefore);
      w.readmissionTimes?.expireBefore(admissionsBefore);
    }
  }

  stateSize(): {
    institutions: number;
    practitioners: number;
    persons: number;
    groups: number;
    contributions: number;
    pending_boundaries: number;
  } {
    return {
      institutions: this.institutions.size,
      practitioners: this.practitioners.size,
      persons: this.persons.size,
      groups: this.groups.size,
      contributions: this.contributions.size,
      pending_boundaries: this.scheduler.pending + this.readmissionChecks.pending,
    };
  }
}
