/**
 * The Kafka dead-letter topic as a Sink (YIBAO_KAFKA_DEAD_LETTER_TOPIC): rejected records buffered
 * and sent by `flush`, which the run calls before it commits source offsets, so a record whose
 * offset is committed has its dead letter on the topic (at least once: a crash before the commit
 * sends it again, with the same key). The message format and the producer are
 * processors/kafka/dead-letters.ts.
 *
 * Where a dead letter comes from (`from`):
 * - `records` (the embedded monitor): the run loop hands over each rejected Kafka record with
 *   `add`, so the dead letter carries the record's bytes exactly as read; `write` adds nothing.
 * - `outputs` (the ingest stage): a rejected output whose origin is a Kafka position. Its raw text
 *   is the output's, already redacted at ingest; bytes that were not UTF-8 arrive as U+FFFD.
 */
import { MonitorError } from '../../../schemas/errors.ts';
import type { Config } from '../../config.ts';
import { createKafka } from '../../kafka/client.ts';
import {
  createKafkaDeadLetters,
  deadLetterOf,
  type KafkaDeadLetter,
  type KafkaDeadLetters,
} from '../../kafka/dead-letters.ts';
import type { Rejected } from '../../outputs.ts';
import type { KafkaRecord } from '../sources/kafka.ts';
import type { SourceRecord } from '../sources/source.ts';
import type { Sink } from './sink.ts';

export type DeadLetterTopicOptions = {
  readonly from: 'records' | 'outputs';
  /** A producer to use instead of one on YIBAO_KAFKA_BROKERS (tests); the caller closes it. */
  readonly given?: KafkaDeadLetters;
};

export interface DeadLetterTopicSink extends Sink {
  /** The dead letter of a record the topology rejected; records not read from Kafka have none. */
  add(
    record: SourceRecord,
    rejected: Rejected,
    pseudonymise: (clear: string) => string,
    print: (l: string) => void,
  ): void;
  /** Dead letters buffered, not yet sent. */
  pending(): number;
  stats(): { readonly pending: number; readonly sent: number };
}

function isKafkaRecord(r: SourceRecord): r is KafkaRecord {
  return 'kafkaPartition' in r && 'offset' in r && 'topic' in r;
}

/**
 * The Kafka dead letter of a rejected output whose origin is a Kafka position (`topic/partition@offset`,
 * as the ingest stage names it), or undefined. Its raw text is the output's, already redacted
 * at ingest (not redacted again: tokens would change); bytes that were not UTF-8 arrive as U+FFFD.
 */
export function kafkaDeadLetterOfRejected(rejected: Rejected): KafkaDeadLetter | undefined {
  const m = /^(.+)\/(\d+)@(\d+)$/.exec(rejected.origin ?? '');
  if (!m) return undefined;
  return {
    raw: rejected.raw,
    error: rejected.error,
    path: rejected.path,
    topic: m[1]!,
    partition: Number(m[2]),
    offset: m[3]!,
  };
}

/** Undefined when neither a topic is configured nor a producer given. */
export function deadLetterTopicSink(
  config: Config,
  options: DeadLetterTopicOptions,
): DeadLetterTopicSink | undefined {
  const { given } = options;
  const topic = config.YIBAO_KAFKA_DEAD_LETTER_TOPIC;
  if (given === undefined && topic === undefined) return undefined;
  const own = given === undefined;
  let target = given;
  // The producer is made at the first send: a run that rejects nothing never connects.
  const open = (): KafkaDeadLetters => {
    if (target) return target;
    if (!config.YIBAO_KAFKA_BROKERS)
      throw new MonitorError(
        'CONFIG_MISSING',
        `YIBAO_KAFKA_DEAD_LETTER_TOPIC=${JSON.stringify(topic)} needs YIBAO_KAFKA_BROKERS=host:port[,host:port…]`,
        { variable: 'YIBAO_KAFKA_BROKERS' },
      );
    target = createKafkaDeadLetters({
      kafka: createKafka(config.YIBAO_KAFKA_BROKERS.split(','), 'yibao-monitor-dead-letters'),
      topic: topic!,
    });
    return target;
  };
  let pending: KafkaDeadLetter[] = [];
  let sent = 0;
  let warned = false;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    try {
      await open().send(batch);
      sent += batch.length;
    } catch (err) {
      pending = [...batch, ...pending];
      throw err;
    }
  };
  return {
    name: 'kafka_dead_letters',
    add(record, rejected, pseudonymise, print) {
      if (isKafkaRecord(record)) pending.push(deadLetterOf(record, rejected, pseudonymise));
      else if (!warned) {
        warned = true;
        print(
          'YIBAO_KAFKA_DEAD_LETTER_TOPIC applies to records read from Kafka: rejected records of this source go to the dead_letters table only',
        );
      }
    },
    async write(outputs) {
      if (options.from !== 'outputs') return;
      for (const o of outputs) {
        const d = o.kind === 'rejected' ? kafkaDeadLetterOfRejected(o) : undefined;
        if (d) pending.push(d);
      }
    },
    pending: () => pending.length,
    flush,
    async close() {
      await flush();
      if (own) await target?.close();
    },
    stats: () => ({ pending: pending.length, sent }),
  };
}
