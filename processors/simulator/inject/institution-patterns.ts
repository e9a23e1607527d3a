/**
 * Patterns of one institution or practitioner (ARCHITECTURE.md's institution stage): night-time
 * settlements, a one-day fund spike, prices far above peers, a high audit reduction rate, and a
 * practitioner settling faster than anyone can treat.
 */
import { INPATIENT_DIAGNOSES, OUTPATIENT_DIAGNOSES } from '../catalog.ts';
import { trailingMeanFen } from '../day.ts';
import type { Person } from '../persons.ts';
import type { SimInstitution } from '../population.ts';
import { inpatient, outpatient, stayEnding } from '../settlements.ts';
import { DAY, HOUR, MINUTE } from '../time.ts';
import { drawPerson } from '../traffic.ts';
import { type PlanBuilder, physicianOf, visit } from './builder.ts';

/** 夜间结算: a clinic whose settlements are mostly at night for a week (1.6 × its day count, ≥ 12 a night). */
export function offHoursShare(b: PlanBuilder): void {
  if (b.days < 7) return;
  const name = 'off_hours_share';
  const clinic = b.take(name, (i) => i.kind === 'clinic' && i.division.jurisdiction === 'guangdong');
  const week = b.dayAt(0.4, 0, 6);
  for (let d = week; d < week + 7; d++) {
    b.at(d, name, (ctx) => {
      const add = Math.max(Math.ceil(1.6 * ctx.day.count[clinic.index]!), 12);
      for (let k = 0; k < add; k++) {
        const night = ctx.rng.chance(0.5)
          ? ctx.rng.int(0, 6 * 3600 - 1)
          : 22 * 3600 + ctx.rng.int(0, 2 * 3600 - 1);
        const person = drawPerson(ctx.world, clinic.divisionIndex, ctx.rng);
        const v = visit(
          ctx,
          clinic,
          person,
          physicianOf(ctx.world, clinic, ctx.rng),
          ctx.day.ms + night * 1000,
        );
        // Small bills (about a quarter of a normal visit): registrations, not treatment.
        ctx.day.events.push(outpatient(v, ctx.rng.pick(OUTPATIENT_DIAGNOSES), 0.25));
      }
    });
  }
  b.label({
    rule: name,
    subject_kind: 'institution',
    subject_code: clinic.code,
    from: b.dayMs(week),
    to: b.dayMs(week + 7) - 1000,
    detail: {
      night_share_at_least: 0.6,
      settlements_at_least: 84,
      window: '7 days, 22:00–06:00 China time',
      threshold: '≥ 30% of a week’s settlements at night and ≥ 3 × the peers’ share',
    },
  });
}

/** 基金陡增: one day with 7 × the trailing 7-day mean fund (and ≥ 2.5万), in 10:00–12:40. */
export function amountSpike(b: PlanBuilder): void {
  if (b.days < 9) return;
  const name = 'amount_spike';
  const hospital = b.take(
    name,
    (i) => i.kind === 'hospital' && i.level === 2 && i.division.jurisdiction === 'jiangsu',
  );
  const day = b.dayAt(0.7, 8);
  const persons: Person[] = Array.from({ length: 40 }, () => b.reserve.take(hospital.divisionIndex));
  const surgical = INPATIENT_DIAGNOSES.filter((d) => d.surgical && d.minLevel <= 2);
  const from = b.dayMs(day) + 10 * HOUR;
  b.at(day, name, (ctx) => {
    const targetFen = Math.max(7 * trailingMeanFen(ctx.state, hospital.index), 2_500_000);
    // About 20 discharges: each bill sized so that they reach the target together.
    const factor = Math.min(20, Math.max(1.5, targetFen / 20 / 770_000));
    let sum = 0;
    for (let k = 0; k < persons.length && sum < targetFen; k++) {
      const dischargeMs = from + k * 4 * MINUTE;
      const stay = stayEnding(ctx.rng, dischargeMs, ctx.rng.int(3, 8), ctx.day.ms);
      const v = visit(ctx, hospital, persons[k]!, physicianOf(ctx.world, hospital, ctx.rng), dischargeMs);
      const s = inpatient(v, ctx.rng.pick(surgical), stay, factor);
      sum += s.fundFen;
      ctx.day.events.push(s);
    }
  });
  b.label({
    rule: name,
    subject_kind: 'institution',
    subject_code: hospital.code,
    from,
    to: from + 160 * MINUTE,
    detail: {
      ratio_at_least: 7,
      fund_at_least_yuan: 25_000,
      threshold: '24-hour fund ≥ 3 × the trailing 7-day daily mean and ≥ 1万',
    },
  });
}

