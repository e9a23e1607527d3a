// A Kafka for integration tests: Apache Kafka (KRaft, testcontainers) when a Docker engine is
// reachable, librdkafka's mock cluster otherwise (ARCHITECTURE.md, "Testing against real parts").
import { createServer } from 'node:net';
import { CompressionTypes, Kafka, type KafkaConfig, logLevel, Partitioners } from 'kafkajs';
import { detectDocker } from './docker.ts';
import { type MockTopic, startMockKafka } from './mock-kafka/mock-kafka.ts';

export type KafkaTopicSpec = MockTopic;

export interface TestKafka {
  brokers: string[];
  kind: 'mock' | 'apache';
  /** How it was started, for test output (mock-kafka binary, kcat, or the image name). */
  detail: string;
  /** Topics as the cluster reports them (partition counts read back from metadata). */
  topics: KafkaTopicSpec[];
  stop(): Promise<void>;
}

export interface StartKafkaOptions {
  topics: KafkaTopicSpec[];
  /** 'auto' (default): Apache Kafka when Docker is reachable, else the mock cluster. */
  kind?: 'auto' | 'mock' | 'apache';
  /** Mock brokers (default 3); Apache Kafka is always one KRaft node. */
  brokers?: number;
}

const KAFKA_IMAGE = process.env.YIBAO_TEST_KAFKA_IMAGE ?? 'apache/kafka:3.9.1';

/** A kafkajs client with quiet logs and short retries, as the tests use it. */
export function testKafkaClient(
  brokers: string[],
  clientId: string,
  extra: Partial<KafkaConfig> = {},
): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.ERROR,
    retry: { initialRetryTime: 100, retries: 8 },
    ...extra,
  });
}

async function readTopics(brokers: string[], names: string[]): Promise<KafkaTopicSpec[]> {
  const admin = testKafkaClient(brokers, 'test-support-metadata').admin();
  await admin.connect();
  try {
    // With the kcat route this metadata request is also what auto-creates the topics.
    const { topics } = await admin.fetchTopicMetadata({ topics: names });
    return topics.map((t) => ({ name: t.name, partitions: t.partitions.length }));
  } finally {
    await admin.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function startApache(topics: KafkaTopicSpec[]): Promise<TestKafka> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const runtime = await getContainerRuntimeClient();
  const host = runtime.info.containerRuntime.host;
  // Kafka must advertise the address clients dial, known only after start for a random mapping,
  // so pick the host port first and bind the container's listener to that same port.
  const port = await freePort();
  const container = await new GenericContainer(KAFKA_IMAGE)
    .withExposedPorts({ container: port, host: port })
    .withEnvironment({
      // KRaft cluster ids are 16 bytes in base64url: here the bytes of 'yibao-it-kraft-1'.
      CLUSTER_ID: 'eWliYW8taXQta3JhZnQtMQ',
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://localhost:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
  const brokers = [`${host}:${port}`];
  try {
    const admin = testKafkaClient(brokers, 'test-support-admin').admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: topics.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })),
      });
    } finally {
      await admin.disconnect();
    }
    return {
      brokers,
      kind: 'apache',
      detail: KAFKA_IMAGE,
      topics: await readTopics(
        brokers,
        topics.map((t) => t.name),
      ),
      stop: async () => {
        await container.stop();
      },
    };
  } catch (err) {
    await container.stop();
    throw err;
  }
}

async function startMock(topics: KafkaTopicSpec[], brokerCount: number): Promise<TestKafka> {
  const mock = await startMockKafka({ brokers: brokerCount, topics });
  try {
    return {
      brokers: mock.brokers,
      kind: 'mock',
      detail: `librdkafka mock cluster via ${mock.via}, ${mock.brokers.length} brokers`,
      topics: await readTopics(
        mock.brokers,
        topics.map((t) => t.name),
      ),
      stop: mock.stop,
    };
  } catch (err) {
    await mock.stop();
    throw err;
  }
}

export async function startKafka(opts: StartKafkaOptions): Promise<TestKafka> {
  let kind = opts.kind ?? 'auto';
  if (kind === 'auto') kind = (await detectDocker()).available ? 'apache' : 'mock';
  return kind === 'apache' ? startApache(opts.topics) : startMock(opts.topics, opts.brokers ?? 3);
}

/** The key producers use: the record's institution (or fact subject, or practitioner) code. */
export function subjectKeyOf(raw: string): string {
  return /"(?:fixmedins_code|subject_code|practitioner_code)":"([^"]+)"/.exec(raw)?.[1] ?? '';
}

/**
 * Produces keyed messages in chunks with kafkajs' default partitioner, gzip-compressed:
 * librdkafka's mock cluster keeps about 5 MB per partition and drops the oldest beyond.
 */
export async function produceKeyed(
  brokers: string[],
  topic: string,
  messages: readonly { key: string; value: string }[],
): Promise<void> {
  const producer = testKafkaClient(brokers, `test-producer-${topic}`).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 2000)
      await producer.send({
        topic,
        messages: messages.slice(i, i + 2000),
        compression: CompressionTypes.GZIP,
      });
  } finally {
    await producer.disconnect();
  }
}
