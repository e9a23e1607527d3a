/**
 * Heap of the indicator windows at scale: N institutions and M persons of synthetic traffic
 * (one day, every person settling once or twice, a fifth of them with a drug line) through the
 * real IndicatorStore. Run with `node --expose-gc --import tsx test/bench/windows-memory.ts [institutions] [persons]`;
 * prints one JSON line. Used by test/unit/early-warning/memory.test.ts and `npm run bench`.
 *
 * With a third argument, `[institutions] [persons] [practitioners]`, it measures each kind of key
 * on its own, in phases of one day of event time, the retained heap taken after each:
 *   A. (first hour) every institution settles once (one new person each, no practitioner);
 *   C. (hours 1–22) the remaining persons settle once (every fourth twice), a fifth with a drug
 *      line, no practitioner;
 *   B. (hour 22–23) `practitioners` settlements, one per new practitioner, by the persons of A —
 *      last and within one hour, as practitioner windows are evicted after 2 idle hours.
 * Bytes per person = ΔC / new persons; per practitioner = ΔB / practitioners (includes one visit
 * more in a person's and an institution's windows); per institution = (ΔA − A's persons × bytes
 * per person) / institutions. Each visit also keeps a reversal record for 3 days (the store's
 * `contributions`), counted in the figure of the key whose phase made it.
 */

import { IndicatorStore } from '../../processors/indicators/store.ts';
import { compileThresholds } from '../../rules/early-warning/thresholds.ts';
import type { InstitutionEvent, SettlementEvent } from '../../schemas/events.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const institutions = Number(process.argv[2] ?? 100_000);
const persons = Number(process.argv[3] ?? 2_000_000);
const divisions = ['510104', '510107', '500237', '440104', '320102', '650102'];

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

