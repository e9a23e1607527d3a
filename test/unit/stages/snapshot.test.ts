/**
 * Stage snapshots (processors/stages/snapshot.ts): a topology stopped mid-feed, its stage states
 * written to bytes and restored into a new topology (a new process: new hand-over, packs compiled
 * again), goes on to exactly the outputs of an uninterrupted run — every level change, alert,
 * inspection task, chain change, standing and chain status, and the same final state. A snapshot taken under another
 * layout is refused, not misread.
 */
import { createHash } from 'node:crypto';
import { deserialize } from 'node:v8';
import { beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../../processors/simulator/simulate.ts';
import type { Instances } from '../../../processors/stages/in-memory.ts';
import type { StageName } from '../../../processors/stages/messages.ts';
import { createTopology, type Topology } from '../../../processors/topology.ts';
import { compilePacks } from '../../../rules/packs/index.ts';

const KEY = 'stage-snapshot-test-key-0123456789';
let feed: string[] = [];

beforeAll(async () => {
  for await (const l of simulate({ seed: 23, days: 20, start: '2026-01-05', institutions: 150 }))
    feed.push(l);
  feed = feed.flatMap((l, i) => (i % 997 === 0 ? [l, l.slice(0, 30)] : [l]));
}, 120_000);

type Result = Record<string, string[]>;

/**
 * Outputs by kind (sorted canonical JSON), standings, chain statuses, and the final state of
 * every instance as a digest of its content: person-side patterns are rare in a 20-day feed, so the state
 * itself is compared too — a restored run must end byte for byte where an uninterrupted one does.
 */
function collect(outs: readonly { kind: string }[], topology: Topology): Result {
  const byKind: Result = {};
  for (const o of outs) (byKind[o.kind] ??= []).push(JSON.stringify(o));
  for (const k of Object.keys(byKind)) byKind[k]!.sort();
  byKind.standings = topology.standings().map((s) => JSON.stringify(s));
  byKind.chains = topology.chains().map((c) => JSON.stringify(c));
  for (const [stage, states] of Object.entries(topology.snapshot()))
    byKind[`state:${stage}`] = states.map(canonicalDigest);
  return byKind;
}

/**
 * A digest of what a state holds, not of how v8 wrote it: the same tree can serialise to other
 * bytes (a whole number kept as a double after JIT-compiled arithmetic, as a small integer
 * otherwise). Objects in key order, Maps and Sets in iteration order, numbers by value (−0 kept
 * apart), shared objects by the path they were first met at.
 */
function canonicalDigest(bytes: Uint8Array): string {
  const hash = createHash('sha256');
  const first = new Map<object, number>();
  const put = (s: string): void => {
    hash.update(s).update('\u0000');
  };
  const visit = (v: unknown): void => {
    if (typeof v !== 'object' || v === null) {
      put(`${typeof v}:${Object.is(v, -0) ? '-0' : String(v)}`);
      return;
    }
    const seen = first.get(v);
    if (seen !== undefined) {
      put(`ref:${seen}`);
      return;
    }
    first.set(v, first.size);
    if (ArrayBuffer.isView(v))
      put(`bytes:${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`);
    else if (v instanceof String) put(`string-object:${String(v)}`);
    else if (v instanceof Map) {
      put(`map:${v.size}`);
      for (const [k, x] of v) {
        visit(k);
        visit(x);
      }
    } else if (v instanceof Set) {
      put(`set:${v.size}`);
      for (const x of v) visit(x);
    } else {
      const keys = Object.keys(v);
      put(`${Array.isArray(v) ? 'array' : 'object'}:${keys.join(',')}`);
      for (const k of keys) visit((v as Record<string, unknown>)[k]);
    }
  };
  visit(deserialize(bytes));
  return hash.digest('hex');
}

function uninterrupted(instances: Partial<Instances>): Result {
  const t = createTopology({ pseudonymKey: KEY, packs: compilePacks(), instances });
  const outs = feed.flatMap((raw) => t.process(raw));
  outs.push(...t.finish());
  return collect(outs, t);
}

/** The feed up to `at`, a snapshot, then a new topology restored from it for the rest. */
function interrupted(instances: Partial<Instances>, at: number): { result: Result; bytes: number } {
  const first = createTopology({ pseudonymKey: KEY, packs: compilePacks(), instances });
  const outs = feed.slice(0, at).flatMap((raw) => first.process(raw));
  const snapshot = first.snapshot();
  // The first topology going on must not touch the snapshot (no state shared with the bytes).
  for (const raw of feed.slice(at, at + 500)) first.process(raw);
  const second = createTopology({ pseudonymKey: KEY, packs: compilePacks(), instances, restore: snapshot });
  for (const raw of feed.slice(at)) outs.push(...second.process(raw));
  outs.push(...second.finish());
  const bytes = Object.values(snapshot)
    .flat()
    .reduce((n, b) => n + b.length, 0);
  return { result: collect(outs, second), bytes };
}

function expectSame(a: Result, b: Result): void {
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const k of Object.keys(a)) {
    expect(b[k]!.length, `${k}: count`).toBe(a[k]!.length);
    expect(b[k], k).toEqual(a[k]);
  }
}

describe('stage snapshots', () => {
  it('a restored topology goes on exactly as an uninterrupted one (1 instance per stage)', () => {
    const whole = uninterrupted({});
    expect(whole.level_change?.length).toBeGreaterThan(10);
    expect(whole.alert?.length).toBeGreaterThan(10);
    expect(whole.chain_change?.length).toBeGreaterThan(0);
    // Early (windows filling), mid-feed and late: each cut restores to the same end.
    for (const at of [Math.floor(feed.length * 0.13), Math.floor(feed.length * 0.55), feed.length - 7]) {
      const { bytes, result } = interrupted({}, at);
      expect(bytes).toBeGreaterThan(10_000);
      expectSame(whole, result);
    }
  }, 300_000);

  it('the same with the keys spread over several instances of each stage', () => {
    const instances = { institution: 3, person: 2, chain: 2 };
    expectSame(uninterrupted(instances), interrupted(instances, Math.floor(feed.length * 0.4)).result);
  }, 300_000);

  it('a snapshot taken under another instance layout is refused with the reason', () => {
    const t = createTopology({ pseudonymKey: KEY, packs: compilePacks(), instances: { person: 2 } });
    for (const raw of feed.slice(0, 2000)) t.process(raw);
    const snapshot = t.snapshot();
    const moved: Record<StageName, Uint8Array[]> = { ...snapshot, person: [snapshot.person[0]!] };
    expect(() =>
      createTopology({ pseudonymKey: KEY, packs: compilePacks(), instances: { person: 1 }, restore: moved }),
    ).toThrow(/cannot restore institution instance 0: .*another assignment, partition layout/);
  });

  it('bytes that are not a snapshot are refused, naming what was expected', () => {
    const snapshot = createTopology({ pseudonymKey: KEY, packs: compilePacks() }).snapshot();
    const damaged = { ...snapshot, chain: [Uint8Array.from([1, 2, 3, 4])] };
    expect(() => createTopology({ pseudonymKey: KEY, packs: compilePacks(), restore: damaged })).toThrow(
      /cannot restore chain instance 0: state bytes/,
    );
  });
});
