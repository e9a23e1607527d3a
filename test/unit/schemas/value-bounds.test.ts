/** Plausibility bounds (issue 16): amounts of 1e300 or 9e15 yuan passed; now refused, the bound in the message. */
import { describe, expect, it } from 'vitest';
import { createTopology } from '../../../processors/topology.ts';
import { compilePacks } from '../../../rules/packs/index.ts';
import type { MonitorEvent } from '../../../schemas/events.ts';
import { DEFAULT_VALUE_BOUNDS, implausible } from '../../../schemas/value-bounds.ts';
import { example, withFields } from './examples.ts';
import { TEST_KEY } from './support.ts';

const ITEM = {
  hilist_code: 'XJ01DCA011A001',
  list_type: '101',
  cnt: 2,
  pric: 31.45,
  det_item_fee_sumamt: 62.9,
  days_supply: 7,
};
const settlement = { ...example('set-0001'), items: [ITEM] } as unknown as MonitorEvent;
const B = DEFAULT_VALUE_BOUNDS;

describe('implausible', () => {
  it('the bound itself is in, anything above is out, naming the field, the value and the setting', () => {
    const at = (v: number) => implausible({ ...settlement, medfee_sumamt: v } as MonitorEvent, B);
    expect(at(10_000_000)).toBeUndefined();
    expect(at(9e15)).toEqual({
      path: 'settlement.medfee_sumamt',
      message:
        'settlement.medfee_sumamt: 9000000000000000 is implausible: expected at most 10000000 yuan (YIBAO_MAX_AMOUNT_YUAN)',
    });
    expect(at(1e300)?.message).toMatch(/^settlement.medfee_sumamt: 1e\+300 is implausible/);
  });

  it('item prices, counts and days of supply have their own bounds', () => {
    const item = (over: Record<string, unknown>) =>
      implausible({ ...settlement, items: [{ ...ITEM, ...over }] } as MonitorEvent, B)?.message;
    expect(item({ cnt: 10_001 })).toBe(
      'settlement.items[0].cnt: 10001 is implausible: expected at most 10000 units (YIBAO_MAX_ITEM_COUNT)',
    );
    expect(item({ days_supply: 367 })).toBe(
      'settlement.items[0].days_supply: 367 is implausible: expected at most 366 days (YIBAO_MAX_DAYS_SUPPLY)',
    );
    expect(item({ days_supply: 366 })).toBeUndefined();
    expect(implausible(settlement, { ...B, maxAmountYuan: 1 })?.path).toBe('settlement.medfee_sumamt');
  });

  it('of several fields over their bounds, the first in the record is named', () => {
    const big = 2e7;
    const path = (over: Record<string, unknown>) =>
      implausible({ ...settlement, ...over } as MonitorEvent, B)?.path;
    expect(path({ acct_pay: big, psn_cash_pay: big, items: [{ ...ITEM, pric: big }] })).toBe(
      'settlement.psn_cash_pay',
    );
    expect(path({ fund_pay_sumamt: big, medfee_sumamt: big })).toBe('settlement.medfee_sumamt');
    expect(path({ acct_pay: big, items: [{ ...ITEM, pric: big }] })).toBe('settlement.acct_pay');
    expect(path({ items: [ITEM, { ...ITEM, cnt: 10_001, det_item_fee_sumamt: big }] })).toBe(
      'settlement.items[1].det_item_fee_sumamt',
    );
    expect(
      path({
        items: [
          { ...ITEM, days_supply: 400 },
          { ...ITEM, pric: big },
        ],
      }),
    ).toBe('settlement.items[0].days_supply');
    expect(path({ items: [{ ...ITEM, days_supply: undefined }] })).toBeUndefined();
    expect(path({ items: undefined })).toBeUndefined();
  });

  it('claim audits and supervision decisions have their amount bounded; other records have none', () => {
    const audit = { ...example('aud-0001'), reduced_amount: 2e7 } as unknown as MonitorEvent;
    expect(implausible(audit, B)).toEqual({
      path: 'claim_audit.reduced_amount',
      message:
        'claim_audit.reduced_amount: 20000000 is implausible: expected at most 10000000 yuan (YIBAO_MAX_AMOUNT_YUAN)',
    });
    expect(implausible({ ...audit, reduced_amount: 1e7 } as MonitorEvent, B)).toBeUndefined();
    const decision = { ...example('sup-0001'), amount: 2e7 } as unknown as MonitorEvent;
    expect(implausible(decision, B)?.path).toBe('supervision.amount');
    expect(implausible({ ...decision, amount: undefined } as MonitorEvent, B)).toBeUndefined();
    expect(
      implausible(example('reg-0001') as unknown as MonitorEvent, { ...B, maxAmountYuan: 0 }),
    ).toBeUndefined();
  });

  it('a settlement of 1e300 yuan is a dead letter at ingest, not a sum', () => {
    const t = createTopology({ pseudonymKey: TEST_KEY, packs: compilePacks() });
    const out = t.process(
      JSON.stringify(withFields(example('set-0001'), { medfee_sumamt: 1e300, fund_pay_sumamt: 1 })),
    );
    expect(out).toMatchObject([{ kind: 'rejected', path: 'settlement.medfee_sumamt' }]);
    expect(t.counters.accepted).toBe(0);
  });
});
