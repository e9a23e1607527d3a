/**
 * Issue 16: with a row the store would not take, `run` stayed in `stopping` for minutes and had
 * to be killed. A stop is bounded now: with ClickHouse down for good, the monitor gives up after
 * YIBAO_SHUTDOWN_TIMEOUT_SECONDS, says how many rows of which table were left unconfirmed, and
 * ends `failed` (exit 1 from the CLI).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../processors/config.ts';
import { fileSource } from '../../processors/io/sources/ndjson.ts';
import { startKafkaStage } from '../../processors/kafka/stage-runner.ts';
import { runMonitor } from '../../processors/run.ts';
import { handOverTopics, runStage } from '../../processors/run-stage.ts';
import { type ClickHouseWithOutage, openChdbWithOutage } from '../support/clickhouse.ts';
import { recentFeed } from '../support/feed.ts';
import { produceKeyed, startKafka, subjectKeyOf, type TestKafka } from '../support/kafka.ts';
import { testStageOptions } from '../support/kafka-stage.ts';
import { freePort } from '../support/ports.ts';

const dir = mkdtempSync(join(tmpdir(), 'bounded-stop-'));
let store: ClickHouseWithOutage | undefined;
let stageStore: ClickHouseWithOutage | undefined;
let kafka: TestKafka | undefined;
afterAll(async () => {
  for (const s of [store, stageStore]) if (s) s.down = false;
  await store?.close();
  await stageStore?.close();
  await kafka?.stop();
});

it('a stop the store never lets finish ends within the bound, naming the rows left', async () => {
  const feed = await recentFeed(5, 2);
  const input = join(dir, 'feed.ndjson');
  writeFileSync(input, `${feed.join('\n')}\n`);
  const cut = (store = await openChdbWithOutage());
  const lines: string[] = [];
  const started = performance.now();
  const final = await runMonitor({
    config: loadConfig({
      YIBAO_ENV: 'test',
      YIBAO_DATA_DIR: join(dir, 'data'),
      YIBAO_STATUS_PORT: String(await freePort()),
      YIBAO_SHUTDOWN_TIMEOUT_SECONDS: '3',
    }),
    storage: { client: store.client, kind: 'chdb', location: 'chDB, cut off', close: async () => {} },
    source: fileSource(input),
    json: true,
    statusEveryMs: 100,
    // The store goes down once the monitor runs (it migrates at start) and never comes back.
    print: (l) => {
      cut.down = true;
      lines.push(l);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  expect(final.state).toBe('failed');
  const said = lines.find((l) => l.includes('did not finish within 3 s'));
  expect(said).toMatch(
    /^yibao-monitor: the stop did not finish within 3 s \(YIBAO_SHUTDOWN_TIMEOUT_SECONDS\): \d+ rows not confirmed by the store \(.*indicator_snapshots \d+.*\); last error: .+\. The source was not committed past them: a restart reads them again\.$/,
  );
  expect(seconds).toBeLessThan(30);
}, 120_000);

it('a stage process (run --stage) stopped while the store is down ends within the bound, naming the rows left', async () => {
  const KEY = 'bounded-stop-stage-test-key-012345';
  const topics = handOverTopics('bs');
  kafka = await startKafka({
    topics: [
      { name: 'events', partitions: 3 },
      ...Object.values(topics).map((name) => ({ name, partitions: 2 })),
    ],
    kind: 'mock',
  });
  const feed = await recentFeed(7, 2);
  await produceKeyed(
    kafka.brokers,
    'events',
    feed.map((value) => ({ key: subjectKeyOf(value), value })),
  );
  // Ingest fills the institution stage's hand-over topic.
  const ingest = await startKafkaStage(
    testStageOptions(kafka.brokers, 'ingest', {
      clientId: 'bs-ingest',
      groupId: 'bs',
      inputTopics: ['events'],
      handOverTopics: topics,
      pseudonymKey: KEY,
    }),
  );
  await ingest.finished;
  await ingest.stop();

  if (store) {
    // chDB holds one data directory per process: the first test's store goes first.
    store.down = false;
    await store.close();
    store = undefined;
  }
  const cut = (stageStore = await openChdbWithOutage());
  const stop = new AbortController();
  const lines: string[] = [];
  let started = 0;
  const result = runStage({
    config: loadConfig({
      YIBAO_ENV: 'test',
      YIBAO_PSEUDONYM_KEY: KEY,
      YIBAO_KAFKA_BROKERS: kafka.brokers.join(','),
      YIBAO_KAFKA_SESSION_TIMEOUT_MS: '6000',
      YIBAO_DATA_DIR: join(dir, 'stage-data'),
      YIBAO_STATUS_PORT: String(await freePort()),
      YIBAO_SHUTDOWN_TIMEOUT_SECONDS: '3',
    }),
    stage: 'institution',
    inputTopics: ['events'],
    handOverPrefix: 'bs',
    groupId: 'bs',
    storage: { client: cut.client, kind: 'chdb', location: 'chDB, cut off', close: async () => {} },
    signal: stop.signal,
    json: true,
    statusEveryMs: 100,
    print: (l) => {
      lines.push(l);
      // Once it has processed records, the store goes away for good and a stop is asked.
      if (!started && /"processed":[1-9]/.test(l)) {
        cut.down = true;
        started = performance.now();
        setTimeout(() => stop.abort(), 500);
      }
    },
  });
  const final = await result;
  const seconds = (performance.now() - started) / 1000;
  expect(started).toBeGreaterThan(0);
  expect(final.state).toBe('failed');
  expect(lines.find((l) => l.includes('did not finish within 3 s'))).toMatch(
    /^yibao-monitor: the stop did not finish within 3 s \(YIBAO_SHUTDOWN_TIMEOUT_SECONDS\): \d+ rows not confirmed by the store \(.+\); last error: .+\. The source was not committed past them: a restart reads them again\.$/,
  );
  expect(seconds).toBeLessThan(15);
}, 240_000);
