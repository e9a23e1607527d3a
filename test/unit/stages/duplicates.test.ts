/**
 * Duplicates by event_id and by business key (issue 16): a re-sent record identical to the first
 * is dropped, even under a new event_id (a settlement's setl_id); one whose content differs is a
 * dead letter naming the fields that differ, and the first record is the one kept.
 */
import { describe, expect, it } from 'vitest';
import type { Rejected, TopologyOutput } from '../../../processors/outputs.ts';
import { createTopology } from '../../../processors/topology.ts';
import { compilePacks } from '../../../rules/packs/index.ts';
import { settlement } from '../../support/records.ts';

const t0 = Date.parse('2026-03-03T10:00:00+08:00');
const iso = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00');

function run(records: readonly Record<string, unknown>[]) {
  const topology = createTopology({ pseudonymKey: 'duplicates-test-key-0123456789', packs: compilePacks() });
  const out: TopologyOutput[] = [];
  for (const r of records) out.push(...topology.process(JSON.stringify(r)));
  out.push(...topology.finish());
  const alerts = out.filter((o) => o.kind === 'alert' && o.rule === 'practitioner_throughput');
  return {
    out,
    alerts,
    counters: topology.counters,
    rejected: out.filter((o): o is Rejected => o.kind === 'rejected'),
  };
}

/** 15 settlements by one physician within an hour (the rule needs 30). */
const hour = () =>
  Array.from({ length: 15 }, (_, i) =>
    settlement({
      inst: 'H51010700001',
      psn: `51010719650101${String(i).padStart(4, '0')}`,
      practitioner: 'D5101070000123',
      time: iso(t0 + i * 60_000),
    }),
  );

describe('re-sent settlements', () => {
  it('the same record twice (same event_id) counts once', () => {
    const once = hour();
    const r = run([...once, ...once]);
    expect(r.counters.duplicates).toBe(15);
    expect(r.rejected).toEqual([]);
  });

  it('re-sent under new event_ids (same setl_id, same content) counts once: 15 is not 30', () => {
    const once = hour();
    const resent = once.map((s, i) => ({ ...s, event_id: `resent-${i}` }));
    const r = run(once.flatMap((s, i) => [s, resent[i]!]));
    expect(r.counters.duplicates).toBe(15);
    expect(r.alerts).toEqual([]);
    expect(r.rejected).toEqual([]);
    // Without the business key the 30 settlements would raise the alert: the test can fail.
    const distinct = resent.map((s, i) => ({ ...s, setl_id: `other-${i}` }));
    expect(run(once.flatMap((s, i) => [s, distinct[i]!])).alerts).toHaveLength(1);
  });

  it('the same event_id with other amounts is a dead letter naming the fields; the first is kept', () => {
    const [first] = hour();
    const changed = { ...first!, fund_pay_sumamt: 999, medfee_sumamt: 1500 };
    const r = run([first!, changed]);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]!.path).toBe('event_id');
    expect(r.rejected[0]!.error).toBe(
      `event_id: ${JSON.stringify(first!.event_id)} is a conflicting duplicate: fund_pay_sumamt, medfee_sumamt differ from the first record with this event_id, which is kept: expected a re-sent record to be identical`,
    );
    expect(r.rejected[0]!.raw).not.toContain('510107196501010000'); // the person is a token
    expect(r.counters.rejected).toBe(1);
    expect(r.counters.duplicates).toBe(0);
  });

  it('the same setl_id under a new event_id with another time is a conflicting duplicate on setl_id', () => {
    const [first] = hour();
    const changed = {
      ...first!,
      event_id: 'new-id',
      occurred_at: iso(t0 + 7_000),
      setl_time: iso(t0 + 7_000),
    };
    const r = run([first!, changed]);
    expect(r.rejected.map((x) => x.path)).toEqual(['setl_id']);
    expect(r.rejected[0]!.error).toMatch(
      /^setl_id: ".*" is a conflicting duplicate: occurred_at, setl_time differ/,
    );
  });
});
