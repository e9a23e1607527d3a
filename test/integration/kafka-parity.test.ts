/**
 * Live ≡ replay, fed by a client nobody here wrote (issue 14). A simulated feed with injected
 * patterns is split over the four input topics of the README's deployment (settlements,
 * claim-audits, supervision, registry; 16 partitions each) and produced with `kcat`, one topic
 * after the other, once with librdkafka's default partitioner and once with murmur2 (kafkajs'
 * and Java's). Every produced record is counted against the topics' offsets (the mock cluster
 * drops what exceeds its retention silently) and against what the monitor read. Then, read as a
 * backlog from the start:
 * - the one-process monitor (`run --source kafka --stop-at-end --out DIR`) writes contract files
 *   that equal replay's line for line (after sorting), with nothing late;
 * - the staged topology (ingest → institution → person → chain, each a consumer group) with one
 *   and with two instances per stage gives the same lines (duplicates of its at-least-once
 *   hand-over removed: its sinks are idempotent by id).
 * Runs against Apache Kafka instead where a Docker engine exists.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replay } from '../../processors/cli/replay.ts';
import { TOPIC_OF_TYPE } from '../../processors/cli/simulate-publish.ts';
import { loadConfig } from '../../processors/config.ts';
import { openContractFiles, REPLAY_FILES } from '../../processors/io/sinks/contract-files.ts';
import { kafkaSource } from '../../processors/io/sources/kafka.ts';
import { type KafkaStageOptions, startKafkaStage } from '../../processors/kafka/stage-runner.ts';
import type { TopologyOutput } from '../../processors/outputs.ts';
import { type RunStatus, runMonitor } from '../../processors/run.ts';
import { STAGE_KINDS } from '../../processors/stages/instance.ts';
import type { StageName } from '../../processors/stages/messages.ts';
import { compileThresholds } from '../../rules/early-warning/thresholds.ts';
import { compilePacks } from '../../rules/packs/index.ts';
import { recentFeed } from '../support/feed.ts';
import { startKafka, subjectKeyOf, type TestKafka, testKafkaClient } from '../support/kafka.ts';
import { type KcatPartitioner, kcatMissing, kcatProduce } from '../support/kcat.ts';
import { freePort } from '../support/ports.ts';

const KEY = 'kafka-parity-test-key-0123456789';
const PARTITIONS = 16;
const INPUTS = ['registry', 'supervision', 'claim-audits', 'settlements'] as const;
const PARTITIONERS: readonly KcatPartitioner[] = ['consistent_random', 'murmur2_random'];
const packs = compilePacks();
const thresholds = compileThresholds();
const dir = mkdtempSync(join(tmpdir(), 'kafka-parity-'));
const missing = kcatMissing();
if (missing) console.warn(`kafka-parity: skipped: ${missing}`);

const inputTopic = (p: KcatPartitioner, t: string) => `${p}.${t}`;
const handOverTopics = (run: string): Record<StageName, string> => ({
  institution: `${run}.institution`,
  person: `${run}.person`,
  chain: `${run}.chain`,
});
const stagedRuns = (p: KcatPartitioner) => [`${p}-one`, `${p}-two`];

let kafka: TestKafka;
let feed: string[] = [];
const produced: Record<string, number> = {};

/** A contract file's lines, sorted (optionally without repeats). */
const linesOf = (out: string, file: string, unique = false) => {
  const lines = readFileSync(join(out, file), 'utf8').split('\n').filter(Boolean);
  return (unique ? [...new Set(lines)] : lines).sort();
};