function peerGroup(b: PlanBuilder, inst: SimInstitution): SimInstitution[] {
  const prefix = inst.division.admdvs.slice(0, 4);
  return b.world.institutions.filter(
    (i) =>
      i.code !== inst.code &&
      i.kind === inst.kind &&
      i.level === inst.level &&
      i.division.admdvs.startsWith(prefix),
  );
}

/** 次均费用异常: a 成都 clinic charging 6 × its own prices for the whole run. */
export function peerOutlier(b: PlanBuilder): void {
  if (b.days < 7) return;
  const name = 'peer_outlier';
  const clinic = b.take(name, (i) => i.kind === 'clinic' && i.division.admdvs.startsWith('5101'));
  const factor = 6;
  b.priceFactor.set(clinic.index, factor);
  b.label({
    rule: name,
    subject_kind: 'institution',
    subject_code: clinic.code,
    from: b.dayMs(0),
    to: b.dayMs(b.days) - 1000,
    detail: {
      price_factor: factor,
      peer_group: { kind: clinic.kind, level: null, division_prefix: clinic.division.admdvs.slice(0, 4) },
      peers: peerGroup(b, clinic).length,
      threshold:
        'fund per visit over 30 days ≥ 2.5 × the peers’ (same kind, level, 4-digit division; ≥ 30 visits)',
    },
  });
}

/** 审减率偏高: every settlement of a hospital audited and reduced by 30% of its fund, for the last 30 days. */
export function claimReductionRate(b: PlanBuilder): void {
  if (b.days < 10) return;
  const name = 'claim_reduction_rate';
  const hospital = b.take(
    name,
    (i) =>
      i.kind === 'hospital' &&
      i.level === 1 &&
      i.division.jurisdiction !== null &&
      i.division.jurisdiction !== 'chongqing-wushan',
  );
  const fromDay = Math.max(0, b.days - 30);
  b.auditShare.set(hospital.index, { fromDay, share: 0.3 });
  b.label({
    rule: name,
    subject_kind: 'institution',
    subject_code: hospital.code,
    from: b.dayMs(fromDay) + DAY,
    to: b.dayMs(b.days) - 1000,
    detail: {
      reduced_share_of_fund: 0.3,
      audits: 'every settlement from the start of the window, one day later',
      threshold: '30-day audit reductions ≥ 10% of 30-day fund payments (fund ≥ 1万)',
    },
  });
}

/** 医师超负荷: 50 settlements by one physician of a tertiary hospital in 50 minutes. */
export function practitionerThroughput(b: PlanBuilder): void {
  const name = 'practitioner_throughput';
  const hospital = b.take(
    name,
    (i) => i.kind === 'hospital' && i.level === 3 && i.division.jurisdiction === 'guangdong',
  );
  const physician = b.rng.pick(b.world.staff.settling[hospital.index]!);
  b.excluded.add(physician);
  const day = b.dayAt(0.45);
  const from = b.dayMs(day) + 14 * HOUR;
  b.at(day, name, (ctx) => {
    for (let k = 0; k < 50; k++) {
      const person = drawPerson(ctx.world, hospital.divisionIndex, ctx.rng);
      const v = visit(ctx, hospital, person, physician, from + k * MINUTE + ctx.rng.int(0, 20) * 1000);
      ctx.day.events.push(outpatient(v, ctx.rng.pick(OUTPATIENT_DIAGNOSES)));
    }
  });
  b.label({
    rule: name,
    subject_kind: 'practitioner',
    subject_code: physician,
    from,
    to: from + 50 * MINUTE,
    detail: {
      institution: hospital.code,
      settlements: 50,
      window_minutes: 50,
      threshold: '≥ 30 settlements within one hour',
    },
  });
}
