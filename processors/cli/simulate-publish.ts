/**
 * `yibao-monitor simulate --publish kafka|jetstream --rate N`: the simulator's feed published at a
 * steady rate instead of written to a file. Kafka: each record to its input topic (settlements,
 * claim-audits, supervision, registry), keyed by its institution so one institution's records keep
 * their order in one partition. JetStream: stream EVENTS, subjects `events.<type>` (small
 * deployments read it with `run --source jetstream`).
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { MonitorError } from '../../schemas/errors.ts';
import { connectNats } from '../alerting/connect.ts';
import type { Config } from '../config.ts';
import { createKafka } from '../kafka/client.ts';
import type { SimulateOptions } from '../simulator/options.ts';
import { publishAtRate } from '../simulator/publish.ts';
import { createSimulation } from '../simulator/simulate.ts';

export const TOPIC_OF_TYPE: Readonly<Record<string, string>> = {
  settlement: 'settlements',
  settlement_reversal: 'settlements',
  claim_audit: 'claim-audits',
  supervision: 'supervision',
  institution: 'registry',
  practitioner: 'registry',
};

export const EVENT_STREAM = 'EVENTS';

const TYPE = /"type"\s*:\s*"([a-z_]+)"/;
const KEY = /"(?:fixmedins_code|subject_code)"\s*:\s*"([^"]+)"/;

/** The institution (or subject) a record belongs to: its partition key. */
export function keyOf(line: string): string {
  return KEY.exec(line)?.[1] ?? '';
}

export async function publishSimulation(
  config: Config,
  to: string,
  rate: number,
  options: SimulateOptions,
  print: (l: string) => void,
): Promise<number> {
  const sim = createSimulation(options);
  const started = Date.now();
  let published = 0;
  const report = (n: number) => {
    published = n;
    if (n % 50_000 === 0)
      print(`published ${n} records (${Math.round((n * 1000) / Math.max(1, Date.now() - started))}/s)`);
  };
  if (to === 'kafka') {
    if (!config.YIBAO_KAFKA_BROKERS)
      throw new MonitorError(
        'CONFIG_MISSING',
        '--publish kafka needs YIBAO_KAFKA_BROKERS=host:port[,host:port…]',
      );
    const producer = createKafka(config.YIBAO_KAFKA_BROKERS.split(','), 'yibao-simulator').producer();
    await producer.connect();
    // Records go out in batches of up to 200 per topic (one request per record caps a producer
    // far below the rates a province needs); publishAtRate still paces them one by one.
    const pending = new Map<string, { key: string; value: string }[]>();
    let buffered = 0;
    const flush = async () => {
      const topicMessages = [...pending].map(([topic, messages]) => ({ topic, messages }));
      pending.clear();
      buffered = 0;
      if (topicMessages.length > 0) await producer.sendBatch({ topicMessages });
    };
    try {
      await publishAtRate(
        sim.lines(),
        rate,
        async (line) => {
          const topic = TOPIC_OF_TYPE[TYPE.exec(line)?.[1] ?? ''] ?? 'settlements';
          const list = pending.get(topic) ?? [];
          list.push({ key: keyOf(line), value: line });
          pending.set(topic, list);
          if (++buffered >= 200) await flush();
        },
        { onPublished: report },
      );
      await flush();
    } finally {
      await producer.disconnect();
    }
  } else if (to === 'jetstream') {
    const nc = await connectNats(config, { name: 'yibao-simulator', reconnect: true });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: EVENT_STREAM, subjects: ['events.>'] }).catch(() => undefined);
      const js = jetstream(nc);
      await publishAtRate(
        sim.lines(),
        rate,
        async (line) => {
          await js.publish(`events.${TYPE.exec(line)?.[1] ?? 'unknown'}`, line, {
            msgID: /"event_id"\s*:\s*"([^"]+)"/.exec(line)?.[1] ?? '',
          });
        },
        { onPublished: report },
      );
    } finally {
      await nc.drain();
    }
  } else {
    throw new MonitorError(
      'CONFIG_INVALID',
      `--publish ${JSON.stringify(to)} is invalid: expected kafka or jetstream`,
    );
  }
  print(`published ${published} records to ${to} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return published;
}
