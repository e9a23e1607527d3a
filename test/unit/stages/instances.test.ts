/**
 * The stage split is real: the simulator's feed through the topology with one instance of each
 * stage, and with the keys spread over several instances (as Kafka partitions would spread them),
 * gives the same standings, level changes, chain statuses, alerts, inspection tasks, snapshots
 * and dead letters — from one source partition and from four interleaved ones. Also: the feed
 * sent twice, and reordered within the allowed lateness, changes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../../processors/simulator/simulate.ts';
import type { Instances } from '../../../processors/stages/in-memory.ts';
import { instanceOf } from '../../../processors/stages/keys.ts';
import { createTopology, type Origin } from '../../../processors/topology.ts';
import { compilePacks } from '../../../rules/packs/index.ts';
import { subjectKeyOf } from '../../support/kafka.ts';

const KEY = 'stage-instances-test-key-0123456789';
const packs = compilePacks();
let feed: string[] = [];

beforeAll(async () => {
  for await (const l of simulate({ seed: 11, days: 20, start: '2026-01-05', institutions: 150 }))
    feed.push(l);
  // A few malformed records, so dead letters are compared too.
  feed = feed.flatMap((l, i) => (i % 997 === 0 ? [l, l.slice(0, 30)] : [l]));
}, 120_000);

type Result = Record<string, string[]>;

/** Every output, by kind, as sorted canonical JSON lines: order across instances is free, content is not. */
function run(
  records: readonly { raw: string; origin?: Origin }[],
  instances?: Partial<Instances>,
  partitions = 0,
): Result & { counters: string[] } {
  const topology = createTopology({ pseudonymKey: KEY, packs, ...(instances && { instances }) });
  // The source's assignment, known before its first record (as Kafka's group join tells it).
  for (let p = 0; p < partitions; p++) topology.expectPartition(`events/${p}`);
  const outs = [];
  for (const r of records) outs.push(...topology.process(r.raw, r.origin));
  outs.push(...topology.finish());
  const byKind: Result = {};
  for (const o of outs) (byKind[o.kind] ??= []).push(JSON.stringify(o));
  for (const k of Object.keys(byKind)) byKind[k]!.sort();
  byKind.standings = topology.standings().map((s) => JSON.stringify(s));
  byKind.chains = topology.chains().map((c) => JSON.stringify(c));
  const c = topology.counters;
  return {
    ...byKind,
    counters: [JSON.stringify([c.accepted, c.duplicates, c.rejected, topology.state().late])],
  };
}

function expectSame(a: Result, b: Result): void {
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const k of Object.keys(a)) {
    expect(b[k]!.length, `${k}: count`).toBe(a[k]!.length);
    expect(b[k], k).toEqual(a[k]);
  }
}

describe('stage instances', () => {
  it('one instance per stage and several give the same outputs (one source partition)', () => {
    const records = feed.map((raw) => ({ raw }));
    const one = run(records);
    expect(one.level_change?.length).toBeGreaterThan(10);
    expect(one.alert?.length).toBeGreaterThan(10);
    expect(one.chain_change?.length).toBeGreaterThan(0);
    expect(one.rejected?.length).toBeGreaterThan(3);
    expectSame(one, run(records, { institution: 3, person: 2, chain: 2 }));
    expectSame(one, run(records, { institution: 4, person: 3, chain: 1 }));
  }, 300_000);

  it('the same holds with four source partitions interleaved (per-partition watermarks)', () => {
    // Records of one institution stay in one partition, as a keyed Kafka topic keeps them.
    const parts: string[][] = [[], [], [], []];
    for (const raw of feed) parts[instanceOf(subjectKeyOf(raw), 4)]!.push(raw);
    const records: { raw: string; origin: Origin }[] = [];
    // Round-robin in runs of uneven length: partitions drift apart in event time.
    const idx = [0, 0, 0, 0];
    for (let round = 0; records.length < feed.length; round++) {
      for (let p = 0; p < 4; p++) {
        const take = 1 + ((round * (p + 3)) % 7);
        for (let k = 0; k < take && idx[p]! < parts[p]!.length; k++)
          records.push({ raw: parts[p]![idx[p]!++]!, origin: { partition: `events/${p}` } });
      }
    }
    const one = run(records);
    expect(one.alert?.length).toBeGreaterThan(10);
    expectSame(one, run(records, { institution: 3, person: 2, chain: 2 }));
  }, 300_000);

  it('partitions read one after another (days apart in event time) are aligned: the same outputs', () => {
    const parts: string[][] = [[], [], [], []];
    for (const raw of feed) parts[instanceOf(subjectKeyOf(raw), 4)]!.push(raw);
    const interleaved: { raw: string; origin: Origin }[] = [];
    for (let i = 0; interleaved.length < feed.length; i++)
      for (let p = 0; p < 4; p++) {
        const raw = parts[p]![i];
        if (raw !== undefined) interleaved.push({ raw, origin: { partition: `events/${p}` } });
      }
    const sequential = parts.flatMap((list, p) =>
      list.map((raw) => ({ raw, origin: { partition: `events/${p}` } })),
    );
    const expected = run(interleaved, { institution: 2, person: 2, chain: 1 }, 4);
    const skewed = run(sequential, { institution: 2, person: 2, chain: 1 }, 4);
    // Evidence is the newest ten ids before the boundary among those kept; records applied up to
    // the alignment allowance (15 min) ahead can displace some, so alerts are compared without it.
    const withoutEvidence = (r: Result) => ({
      ...r,
      alert: (r.alert ?? []).map((l) => JSON.stringify({ ...JSON.parse(l), evidence: undefined })).sort(),
    });
    expect(JSON.parse(skewed.counters[0]!)[3]).toBe(0); // nothing late
    expectSame(withoutEvidence(expected), withoutEvidence(skewed));
  }, 300_000);

  it('the feed sent twice, and reordered within the allowed lateness, gives the same outputs', () => {
    const records = feed.map((raw) => ({ raw }));
    const once = run(records, { institution: 2, person: 2, chain: 1 });
    // Every record twice: the second copy a few records later.
    const twice: { raw: string }[] = [];
    feed.forEach((raw, i) => {
      twice.push({ raw });
      if (i >= 3) twice.push({ raw: feed[i - 3]! });
    });
    for (const raw of feed.slice(-3)) twice.push({ raw });
    const dup = run(twice, { institution: 2, person: 2, chain: 1 });
    const { counters: c1, rejected: r1, ...rest1 } = once;
    const { counters: c2, rejected: r2, ...rest2 } = dup;
    expectSame(rest1, rest2);
    expect(r2!.length).toBe(2 * r1!.length); // a malformed record is a dead letter each time it comes
    // Reordered: swap neighbours whose event times are within 30 s (half the lateness).
    const t = (raw: string) => Date.parse(/"occurred_at":"([^"]+)"/.exec(raw)?.[1] ?? '');
    const shuffled = [...feed];
    let swaps = 0;
    for (let i = 1; i < shuffled.length; i += 2) {
      const a = shuffled[i - 1]!;
      const b = shuffled[i]!;
      if (Math.abs(t(a) - t(b)) <= 30_000) {
        shuffled[i - 1] = b;
        shuffled[i] = a;
        swaps++;
      }
    }
    expect(swaps).toBeGreaterThan(1000);
    const reordered = run(
      shuffled.map((raw) => ({ raw })),
      { institution: 2, person: 2, chain: 1 },
    );
    const { counters: _c3, ...rest3 } = reordered;
    const { counters: _c1, ...all1 } = once;
    expectSame(all1, rest3);
  }, 300_000);
});
