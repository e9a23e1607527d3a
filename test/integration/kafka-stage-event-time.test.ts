/**
 * The distributed topology's stage processes (`run --source kafka --stage …`) say how far event
 * time has come (issue 18: in Kafka mode the status had no event time, and
 * yibao_event_time_seconds stayed 0): ingest and institution the newest record read, person
 * the newest it applied, chain how far every institution instance released; and when the last
 * checkpoint was saved (the checkpoint-age alert of deploy/prometheus/rules.yml reads it).
 * librdkafka's mock cluster (Apache Kafka where Docker exists), one instance of each stage.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KafkaStageStatus, startKafkaStage } from '../../processors/kafka/stage-runner.ts';
import { STAGE_KINDS, type StageKind } from '../../processors/stages/instance.ts';
import { DirectoryCheckpointStore } from '../../processors/state/directory-store.ts';
import { recentFeed } from '../support/feed.ts';
import { produceKeyed, startKafka, subjectKeyOf, type TestKafka } from '../support/kafka.ts';
import { testStageOptions } from '../support/kafka-stage.ts';

const INPUT = 'events';
const KEY = 'stage-event-time-test-key-0123456789';
const handOverTopics = { institution: 'et.institution', person: 'et.person', chain: 'et.chain' };

let kafka: TestKafka;
let lines: string[];
const status = new Map<StageKind, KafkaStageStatus>();

beforeAll(async () => {
  kafka = await startKafka({
    topics: [
      { name: INPUT, partitions: 3 },
      ...Object.values(handOverTopics).map((name) => ({ name, partitions: 2 })),
    ],
    kind: 'mock',
  });
  lines = await recentFeed(13, 3);
  await produceKeyed(
    kafka.brokers,
    INPUT,
    lines.map((value) => ({ key: subjectKeyOf(value), value })),
  );
  const checkpoints = new DirectoryCheckpointStore(mkdtempSync(join(tmpdir(), 'stage-event-time-')));
  const stages = [];
  for (const stage of STAGE_KINDS)
    stages.push(
      await startKafkaStage(
        testStageOptions(kafka.brokers, stage, {
          clientId: `event-time-${stage}`,
          groupId: 'et',
          inputTopics: [INPUT],
          handOverTopics,
          pseudonymKey: KEY,
          checkpoints: { store: checkpoints, everyMs: 1 },
        }),
      ),
    );
  await Promise.all(stages.map((s) => s.finished));
  for (const s of stages) status.set(s.status().stage, s.status());
  for (const s of stages) await s.stop();
}, 300_000);

afterAll(async () => {
  await kafka?.stop();
});

describe('event time of the stage processes', () => {
  it('ingest and institution: the newest record of the feed', () => {
    const newest = Math.max(
      ...lines.map((l) => Date.parse((JSON.parse(l) as { occurred_at: string }).occurred_at)),
    );
    for (const stage of ['ingest', 'institution'] as const) {
      const t = status.get(stage)!.event_time;
      expect(t, stage).not.toBeNull();
      expect(Date.parse(t!), stage).toBe(newest);
    }
  });

  it('person and chain: a time within the feed, not null', () => {
    const oldest = Math.min(
      ...lines.map((l) => Date.parse((JSON.parse(l) as { occurred_at: string }).occurred_at)),
    );
    const newest = Date.parse(status.get('ingest')!.event_time!);
    for (const stage of ['person', 'chain'] as const) {
      const t = status.get(stage)!.event_time;
      expect(t, stage).not.toBeNull();
      expect(Date.parse(t!), stage).toBeGreaterThan(oldest);
      expect(Date.parse(t!), stage).toBeLessThanOrEqual(newest + 1);
    }
  });

  it('the stages that keep state say when their last checkpoint was saved', () => {
    expect(status.get('ingest')!.checkpoint_at).toBeNull(); // ingest keeps no state
    for (const stage of ['institution', 'person', 'chain'] as const) {
      const s = status.get(stage)!;
      expect(s.checkpoints_saved, stage).toBeGreaterThan(0);
      expect(Date.now() - Date.parse(s.checkpoint_at!), stage).toBeLessThan(120_000);
    }
  });
});

describe('a bounded ingest whose partitions are committed to their end', () => {
  // What a late rebalance hands an ingest instance once the group has read everything: no batch
  // comes for such partitions, and the instance used to wait for one for ever (issue 14).
  it('ends without reading a record', async () => {
    const again = await startKafkaStage(
      testStageOptions(kafka.brokers, 'ingest', {
        clientId: 'event-time-ingest-again',
        groupId: 'et',
        inputTopics: [INPUT],
        handOverTopics,
        pseudonymKey: KEY,
      }),
    );
    try {
      const ended = await Promise.race([
        again.finished.then(() => 'ended'),
        new Promise((r) => setTimeout(() => r('still waiting after 30 s'), 30_000)),
      ]);
      expect(ended).toBe('ended');
      expect(again.status().processed).toBe(0);
      expect(again.status().assigned).toHaveLength(3);
    } finally {
      await again.stop();
    }
  }, 60_000);
});
