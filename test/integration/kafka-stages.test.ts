/**
 * Scale-out over Kafka (librdkafka's mock cluster; Apache Kafka where Docker exists): the
 * simulator's feed, keyed by institution over a 6-partition input topic with 1% malformed records,
 * through the distributed topology — ingest → institution → person → chain, each stage its own
 * consumer group, the hand-overs Kafka topics keyed by the next stage's key — with one instance
 * of each stage and with two, gives the same standings, level changes, chain statuses, alerts
 * and inspection tasks as `replay`'s topology in one process; every malformed record is a dead
 * letter. Alerts are compared without their evidence lists (see test/unit/stages). The
 * one-instance run saves checkpoints: a stage started again under the same assignment restores
 * its state from them, and a damaged one is reported and rebuilt from the log.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MALFORMATIONS, malform } from '../../processors/io/sources/malformed.ts';
import {
  checkpointName,
  type KafkaStageOptions,
  startKafkaStage,
} from '../../processors/kafka/stage-runner.ts';
import type { TopologyOutput } from '../../processors/outputs.ts';
import { STAGE_KINDS } from '../../processors/stages/instance.ts';
import type { StageName } from '../../processors/stages/messages.ts';
import { DirectoryCheckpointStore } from '../../processors/state/directory-store.ts';
import { createTopology } from '../../processors/topology.ts';
import type { ChainStatus } from '../../rules/chains.ts';
import { compileThresholds } from '../../rules/early-warning/thresholds.ts';
import type { Standing } from '../../rules/engine/standing.ts';
import { compilePacks } from '../../rules/packs/index.ts';
import { recentFeed } from '../support/feed.ts';
import { produceKeyed, startKafka, subjectKeyOf, type TestKafka, testKafkaClient } from '../support/kafka.ts';

const KEY = 'kafka-stages-test-key-0123456789';
const INPUT = 'events';
/** The same feed with every record twice and neighbours within 30 s of event time swapped. */
const DISORDERED = 'events-disordered';
const packs = compilePacks();
const thresholds = compileThresholds();
const handOverTopics = (run: string): Record<StageName, string> => ({
  institution: `${run}.institution`,
  person: `${run}.person`,
  chain: `${run}.chain`,
});

let kafka: TestKafka;
const good: string[] = [];
let malformed = 0;

type Collected = { byKind: Record<string, string[]>; standings: string[]; chains: string[]; seconds: number };

/** Canonical, order-free view of outputs: each kind as sorted JSON lines, alerts without evidence. */
function collect(
  outs: readonly TopologyOutput[],
  standings: Standing[],
  chains: ChainStatus[],
  seconds: number,
) {
  const byKind: Record<string, Set<string>> = {};
  for (const o of outs) {
    const line = JSON.stringify(o.kind === 'alert' ? { ...o, evidence: undefined } : o);
    (byKind[o.kind] ??= new Set()).add(line);
  }
  return {
    byKind: Object.fromEntries(Object.entries(byKind).map(([k, v]) => [k, [...v].sort()])),
    standings: standings.map((s) => JSON.stringify(s)).sort(),
    chains: chains.map((c) => JSON.stringify(c)).sort(),
    seconds,
  } satisfies Collected;
}

const checkpointDir = mkdtempSync(join(tmpdir(), 'kafka-stages-ckpt-'));
const checkpoints = new DirectoryCheckpointStore(checkpointDir);

/** One stage instance of run `run` (its groups are `${run}.<stage>`). */
function stageOptions(
  run: string,
  stage: KafkaStageOptions['stage'],
  i: number,
  outs: TopologyOutput[],
  more: Partial<KafkaStageOptions> = {},
): KafkaStageOptions {
  return {
    stage,
    kafka: testKafkaClient(kafka.brokers, `${run}-${stage}-${i}`),
    groupId: run,
    inputTopics: [INPUT],
    handOverTopics: handOverTopics(run),
    pseudonymKey: KEY,
    packs,
    thresholds,
    allowedLatenessMs: 60_000,
    stopAtEnd: true,
    sessionTimeoutMs: 6_000,
    idlePartitionMs: 600_000,
    emit: async (o) => {
      for (const x of o) outs.push(x);
    },
    flush: async () => {},
    ...more,
  };
}

