/**
 * An independent, brute-force reading of the pattern definitions over a simulated run,
 * to check that injected subjects are above the thresholds and everything else clearly below.
 * Written from the definitions, not from the simulator's code; slow and simple on purpose.
 */
import type {
  ClaimAuditEvent,
  InstitutionEvent,
  MonitorEvent,
  SettlementEvent,
} from '../../../schemas/events.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CHINA = 8 * HOUR;
const chinaDay = (ms: number) => Math.floor((ms + CHINA) / DAY);
const chinaHour = (ms: number) => Math.floor(((ms + CHINA) % DAY) / HOUR);
export const isNight = (ms: number) => chinaHour(ms) >= 22 || chinaHour(ms) < 6;

export type Indicators = {
  /** Institution → most readmissions (≤ 15 days after discharge, same person and ICD-10 category) in 30 days. */
  readonly readmissions: Map<string, number>;
  /** Person → longest overlap in hours of stays at two different institutions. */
  readonly overlapHours: Map<string, number>;
  /** Person → most distinct institutions in one China day. */
  readonly institutionsPerDay: Map<string, number>;
  /** Pharmacy → most purchases by one person in one day. */
  readonly purchasesPerPersonDay: Map<string, number>;
  /** Person → most days of supply of one hilist_code within 30 days. */
  readonly daysSupply30: Map<string, number>;
  /** Institution → [night share, settlements] of its 7-day window with the highest night share (≥ 50 settlements). */
  readonly nightShare: Map<string, [number, number]>;
  /** Night share of all settlements. */
  readonly overallNightShare: number;
  /** Institution → [largest 24 h fund ÷ trailing 7-day daily mean, that 24 h fund] (24 h ≥ 1万, ≥ 3 baseline days). */
  readonly spike: Map<string, [number, number]>;
  /** Institution → fund per visit over the last 30 days ÷ its peers' (≥ 30 visits, ≥ 3 peers). */
  readonly peerRatio: Map<string, number>;
  /** Institution → 30-day audit reductions ÷ 30-day fund (fund ≥ 1万), last 30 days. */
  readonly reductionRate: Map<string, number>;
  /** Practitioner → most settlements within one hour. */
  readonly perHour: Map<string, number>;
};

function maxInWindow(times: number[], width: number): number {
  times.sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi]! - times[lo]! >= width) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

const setMax = (m: Map<string, number>, k: string, v: number) => m.set(k, Math.max(m.get(k) ?? 0, v));