beforeAll(async () => {
  if (missing) return;
  const topics = PARTITIONERS.flatMap((p) => [
    ...INPUTS.map((t) => ({ name: inputTopic(p, t), partitions: PARTITIONS })),
    ...stagedRuns(p).flatMap((run) =>
      Object.entries(handOverTopics(run)).map(([stage, name]) => ({
        name,
        partitions: stage === 'chain' ? 3 : 6,
      })),
    ),
  ]);
  kafka = await startKafka({ topics, kind: 'auto' });
  feed = await recentFeed(11, 10);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'feed.ndjson'), `${feed.join('\n')}\n`);
  await replay({
    input: join(dir, 'feed.ndjson'),
    out: join(dir, 'replay'),
    pseudonymKey: KEY,
    packs,
    progress: false,
  });
  const byTopic = new Map<string, { key: string; value: string }[]>();
  for (const raw of feed) {
    const type = /"type":"([a-z_]+)"/.exec(raw)?.[1] ?? '';
    const topic = TOPIC_OF_TYPE[type] ?? 'settlements';
    const list = byTopic.get(topic) ?? [];
    list.push({ key: subjectKeyOf(raw), value: raw });
    byTopic.set(topic, list);
  }
  const admin = testKafkaClient(kafka.brokers, 'parity-admin').admin();
  await admin.connect();
  try {
    for (const p of PARTITIONERS)
      for (const t of INPUTS) {
        // One topic after the other, as an upstream that backfills topic by topic would.
        kcatProduce(kafka.brokers, inputTopic(p, t), byTopic.get(t) ?? [], p);
        const offsets = await admin.fetchTopicOffsets(inputTopic(p, t));
        // Nothing dropped by retention (log start 0), every record there.
        expect(offsets.every((o) => o.low === '0')).toBe(true);
        produced[inputTopic(p, t)] = offsets.reduce((n, o) => n + Number(o.high), 0);
        expect(produced[inputTopic(p, t)], inputTopic(p, t)).toBe(byTopic.get(t)?.length ?? 0);
      }
  } finally {
    await admin.disconnect();
  }
}, 300_000);

afterAll(async () => {
  await kafka?.stop();
});

/** The one-process monitor over the four topics, to the end they had at start. */
async function monitor(p: KcatPartitioner): Promise<{ status: RunStatus; out: string }> {
  const out = join(dir, `monitor-${p}`);
  const config = loadConfig({
    YIBAO_ENV: 'test',
    YIBAO_PSEUDONYM_KEY: KEY,
    YIBAO_DATA_DIR: join(dir, `data-${p}`),
    YIBAO_STATUS_PORT: String(await freePort()),
  });
  const status = await runMonitor({
    config,
    source: kafkaSource({
      kafka: testKafkaClient(kafka.brokers, `parity-monitor-${p}`),
      groupId: `parity-monitor-${p}`,
      topics: INPUTS.map((t) => inputTopic(p, t)),
      fromStart: true,
      stopAtEnd: true,
    }),
    print: () => {},
    statusEveryMs: 60_000,
    outDir: out,
  });
  return { status, out };
}

/** The staged topology with `n` instances of every stage, its outputs written as contract files. */
async function staged(p: KcatPartitioner, run: string, n: number): Promise<string> {
  const outs: TopologyOutput[] = [];
  const options = (stage: KafkaStageOptions['stage'], i: number): KafkaStageOptions => ({
    stage,
    kafka: testKafkaClient(kafka.brokers, `${run}-${stage}-${i}`),
    groupId: run,
    inputTopics: INPUTS.map((t) => inputTopic(p, t)),
    handOverTopics: handOverTopics(run),
    pseudonymKey: KEY,
    packs,
    thresholds,
    allowedLatenessMs: 60_000,
    stopAtEnd: true,
    sessionTimeoutMs: 6_000,
    emit: async (o) => {
      for (const x of o) outs.push(x);
    },
    flush: async () => {},
  });
  const stages = [];
  for (const stage of STAGE_KINDS)
    for (let i = 0; i < n; i++) stages.push(await startKafkaStage(options(stage, i)));
  const results = await Promise.all(stages.map((s) => s.finished));
  for (const s of stages) await s.stop();
  const out = join(dir, run);
  const files = await openContractFiles(out);
  await files.write(outs);
  await files.close({
    standings: results.flatMap((r) => r.standings),
    chains: results.flatMap((r) => r.chains),
  });
  return out;
}

describe.skipIf(missing !== undefined).each(PARTITIONERS)('produced by kcat with the %s partitioner', (p) => {
  it('the monitor reads every record once, none late, and writes replay’s files', async () => {
    const { status, out } = await monitor(p);
    const total = INPUTS.reduce((n, t) => n + produced[inputTopic(p, t)]!, 0);
    expect(total).toBe(feed.length);
    expect(status.records).toBe(total);
    expect(status.late).toBe(0);
    expect(status.credit_late).toBe(0);
    const want = linesOf(join(dir, 'replay'), 'alerts.ndjson');
    expect(want.length).toBeGreaterThan(5);
    for (const f of REPLAY_FILES) expect(linesOf(out, f), f).toEqual(linesOf(join(dir, 'replay'), f));
  }, 300_000);

  it.each([1, 2])(
    'the staged topology with %i instance(s) per stage gives replay’s files',
    async (n) => {
      const out = await staged(p, stagedRuns(p)[n - 1]!, n);
      for (const f of REPLAY_FILES)
        expect(linesOf(out, f, true), f).toEqual(linesOf(join(dir, 'replay'), f, true));
    },
    600_000,
  );
});