/** The distributed topology with `n` instances of every stage, to the end of the input. */
async function distributed(
  run: string,
  n: number,
  input = INPUT,
  more: Partial<KafkaStageOptions> = {},
): Promise<Collected> {
  const started = performance.now();
  const outs: TopologyOutput[] = [];
  const stages = [];
  for (const stage of STAGE_KINDS)
    for (let i = 0; i < n; i++)
      stages.push(
        await startKafkaStage(stageOptions(run, stage, i, outs, { inputTopics: [input], ...more })),
      );
  const results = await Promise.all(stages.map((s) => s.finished));
  const status = stages.map((s) => s.status());
  for (const s of stages) await s.stop();
  console.log(
    `kafka stages ${run}: ${JSON.stringify(status.map((s) => [s.stage, s.assigned.length, s.processed, s.replayed, s.rebuilds]))}`,
  );
  return collect(
    outs,
    results.flatMap((r) => r.standings),
    results.flatMap((r) => r.chains),
    (performance.now() - started) / 1000,
  );
}

let expected: Collected;

beforeAll(async () => {
  const topics = [
    { name: INPUT, partitions: 6 },
    { name: DISORDERED, partitions: 6 },
  ];
  for (const run of ['one', 'two', 'dup'])
    for (const [stage, topic] of Object.entries(handOverTopics(run)))
      topics.push({ name: topic, partitions: stage === 'chain' ? 3 : 6 });
  kafka = await startKafka({ topics, kind: 'mock' });
  const days = 10;
  good.push(...(await recentFeed(7, days)));
  // In one process, in file order: what `replay` computes.
  const topology = createTopology({ pseudonymKey: KEY, packs, thresholds });
  const outs: TopologyOutput[] = [];
  for (const raw of good) outs.push(...topology.process(raw));
  outs.push(...topology.finish());
  expected = collect(outs, topology.standings(), topology.chains(), 0);

  const messages: { key: string; value: string }[] = [];
  good.forEach((raw, i) => {
    messages.push({ key: subjectKeyOf(raw), value: raw });
    if (i % 100 === 50) {
      messages.push({
        key: subjectKeyOf(raw),
        value: malform(raw, MALFORMATIONS[malformed % MALFORMATIONS.length]!),
      });
      malformed++;
    }
  });
  await produceKeyed(kafka.brokers, INPUT, messages);
  const t = (m: { value: string }) => Date.parse(/"occurred_at":"([^"]+)"/.exec(m.value)?.[1] ?? '');
  const disordered = messages.flatMap((m, i) => (i >= 3 ? [m, messages[i - 3]!] : [m]));
  disordered.push(...messages.slice(-3));
  for (let i = 1; i < disordered.length; i += 2) {
    const [a, b] = [disordered[i - 1]!, disordered[i]!];
    if (Math.abs(t(a) - t(b)) <= 30_000) [disordered[i - 1], disordered[i]] = [b, a];
  }
  await produceKeyed(kafka.brokers, DISORDERED, disordered);
}, 300_000);

afterAll(async () => {
  await kafka?.stop();
});

function expectSameAs(got: Collected, want: Collected, rejected = malformed): void {
  expect(got.standings.length).toBe(want.standings.length);
  expect(got.standings).toEqual(want.standings);
  expect(got.chains).toEqual(want.chains);
  for (const kind of [
    'level_change',
    'alert',
    'inspection',
    'chain_change',
    'credit_notice',
    'policy_expired',
  ]) {
    expect(got.byKind[kind]?.length ?? 0, `${kind}: count`).toBe(want.byKind[kind]?.length ?? 0);
    expect(got.byKind[kind] ?? [], kind).toEqual(want.byKind[kind] ?? []);
  }
  expect(got.byKind.rejected?.length).toBe(rejected);
}

