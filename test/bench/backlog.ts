/**
 * 3. A Kafka backlog read from the start, in one run against the same mock cluster and the same
 * topic (16 partitions, the simulator's feed keyed by institution, gzip): (a) the floor, a bare
 * kafkajs `eachBatch` consumer that parses each record and counts it; (b) the monitor
 * (`runMonitor` over `kafkaSource` with `stopAtEnd`, writing chDB and the alert file). Both count
 * what they read against what was produced. Reports records/s of each and the ratio.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompressionTypes, logLevel, Partitioners } from 'kafkajs';
import { loadConfig } from '../../processors/config.ts';
import { kafkaSource } from '../../processors/io/sources/kafka.ts';
import { runMonitor } from '../../processors/run.ts';
import { createSimulation } from '../../processors/simulator/simulate.ts';
import { chinaDate } from '../../rules/engine/time.ts';
import { startKafka, testKafkaClient } from '../support/kafka.ts';
import { type Bench, round } from './common.ts';
import { freePort, KEY, keyOf } from './kafka-harness.ts';

const TOPIC = 'backlog';
const PARTITIONS = 16;

export const backlogBench: Bench = {
  name: 'backlog',
  description: 'a Kafka backlog (16 partitions) from the start: bare kafkajs eachBatch floor vs the monitor',
  async run(ctx) {
    const days = ctx.quick ? 14 : 40;
    const lines = [
      ...createSimulation({
        seed: 5,
        days,
        institutions: 300,
        start: chinaDate(Date.now() - days * 86_400_000),
      }).lines(),
    ];
    const kafka = await startKafka({ topics: [{ name: TOPIC, partitions: PARTITIONS }], kind: 'mock' });
    const dir = mkdtempSync(join(tmpdir(), 'bench-backlog-'));
    try {
      const producer = testKafkaClient(kafka.brokers, 'backlog-producer', {
        logLevel: logLevel.NOTHING,
      }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      for (let i = 0; i < lines.length; i += 5_000)
        await producer.send({
          topic: TOPIC,
          compression: CompressionTypes.GZIP,
          messages: lines.slice(i, i + 5_000).map((value) => ({ key: keyOf(value), value })),
        });
      await producer.disconnect();
      const admin = testKafkaClient(kafka.brokers, 'backlog-admin').admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(TOPIC);
      await admin.disconnect();
      const produced = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
      const dropped = offsets.some((o) => o.low !== '0');
      ctx.log(
        `produced ${lines.length} records (${days} days), ${produced} on the topic${dropped ? ' (retention dropped some!)' : ''}`,
      );

      // (a) the floor: parse and count, nothing else.
      const floor = await (async () => {
        const consumer = testKafkaClient(kafka.brokers, 'backlog-floor', {
          logLevel: logLevel.NOTHING,
        }).consumer({
          groupId: 'backlog-floor',
          maxBytesPerPartition: 1 << 20,
          maxBytes: 16 << 20,
          maxWaitTimeInMs: 100,
        });
        await consumer.connect();
        await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
        let read = 0;
        const counts = new Map<string, number>();
        const t0 = performance.now();
        let t1 = t0;
        await new Promise<void>((resolve) => {
          consumer.run({
            partitionsConsumedConcurrently: 64,
            eachBatch: async ({ batch }) => {
              for (const m of batch.messages) {
                const r = JSON.parse(m.value!.toString('utf8')) as { fixmedins_code?: string };
                const k = r.fixmedins_code ?? '';
                counts.set(k, (counts.get(k) ?? 0) + 1);
                read++;
              }
              if (read >= produced) {
                t1 = performance.now();
                resolve();
              }
            },
          });
        });
        await consumer.disconnect();
        return { read, seconds: (t1 - t0) / 1000 };
      })();

      // (b) the monitor over the same topic, from the start to the end it had at assignment.
      const config = loadConfig({
        YIBAO_ENV: 'test',
        YIBAO_PSEUDONYM_KEY: KEY,
        YIBAO_DATA_DIR: join(dir, 'data'),
        YIBAO_STATUS_PORT: String(await freePort()),
      });
      const t0 = performance.now();
      const status = await runMonitor({
        config,
        source: kafkaSource({
          kafka: testKafkaClient(kafka.brokers, 'backlog-monitor', { logLevel: logLevel.NOTHING }),
          groupId: 'backlog-monitor',
          topics: [TOPIC],
          fromStart: true,
          stopAtEnd: true,
        }),
        json: true,
        print: () => {},
        statusEveryMs: 60_000,
      });
      const monitorSeconds = (performance.now() - t0) / 1000;
      const floorRate = floor.read / floor.seconds;
      const monitorRate = status.records / monitorSeconds;
      const note = `${produced} records, 16 partitions, one run`;
      ctx.report({
        name: 'floor: kafkajs eachBatch, parse + count',
        value: round(floorRate),
        unit: 'records/s',
        note: `${floor.read} read; ${note}`,
      });
      ctx.report({
        name: 'monitor: Kafka backlog → topology → chDB (with start-up and final flush)',
        value: round(monitorRate),
        unit: 'records/s',
        target: '≥ 30,000 records/s',
        met: monitorRate >= 30_000,
        note: `${status.records} read, ${status.late} late; ${note}`,
      });
      ctx.report({
        name: 'ratio monitor / floor',
        value: round(monitorRate / floorRate, 3),
        target: '≥ 0.5',
        met: monitorRate / floorRate >= 0.5,
      });
      if (status.records !== produced || floor.read !== produced)
        throw new Error(`read ${status.records} (monitor) and ${floor.read} (floor) of ${produced} produced`);
    } finally {
      await kafka.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