export function indicators(records: Iterable<MonitorEvent>): Indicators {
  const institutions = new Map<string, InstitutionEvent>();
  const settlements: SettlementEvent[] = [];
  const audits: ClaimAuditEvent[] = [];
  for (const r of records) {
    if (r.type === 'institution') institutions.set(r.fixmedins_code, r);
    else if (r.type === 'settlement') settlements.push(r);
    else if (r.type === 'claim_audit') audits.push(r);
  }
  const times = new Map<SettlementEvent, number>();
  for (const s of settlements) times.set(s, Date.parse(s.setl_time));
  const t = (s: SettlementEvent) => times.get(s)!;
  const end = settlements.reduce((m, s) => Math.max(m, t(s)), 0);

  // Stays by person.
  const stays = new Map<string, SettlementEvent[]>();
  for (const s of settlements) if (s.med_type.startsWith('2')) push(stays, s.psn_no, s);
  const readmitTimes = new Map<string, number[]>();
  const overlapHours = new Map<string, number>();
  for (const [psn, list] of stays) {
    list.sort((a, b) => Date.parse(a.begntime) - Date.parse(b.begntime));
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i]!;
        const b = list[j]!;
        const gap = Date.parse(b.begntime) - Date.parse(a.endtime!);
        if (
          a.fixmedins_code === b.fixmedins_code &&
          a.dise_codg?.slice(0, 3) === b.dise_codg?.slice(0, 3) &&
          gap >= 0 &&
          gap <= 15 * DAY
        ) {
          push(readmitTimes, a.fixmedins_code, Date.parse(b.begntime));
        }
        if (a.fixmedins_code !== b.fixmedins_code) {
          const overlap = Math.min(Date.parse(a.endtime!), Date.parse(b.endtime!)) - Date.parse(b.begntime);
          if (overlap > 0) setMax(overlapHours, psn, overlap / HOUR);
        }
      }
    }
  }
  const readmissions = new Map<string, number>();
  for (const [code, times] of readmitTimes) readmissions.set(code, maxInWindow(times, 30 * DAY));

  const perDay = new Map<string, Set<string>>();
  const purchases = new Map<string, number>();
  const supply = new Map<string, number[][]>();
  const practitionerTimes = new Map<string, number[]>();
  const byInst = new Map<string, SettlementEvent[]>();
  let nights = 0;
  for (const s of settlements) {
    const ms = t(s);
    const dayKey = `${s.psn_no}|${chinaDay(ms)}`;
    const seen = perDay.get(dayKey) ?? new Set<string>();
    seen.add(s.fixmedins_code);
    perDay.set(dayKey, seen);
    if (institutions.get(s.fixmedins_code)?.kind === 'pharmacy') {
      const k = `${s.fixmedins_code}|${s.psn_no}|${chinaDay(ms)}`;
      purchases.set(k, (purchases.get(k) ?? 0) + 1);
    }
    for (const item of s.items ?? []) {
      if (item.days_supply !== undefined)
        push(supply, `${s.psn_no}|${item.hilist_code}`, [ms, item.days_supply]);
    }
    if (s.practitioner_code !== undefined) push(practitionerTimes, s.practitioner_code, ms);
    push(byInst, s.fixmedins_code, s);
    if (isNight(ms)) nights++;
  }
  const institutionsPerDay = new Map<string, number>();
  for (const [k, set] of perDay) setMax(institutionsPerDay, k.split('|')[0]!, set.size);
  const purchasesPerPersonDay = new Map<string, number>();
  for (const [k, n] of purchases) setMax(purchasesPerPersonDay, k.split('|')[0]!, n);
  const daysSupply30 = new Map<string, number>();
  for (const [k, list] of supply) {
    list.sort((a, b) => a[0]! - b[0]!);
    let lo = 0;
    let sum = 0;
    for (let hi = 0; hi < list.length; hi++) {
      sum += list[hi]![1]!;
      while (list[hi]![0]! - list[lo]![0]! >= 30 * DAY) sum -= list[lo++]![1]!;
      setMax(daysSupply30, k.split('|')[0]!, sum);
    }
  }
  const perHour = new Map<string, number>();
  for (const [code, times] of practitionerTimes) perHour.set(code, maxInWindow(times, HOUR));

  const nightShare = new Map<string, [number, number]>();
  const spike = new Map<string, [number, number]>();
  const firstDay = chinaDay(settlements.reduce((m, s) => Math.min(m, t(s)), Number.POSITIVE_INFINITY));
  const lastDay = chinaDay(end);
  for (const [code, list] of byInst) {
    const days = new Map<number, [number, number]>();
    const hourly = new Map<number, number>();
    for (const s of list) {
      const ms = t(s);
      const d = days.get(chinaDay(ms)) ?? [0, 0];
      d[0]++;
      if (isNight(ms)) d[1]++;
      days.set(chinaDay(ms), d);
      const h = Math.floor(ms / HOUR);
      hourly.set(h, (hourly.get(h) ?? 0) + Math.round(s.fund_pay_sumamt * 100));
    }
    for (let d = firstDay; d + 6 <= lastDay; d++) {
      let n = 0;
      let night = 0;
      for (let k = d; k < d + 7; k++) {
        n += days.get(k)?.[0] ?? 0;
        night += days.get(k)?.[1] ?? 0;
      }
      if (n >= 50 && night / n > (nightShare.get(code)?.[0] ?? -1)) nightShare.set(code, [night / n, n]);
    }
    const firstHour = Math.floor(list.reduce((m, s) => Math.min(m, t(s)), Number.POSITIVE_INFINITY) / HOUR);
    const lastHour = Math.floor(end / HOUR);
    // prefix[i]: fund (fen) of the hours before firstHour + i.
    const prefix = new Float64Array(lastHour - firstHour + 2);
    for (let h = firstHour; h <= lastHour; h++)
      prefix[h - firstHour + 1] = prefix[h - firstHour]! + (hourly.get(h) ?? 0);
    const sum = (from: number, to: number) => prefix[to - firstHour]! - prefix[from - firstHour]!;
    let best: [number, number] = [0, 0];
    for (let h = firstHour + 3 * 24 + 23; h <= lastHour; h++) {
      const window = sum(h - 23, h + 1);
      if (window < 1_000_000) continue;
      const baseFrom = Math.max(firstHour, h - 23 - 7 * 24);
      const baseDays = (h - 23 - baseFrom) / 24;
      const mean = sum(baseFrom, h - 23) / baseDays;
      const ratio = mean > 0 ? window / mean : Number.POSITIVE_INFINITY;
      if (ratio > best[0]) best = [ratio, window / 100];
    }
    if (best[1] > 0) spike.set(code, best);
  }

  // 30-day windows ending with the run.
  const from = end - 30 * DAY;
  const fund = new Map<string, [number, number]>();
  for (const s of settlements) {
    if (t(s) <= from) continue;
    const f = fund.get(s.fixmedins_code) ?? [0, 0];
    f[0] += s.fund_pay_sumamt;
    f[1]++;
    fund.set(s.fixmedins_code, f);
  }
  const group = (i: InstitutionEvent) => `${i.kind}|${i.level ?? '-'}|${i.admdvs.slice(0, 4)}`;
  const peerRatio = new Map<string, number>();
  for (const [code, [f, n]] of fund) {
    const me = institutions.get(code)!;
    if (n < 30) continue;
    let pf = 0;
    let pn = 0;
    let peers = 0;
    for (const [other, [of, on]] of fund) {
      if (other === code || group(institutions.get(other)!) !== group(me)) continue;
      pf += of;
      pn += on;
      peers++;
    }
    if (peers >= 3 && pn > 0) peerRatio.set(code, f / n / (pf / pn));
  }
  const reduced = new Map<string, number>();
  for (const a of audits) {
    if (Date.parse(a.occurred_at) > from)
      reduced.set(a.fixmedins_code, (reduced.get(a.fixmedins_code) ?? 0) + a.reduced_amount);
  }
  const reductionRate = new Map<string, number>();
  for (const [code, [f]] of fund) if (f >= 10_000) reductionRate.set(code, (reduced.get(code) ?? 0) / f);

  return {
    readmissions,
    overlapHours,
    institutionsPerDay,
    purchasesPerPersonDay,
    daysSupply30,
    nightShare,
    overallNightShare: nights / settlements.length,
    spike,
    peerRatio,
    reductionRate,
    perHour,
  };
}

/** Largest value of a map, leaving out some keys (the injected subjects). */
export function maxExcept<V>(
  m: Map<string, V>,
  except: ReadonlySet<string>,
  pick: (v: V) => number,
): [string, number] {
  let best: [string, number] = ['', 0];
  for (const [k, v] of m) if (!except.has(k) && pick(v) > best[1]) best = [k, pick(v)];
  return best;
}