const before = heap();
const store = new IndicatorStore({ allowedLatenessMs: 60_000, thresholds: compileThresholds() });
const codes: string[] = [];
for (let i = 0; i < institutions; i++) {
  const div = divisions[i % divisions.length]!;
  const pharmacy = i % 3 === 0;
  const code = `${pharmacy ? 'P' : 'H'}${div}${String(i).padStart(5, '0').slice(-5)}`;
  codes.push(code);
  const e: InstitutionEvent = {
    type: 'institution',
    event_id: `reg-${i}`,
    occurred_at: '2026-01-01T00:00:00+08:00',
    fixmedins_code: code,
    name: code,
    kind: pharmacy ? 'pharmacy' : 'clinic',
    inpatient: false,
    admdvs: div,
    agreement_start: '2015-01-01',
  };
  store.registerInstitution(e);
}
const start = Date.parse('2026-03-02T00:00:00+08:00');
if (process.argv[4] !== undefined) {
  phased(Number(process.argv[4]));
  process.exit(0);
}
const started = performance.now();
let events = 0;
for (let p = 0; p < persons; p++) {
  const visits = p % 4 === 0 ? 2 : 1;
  for (let v = 0; v < visits; v++) {
    const t = start + Math.floor((p / persons) * 86_400_000) + v * 20_000; // second visits 20 s later: within the allowed lateness
    const iso = new Date(t + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
    const inst = codes[(p * 7 + v * 13) % codes.length]!;
    const e: SettlementEvent = {
      type: 'settlement',
      event_id: `e${p}-${v}`,
      occurred_at: iso,
      setl_id: `s${p}-${v}`,
      mdtrt_id: `m${p}-${v}`,
      psn_no: `ps_${p.toString(36).padStart(22, '0')}`,
      fixmedins_code: inst,
      ...(p % 10 === 0 && {
        practitioner_code: `D${inst.slice(1, 7)}${String(p % 100_000).padStart(7, '0')}`,
      }),
      med_type: inst.startsWith('P') ? '41' : '11',
      begntime: iso,
      setl_time: iso,
      medfee_sumamt: 120,
      fund_pay_sumamt: 80,
      ...(p % 5 === 0 && {
        items: [
          {
            hilist_code: `X${p % 500}`,
            list_type: '101',
            cnt: 1,
            pric: 10,
            det_item_fee_sumamt: 10,
            days_supply: 7,
          },
        ],
      }),
    };
    store.applySettlement(e);
    events++;
    if (events % 50_000 === 0) store.evaluateDue();
  }
}
store.evaluateDue();
const seconds = (performance.now() - started) / 1000;
const after = heap();
const size = store.stateSize();
process.stdout.write(
  `${JSON.stringify({
    institutions,
    persons,
    events,
    heap_mib: Math.round(((after - before) / 1048576) * 10) / 10,
    bytes_per_person: Math.round((after - before) / persons),
    events_per_s: Math.round(events / seconds),
    state: size,
    counters: store.counters,
    node: process.version,
  })}\n`,
);

function settlement(
  t: number,
  id: string,
  psn: number,
  inst: string,
  practitioner?: string,
  drug = false,
): SettlementEvent {
  const iso = new Date(t + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
  return {
    type: 'settlement',
    event_id: `e${id}`,
    occurred_at: iso,
    setl_id: `s${id}`,
    mdtrt_id: `m${id}`,
    psn_no: `ps_${psn.toString(36).padStart(22, '0')}`,
    fixmedins_code: inst,
    ...(practitioner !== undefined && { practitioner_code: practitioner }),
    med_type: inst.startsWith('P') ? '41' : '11',
    begntime: iso,
    setl_time: iso,
    medfee_sumamt: 120,
    fund_pay_sumamt: 80,
    ...(drug && {
      items: [
        {
          hilist_code: `X${psn % 500}`,
          list_type: '101',
          cnt: 1,
          pric: 10,
          det_item_fee_sumamt: 10,
          days_supply: 7,
        },
      ],
    }),
  };
}

function phased(practitioners: number): void {
  const started = performance.now();
  const heaps: number[] = [heap()];
  let events = 0;
  const HOUR = 3_600_000;
  const at = (fromHour: number, hours: number, i: number, n: number) =>
    start + fromHour * HOUR + Math.floor((i / Math.max(1, n)) * hours * HOUR);
  const apply = (e: SettlementEvent) => {
    store.applySettlement(e);
    events++;
    if (events % 50_000 === 0) store.evaluateDue();
  };
  // A: one settlement per institution, each by a new person
  for (let i = 0; i < institutions; i++) apply(settlement(at(0, 1, i, institutions), `a${i}`, i, codes[i]!));
  store.evaluateDue();
  heaps.push(heap());
  // C: the other persons, once (every fourth twice, 20 s later)
  const newPersons = Math.max(0, persons - institutions);
  for (let q = 0; q < newPersons; q++) {
    const p = institutions + q;
    const visits = q % 4 === 0 ? 2 : 1;
    const t = at(1, 21, q, newPersons);
    for (let v = 0; v < visits; v++) {
      apply(
        settlement(
          t + v * 20_000,
          `c${q}-${v}`,
          p,
          codes[(q * 7 + v * 13) % codes.length]!,
          undefined,
          q % 5 === 0,
        ),
      );
    }
  }
  store.evaluateDue();
  heaps.push(heap());
  // B: one settlement per practitioner, by the persons of A, within one hour
  for (let d = 0; d < practitioners; d++) {
    const inst = codes[d % codes.length]!;
    apply(
      settlement(
        at(22, 1, d, practitioners),
        `b${d}`,
        d % institutions,
        inst,
        `D${inst.slice(1, 7)}${String(d).padStart(8, '0')}`,
      ),
    );
  }
  store.evaluateDue();
  heaps.push(heap());
  const seconds = (performance.now() - started) / 1000;
  const [h0, hA, hC, hB] = heaps as [number, number, number, number];
  const perPerson = (hC - hA) / Math.max(1, newPersons);
  const perPractitioner = (hB - hC) / Math.max(1, practitioners);
  const perInstitution = (hA - h0 - institutions * perPerson) / institutions;
  process.stdout.write(
    `${JSON.stringify({
      institutions,
      practitioners,
      persons,
      events,
      heap_mib: Math.round(((hB - before) / 1048576) * 10) / 10,
      heap_phases_mib: heaps.map((h) => Math.round(((h - before) / 1048576) * 10) / 10),
      bytes_per_institution: Math.round(perInstitution),
      bytes_per_practitioner: Math.round(perPractitioner),
      bytes_per_person: Math.round(perPerson),
      events_per_s: Math.round(events / seconds),
      state: store.stateSize(),
      counters: store.counters,
      node: process.version,
    })}\n`,
  );
}
