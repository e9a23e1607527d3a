/** Every simulated record is a valid input record of EVENTS.md, in stream order. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulation } from '../../../processors/simulator/simulate.ts';
import { createDecoder } from '../../../schemas/decode.ts';
import type { MonitorEvent, SettlementEvent } from '../../../schemas/events.ts';
import { isValidUscc } from '../../../schemas/primitives.ts';

const toFen = (yuan: number) => Math.round(yuan * 100);

describe('simulated records against the input contract', () => {
  let lines: string[] = [];
  let records: MonitorEvent[] = [];

  beforeAll(() => {
    const sim = createSimulation({ seed: 7, days: 3, institutions: 150, eventsPerDay: 1500 });
    lines = [...sim.lines()];
    records = lines.map((l) => JSON.parse(l) as MonitorEvent);
  });

  it('a 3-day run is a few thousand records, of every record type', () => {
    expect(lines.length).toBeGreaterThan(3000);
    expect(new Set(records.map((r) => r.type))).toEqual(
      new Set([
        'institution',
        'practitioner',
        'settlement',
        'settlement_reversal',
        'claim_audit',
        'supervision',
      ]),
    );
  });

  it('createDecoder accepts every record: zero rejections', () => {
    const decode = createDecoder({ pseudonymKey: 'simulator-test-key-0123456789' });
    const rejected = lines.map((l) => decode(l)).filter((r) => !r.ok);
    expect(rejected).toEqual([]);
  });

  it('registry records come first: institutions, then practitioners', () => {
    const firstOther = records.findIndex((r) => r.type !== 'institution' && r.type !== 'practitioner');
    const lastRegistry = records
      .map((r) => r.type === 'institution' || r.type === 'practitioner')
      .lastIndexOf(true);
    expect(lastRegistry).toBeLessThan(firstOther);
    const lastInstitution = records.map((r) => r.type === 'institution').lastIndexOf(true);
    const firstPractitioner = records.findIndex((r) => r.type === 'practitioner');
    expect(lastInstitution).toBeLessThan(firstPractitioner);
  });

  it('the stream is sorted by occurred_at, ties by event_id, and event_ids are unique', () => {
    const unordered: string[] = [];
    for (let i = 1; i < records.length; i++) {
      const a = records[i - 1]!;
      const b = records[i]!;
      const ta = Date.parse(a.occurred_at);
      const tb = Date.parse(b.occurred_at);
      if (!(ta < tb || (ta === tb && a.event_id < b.event_id)))
        unordered.push(`${a.event_id} before ${b.event_id}`);
    }
    expect(unordered).toEqual([]);
    expect(new Set(records.map((r) => r.event_id)).size).toBe(records.length);
  });

  it('every timestamp is RFC 3339 with +08:00', () => {
    const stamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/;
    const stamps = records.flatMap((r) =>
      r.type === 'settlement'
        ? [r.occurred_at, r.begntime, r.setl_time, r.endtime ?? r.setl_time]
        : [r.occurred_at],
    );
    expect(stamps.filter((s) => !stamp.test(s))).toEqual([]);
  });

  it('fee lines sum to medfee_sumamt, pric × cnt = det_item_fee_sumamt, and the payers sum to it too', () => {
    const settlements = records.filter((r): r is SettlementEvent => r.type === 'settlement');
    const wrong = settlements.filter((s) => {
      const items = s.items ?? [];
      const paid = toFen(s.fund_pay_sumamt) + toFen(s.psn_cash_pay ?? 0) + toFen(s.acct_pay ?? 0);
      return (
        items.length === 0 ||
        items.some((i) => toFen(i.pric) * i.cnt !== toFen(i.det_item_fee_sumamt)) ||
        items.reduce((sum, i) => sum + toFen(i.det_item_fee_sumamt), 0) !== toFen(s.medfee_sumamt) ||
        paid !== toFen(s.medfee_sumamt)
      );
    });
    expect(wrong).toEqual([]);
    expect(settlements.length).toBeGreaterThan(3000);
  });

  it('codes have their documented shapes: USCC check characters, 14-char practitioner codes, psn_no from the division', () => {
    const admdvsOf = new Map<string, string>();
    for (const r of records) {
      if (r.type === 'institution') {
        if (r.uscc !== undefined) expect(isValidUscc(r.uscc), r.uscc).toBe(true);
        expect(r.fixmedins_code.slice(1, 7)).toBe(r.admdvs);
        admdvsOf.set(r.fixmedins_code, r.admdvs);
      }
      if (r.type === 'practitioner') {
        expect(r.practitioner_code).toMatch(/^(D|N|HY|HJ)\d+$/);
        expect(r.practitioner_code).toHaveLength(14);
        expect(r.practitioner_code.replace(/^(D|N|HY|HJ)/, '').slice(0, 6)).toBe(
          admdvsOf.get(r.fixmedins_code),
        );
      }
      if (r.type === 'settlement') {
        expect(r.psn_no).toMatch(/^\d{6}(19|20)\d{6}\d{6,}$/);
        expect(r.psn_no.length).toBeLessThanOrEqual(30);
      }
    }
  });

  it('village clinics name a managing institution registered before them', () => {
    const seen = new Set<string>();
    let villages = 0;
    for (const r of records) {
      if (r.type !== 'institution') continue;
      if (r.kind === 'village_clinic') {
        villages++;
        expect(r.parent_code !== undefined && seen.has(r.parent_code)).toBe(true);
      }
      seen.add(r.fixmedins_code);
    }
    expect(villages).toBeGreaterThan(0);
  });
});
