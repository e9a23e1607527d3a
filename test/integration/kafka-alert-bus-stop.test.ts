/**
 * The Kafka source is not committed past alerts the bus did not confirm (issue 16). The monitor
 * reads a topic of librdkafka's mock cluster (Apache Kafka where Docker exists) and publishes to
 * a private nats-server; once the first alert is confirmed the server is killed for good, and a
 * stop is asked while the bus is away. The stop is bounded and ends failed, and the group's
 * committed offsets are those of before the outage: no commit while alerts waited (a commit
 * follows a flush, which waits for the bus) and none at the stop. A restart reads those records
 * again and publishes their alerts then.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../processors/config.ts';
import { kafkaSource } from '../../processors/io/sources/kafka.ts';
import { runMonitor } from '../../processors/run.ts';
import { recentFeed } from '../support/feed.ts';
import { produceKeyed, startKafka, subjectKeyOf, type TestKafka, testKafkaClient } from '../support/kafka.ts';
import { freePort } from '../support/ports.ts';
import { type PrivateNats, startPrivateNats } from '../support/private-nats.ts';

const TOPIC = 'events';
const GROUP = 'bus-stop-monitor';
const dir = mkdtempSync(join(tmpdir(), 'kafka-alert-bus-stop-'));
let kafka: TestKafka;
let nats: PrivateNats;
let total = 0;

beforeAll(async () => {
  kafka = await startKafka({ topics: [{ name: TOPIC, partitions: 3 }], kind: 'auto' });
  const feed = await recentFeed(17, 12);
  total = feed.length;
  await produceKeyed(
    kafka.brokers,
    TOPIC,
    feed.map((value) => ({ key: subjectKeyOf(value), value })),
  );
  nats = await startPrivateNats();
}, 180_000);

afterAll(async () => {
  await nats?.stop();
  await kafka?.stop();
});

async function committed(): Promise<number> {
  const admin = testKafkaClient(kafka.brokers, 'bus-stop-admin').admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    return (t?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

type Status = { records: number; alert_bus: { published: number; outage: unknown } | null };

it('a stop with the bus away commits nothing past the alerts it did not confirm', async () => {
  const stop = new AbortController();
  const lines: string[] = [];
  let readAtOutage = -1;
  let killing: Promise<void> | undefined;
  let stopping: NodeJS.Timeout | undefined;
  const final = await runMonitor({
    config: loadConfig({
      YIBAO_ENV: 'test',
      YIBAO_PSEUDONYM_KEY: 'kafka-alert-bus-stop-key-0123456',
      YIBAO_DATA_DIR: join(dir, 'data'),
      YIBAO_STATUS_PORT: String(await freePort()),
      YIBAO_NATS_URL: nats.url,
      YIBAO_SHUTDOWN_TIMEOUT_SECONDS: '6',
    }),
    source: kafkaSource({
      kafka: testKafkaClient(kafka.brokers, GROUP),
      groupId: GROUP,
      topics: [TOPIC],
      fromStart: true,
    }),
    json: true,
    statusEveryMs: 100,
    signal: stop.signal,
    print: (l) => {
      lines.push(l);
      if (!l.startsWith('{')) return;
      const s = JSON.parse(l) as Status;
      if (!killing && s.alert_bus && s.alert_bus.published > 0) {
        readAtOutage = s.records;
        killing = nats.kill('SIGKILL');
      } else if (killing && s.alert_bus?.outage && !stopping) {
        // Past the run loop's 10 s snapshot-and-commit, which must not commit during the outage.
        stopping = setTimeout(() => stop.abort(), 12_000);
      }
    },
  });
  await killing;
  expect(readAtOutage).toBeGreaterThan(0);
  expect(readAtOutage).toBeLessThan(total); // the outage came while the topic was still being read
  expect(final.state).toBe('failed');
  // Whatever was committed came before the outage (a periodic commit, or none at all): the
  // periodic commit during the outage waited for the bus, and the stop skipped its commit.
  expect(await committed()).toBeLessThanOrEqual(readAtOutage);
  const said = lines.filter((l) => !l.startsWith('{'));
  expect(said.join('\n')).toMatch(
    /^yibao-monitor: stopping while the alert bus is unavailable: \d+ alerts not confirmed/m,
  );
  expect(said.join('\n')).toMatch(/the source was not committed past (its alerts|them)/);
}, 180_000);