describe('the distributed topology over Kafka', () => {
  it('one instance of each stage gives replay’s standings, level changes, chains, alerts and tasks', async () => {
    const one = await distributed('one', 1, INPUT, { checkpoints: { store: checkpoints, everyMs: 1_000 } });
    console.log(`one instance per stage: ${one.seconds.toFixed(1)} s for ${good.length + malformed} records`);
    expect(expected.byKind.alert?.length).toBeGreaterThan(5);
    expect(expected.byKind.level_change?.length).toBeGreaterThan(5);
    expectSameAs(one, expected);
  }, 600_000);

  it('two instances of each stage in each consumer group give the same', async () => {
    const two = await distributed('two', 2);
    console.log(`two instances per stage: ${two.seconds.toFixed(1)} s`);
    expectSameAs(two, expected);
  }, 600_000);

  it('the feed twice over, reordered within the allowed lateness, gives the same', async () => {
    const dup = await distributed('dup', 1, DISORDERED);
    console.log(`twice over, reordered, one instance per stage: ${dup.seconds.toFixed(1)} s`);
    // A malformed record is a dead letter each time it comes (each copy at its own position).
    expectSameAs(dup, expected, 2 * malformed);
  }, 600_000);

  it('the institution stage started again restores its checkpoint; a damaged one is reported and rebuilt from the log', async () => {
    const allSix = Array.from({ length: 6 }, (_, partition) => ({ topic: 'one.institution', partition }));
    const name = checkpointName('one.institution', allSix);
    expect(readdirSync(checkpointDir)).toContain(`${name}.ckpt`);
    const restart = async () => {
      const logs: string[] = [];
      const stage = await startKafkaStage(
        stageOptions('one', 'institution', 9, [], {
          checkpoints: { store: checkpoints, everyMs: 60_000 },
          log: (level, message) => logs.push(`${level}: ${message}`),
        }),
      );
      const { standings } = await stage.finished;
      const status = stage.status();
      await stage.stop();
      return { standings: standings.map((x) => JSON.stringify(x)).sort(), status, logs };
    };

    const restored = await restart();
    expect(restored.status.start?.from, restored.logs.join('\n')).toBe('checkpoint');
    expect(restored.logs.join('\n')).toMatch(/restored checkpoint/);
    // Only what came after the checkpoint's offsets is read again, not the partitions from 0.
    const admin = testKafkaClient(kafka.brokers, 'ckpt-admin').admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets('one.institution');
    await admin.disconnect();
    const total = ends.reduce((n, p) => n + Number(p.high), 0);
    const start = restored.status.start;
    const from =
      start?.from === 'checkpoint' ? Object.values(start.offsets).reduce((n, o) => n + Number(o), 0) : 0;
    expect(from).toBeGreaterThan(total / 2);
    // Since the assignment was last built: a second rebalance would count twice in processed + replayed.
    expect(restored.status.read_since_start, `rebuilds ${restored.status.rebuilds}`).toBe(total - from);
    expect(restored.standings).toEqual(expected.standings);

    const file = join(checkpointDir, `${name}.ckpt`);
    const bytes = readFileSync(file);
    const at = bytes.length - 100;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at); // one flipped byte in the state
    writeFileSync(file, bytes);
    const rebuilt = await restart();
    expect(rebuilt.logs.join('\n')).toMatch(
      /warn: checkpoint .*damaged state.*rebuilding institution from offset 0/,
    );
    expect(rebuilt.status.start).toMatchObject({ from: 'log' });
    expect(rebuilt.status.read_since_start, `rebuilds ${rebuilt.status.rebuilds}`).toBe(total);
    expect(rebuilt.standings).toEqual(expected.standings);
    console.log(
      `checkpoints: restored, ${total - from} of ${total} messages read again; damaged: rebuilt from all ${total}`,
    );
  }, 600_000);
});
