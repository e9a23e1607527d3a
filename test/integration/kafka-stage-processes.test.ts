/**
 * The distributed topology as separate processes (`yibao-monitor run --source kafka --stage …`)
 * over librdkafka's mock cluster, one process per stage, each with its own chDB and alert file.
 * The input is produced by `kcat` (murmur2, kafkajs' and Java's partitioner) over the four input
 * topics of the README's deployment, 16 partitions each, one topic after the other, every record
 * counted against the topics' offsets (issue 14: kill -9 parity under real partitioning).
 * The institution process is killed with SIGKILL mid-stream, after it saved a checkpoint, and
 * started again (same consumer group, same data directory): it restores its state from the
 * checkpoint, reads on from the checkpoint's offsets, redoes what came after them, and the run
 * ends with the standings and alerts the one-process topology gives —
 * nothing lost (every alert, every subject) and nothing doubled (ClickHouse rows with FINAL;
 * alert ids, which a redo repeats in the alert file, are the same ids).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPIC_OF_TYPE } from '../../processors/cli/simulate-publish.ts';
import { loadConfig } from '../../processors/config.ts';
import type { KafkaStageStatus } from '../../processors/kafka/stage-runner.ts';
import type { Alert } from '../../processors/outputs.ts';
import { createStorageClient } from '../../processors/storage/client.ts';
import { createTopology } from '../../processors/topology.ts';
import { compilePacks } from '../../rules/packs/index.ts';
import { recentFeed } from '../support/feed.ts';
import { startKafka, subjectKeyOf, type TestKafka, testKafkaClient } from '../support/kafka.ts';
import { kcatMissing, kcatProduce } from '../support/kcat.ts';
import { freePort } from '../support/ports.ts';

const KEY = 'kafka-stage-processes-key-012345';
const BIN = join(import.meta.dirname, '../../processors/cli/bin.mjs');
const PREFIX = 'procs';
const GROUP = 'procs-it';
const dir = mkdtempSync(join(tmpdir(), 'kafka-stages-'));
const STAGES = ['ingest', 'institution', 'person', 'chain'] as const;
const INPUTS = ['registry', 'supervision', 'claim-audits', 'settlements'] as const;
const PARTITIONS = 16;
const missingKcat = kcatMissing();
if (missingKcat) console.warn(`kafka-stage-processes: skipped: ${missingKcat}`);

type Proc = {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
  status(): Promise<KafkaStageStatus | undefined>;
};

async function startStage(stage: string, brokers: string[]): Promise<Proc> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('YIBAO_')) env[k] = v;
  Object.assign(env, {
    YIBAO_ENV: 'test',
    YIBAO_LOG_LEVEL: 'warn',
    YIBAO_PSEUDONYM_KEY: KEY,
    YIBAO_DATA_DIR: join(dir, stage),
    YIBAO_STATUS_PORT: String(port),
    YIBAO_KAFKA_BROKERS: brokers.join(','),
    YIBAO_KAFKA_SESSION_TIMEOUT_MS: '6000',
    YIBAO_CHECKPOINT_INTERVAL_SECONDS: '1',
  });
  const args = ['run', '--source', 'kafka', '--stage', stage, '--topics', INPUTS.join(','), '--group', GROUP];
  const child = spawn(process.execPath, [BIN, ...args, '--handover', PREFIX, '--stop-at-end', '--json'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return {
    child,
    output: () => out,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    async status() {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(2_000) });
        return (await r.json()) as KafkaStageStatus;
      } catch {
        return undefined;
      }
    },
  };
}

let kafka: TestKafka;
let expectedAlerts: Set<string>;
let expectedStandings: Map<string, string | null>;
let killedAt = 0;
let savedBeforeKill = 0;
let exitCodes: (number | null)[] = [];
let produced = 0;
const outputs: Record<string, string> = {};

beforeAll(async () => {
  if (missingKcat) return;
  kafka = await startKafka({
    topics: [
      ...INPUTS.map((name) => ({ name, partitions: PARTITIONS })),
      { name: `${PREFIX}.institution`, partitions: 6 },
      { name: `${PREFIX}.person`, partitions: 6 },
      { name: `${PREFIX}.chain`, partitions: 3 },
    ],
    kind: 'mock',
  });
  const days = 10;
  const feed = await recentFeed(9, days);
  const topology = createTopology({ pseudonymKey: KEY, packs: compilePacks() });
  const outs = feed.flatMap((raw) => topology.process(raw));
  outs.push(...topology.finish());
  expectedAlerts = new Set(
    outs.filter((o): o is Alert => o.kind === 'alert').map((a) => `${a.alert_id}:${a.status}`),
  );
  expectedStandings = new Map(
    topology.standings().map((s) => [`${s.subject_kind}:${s.subject_code}`, s.level]),
  );

  const byTopic = new Map<string, { key: string; value: string }[]>();
  for (const raw of feed) {
    const topic = TOPIC_OF_TYPE[/"type":"([a-z_]+)"/.exec(raw)?.[1] ?? ''] ?? 'settlements';
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key: subjectKeyOf(raw), value: raw }]);
  }
  const admin = testKafkaClient(kafka.brokers, 'procs-produce-admin').admin();
  await admin.connect();
  for (const t of INPUTS) {
    kcatProduce(kafka.brokers, t, byTopic.get(t) ?? [], 'murmur2_random');
    const offsets = await admin.fetchTopicOffsets(t);
    // Every record there and nothing dropped by the mock's retention (log start 0).
    if (offsets.some((o) => o.low !== '0')) throw new Error(`${t}: the mock cluster dropped records`);
    produced += offsets.reduce((n, o) => n + Number(o.high), 0);
  }
  await admin.disconnect();
  if (produced !== feed.length) throw new Error(`produced ${produced} of ${feed.length} records`);

  const procs: Record<string, Proc> = {};
  for (const stage of STAGES) procs[stage] = await startStage(stage, kafka.brokers);
  // SIGKILL the institution process once it is well into the stream.
  const victim = procs.institution!;
  const until = Date.now() + 120_000;
  for (;;) {
    const s = await victim.status();
    // Two checkpoints: the first may come after the very first batch and hold almost nothing.
    if (s && s.processed > 4_000 && s.checkpoints_saved > 1) {
      killedAt = s.processed;
      savedBeforeKill = s.checkpoints_saved;
      break;
    }
    if (victim.child.exitCode !== null || Date.now() > until)
      throw new Error(`institution stage never got going: ${victim.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  victim.child.kill('SIGKILL');
  await victim.exited;
  outputs.killed = victim.output();
  procs.institution = await startStage('institution', kafka.brokers);
  exitCodes = await Promise.all(STAGES.map((s) => procs[s]!.exited));
  for (const s of STAGES) outputs[s] = procs[s]!.output();
}, 400_000);

afterAll(async () => {
  await kafka?.stop();
}, 60_000);

const alertsIn = (stage: string) =>
  readFileSync(join(dir, stage, 'alerts.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Alert);

describe.skipIf(missingKcat !== undefined)(
  'stage processes over Kafka, one killed with SIGKILL and restarted',
  () => {
    it('every stage process ends by itself with exit code 0', () => {
      console.log(`stage processes: institution killed after ${killedAt} messages; exit codes ${exitCodes}`);
      for (const [i, code] of exitCodes.entries())
        expect(code, `${STAGES[i]}: ${outputs[STAGES[i]!]?.slice(-1500)}`).toBe(0);
    });

    it('the restarted institution process restored its checkpoint instead of reading from offset 0', async () => {
      expect(savedBeforeKill).toBeGreaterThan(0);
      const reports = outputs.institution!.split('\n').filter((l) => l.startsWith('{"stage"'));
      const last = JSON.parse(reports.at(-1)!) as KafkaStageStatus;
      expect(last.start?.from, outputs.institution?.slice(-1500)).toBe('checkpoint');
      const from = last.start?.from === 'checkpoint' ? Object.values(last.start.offsets).map(Number) : [];
      expect(from.length).toBe(6);
      expect(from.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      // It read exactly what followed the checkpoint's offsets, not the partitions from offset 0.
      // (The killed process went on past `killedAt` before the signal landed, so what it had
      // committed, and the restarted one redid, can exceed that count.)
      const admin = testKafkaClient(kafka.brokers, 'procs-admin').admin();
      await admin.connect();
      const ends = await admin.fetchTopicOffsets(`${PREFIX}.institution`);
      await admin.disconnect();
      const total = ends.reduce((n, p) => n + Number(p.high), 0);
      const restoredAt = from.reduce((a, b) => a + b, 0);
      // Since the last rebuild: a rebalance after the restart (the killed member's session
      // expiring) builds the assignment again, and the cumulative counts span both.
      expect(last.read_since_start, `rebuilds ${last.rebuilds}`).toBe(total - restoredAt);
      expect(last.checkpoints_saved).toBeGreaterThan(0);
      expect(last.checkpoint_bytes).toBeGreaterThan(100_000);
      console.log(
        `stage processes: checkpoint restored at offsets ${from.join(',')}; ${total - restoredAt} of ${total} messages read after the restart (${last.replayed} redone; killed after ${killedAt}); ` +
          `last checkpoint ${(last.checkpoint_bytes / 2 ** 20).toFixed(1)} MiB, encoded in ${last.checkpoint_ms.encode_ms} ms, saved in ${last.checkpoint_ms.save_ms} ms`,
      );
    });

    it('the alerts of all stages are the one-process topology’s alerts: none lost, none extra', () => {
      const got = new Set(
        STAGES.filter((s) => s !== 'ingest').flatMap((s) =>
          alertsIn(s).map((a) => `${a.alert_id}:${a.status}`),
        ),
      );
      expect(expectedAlerts.size).toBeGreaterThan(5);
      const missing = [...expectedAlerts].filter((a) => !got.has(a));
      const extra = [...got].filter((a) => !expectedAlerts.has(a));
      expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    });

    it('the institution stage’s ClickHouse holds every subject’s standing once, at the expected level', async () => {
      const config = loadConfig({
        YIBAO_ENV: 'test',
        YIBAO_PSEUDONYM_KEY: KEY,
        YIBAO_DATA_DIR: join(dir, 'institution'),
      });
      const store = await createStorageClient(config);
      try {
        const rows = (await (
          await store.client.query({
            query: 'SELECT subject_kind, subject_code, level FROM yibao.standings_current FINAL',
            format: 'JSONEachRow',
          })
        ).json()) as { subject_kind: string; subject_code: string; level: string | null }[];
        expect(rows.length).toBe(expectedStandings.size);
        // ClickHouse keeps a missing level as ''.
        for (const r of rows)
          expect(r.level || null, `${r.subject_kind}:${r.subject_code}`).toBe(
            expectedStandings.get(`${r.subject_kind}:${r.subject_code}`) ?? null,
          );
      } finally {
        await store.close();
      }
    });
  },
);
