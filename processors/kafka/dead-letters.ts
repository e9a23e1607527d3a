/**
 * Dead letters to a Kafka topic (besides the ClickHouse `dead_letters` table): each rejected input
 * record goes out with its raw bytes as they were read, personal identifiers replaced by their
 * tokens, so it can be inspected and re-driven from Kafka alone.
 *
 * A dead letter's value is the record's bytes, redacted (`redactRawBytes`) and otherwise
 * unchanged, even when they are not valid UTF-8. Its headers say why and where from:
 *   yibao-error, yibao-error-path, yibao-source-topic, yibao-source-partition, yibao-source-offset
 * and, only when they apply, yibao-raw-truncated (original length) and yibao-raw-withheld (reason).
 * Its key is `${topic}/${partition}/${offset}` of the source record.
 *
 * Delivery is at least once. The idempotent producer removes duplicates of its own retries within
 * one session only; after a crash the run re-reads from the last committed offset and sends the
 * same dead letters again. Consumers of the topic therefore dedup by key (one source position is
 * one dead letter), or compact the topic by key.
 */
import { isUtf8 } from 'node:buffer';
import type { Kafka, Message, Producer } from 'kafkajs';
import { PERSONAL_FIELDS, type Pseudonymiser, redactRaw } from '../../schemas/pseudonymise.ts';
import type { KafkaRecord } from '../io/sources/kafka.ts';
import type { Rejected } from '../outputs.ts';

export type KafkaDeadLetter = {
  /** The rejected record's bytes with personal identifiers already replaced (redactRawBytes). */
  readonly raw: Uint8Array | string;
  readonly error: string;
  /** Where in the record the error is (the decoder's path, '' for the whole record). */
  readonly path: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
};

export type KafkaDeadLetters = {
  readonly topic: string;
  /** Resolves once every record is acknowledged by all in-sync replicas. */
  send(records: readonly KafkaDeadLetter[]): Promise<void>;
  close(): Promise<void>;
};

export type KafkaDeadLettersOptions = {
  readonly kafka: Kafka;
  readonly topic: string;
  /**
   * Values longer than this are cut (header yibao-raw-truncated holds the original length): a
   * record the broker refuses as too large would otherwise stop the run on every retry. The
   * default stays under Kafka's default message.max.bytes (1 MiB) with room for headers.
   */
  readonly maxValueBytes?: number;
  /**
   * Idempotent producer (default true): the broker drops duplicates of the producer's own retries.
   * Needs a controller broker in the metadata, which librdkafka 2.0.2's mock cluster does not give
   * (ARCHITECTURE.md, "Testing against real parts"): tests against the mock turn it off.
   */
  readonly idempotent?: boolean;
};

export const DEAD_LETTER_HEADERS = {
  error: 'yibao-error',
  errorPath: 'yibao-error-path',
  sourceTopic: 'yibao-source-topic',
  sourcePartition: 'yibao-source-partition',
  sourceOffset: 'yibao-source-offset',
  truncated: 'yibao-raw-truncated',
  withheld: 'yibao-raw-withheld',
} as const;

const DEFAULT_MAX_VALUE_BYTES = 900_000;
/** Error texts are short; a pathological one is cut so the headers stay small. */
const MAX_ERROR_BYTES = 8_192;
/** Records per produce request, by size: kafkajs sends one batch per partition and does not split it. */
const MAX_REQUEST_BYTES = 900_000;

/**
 * A raw record redacted byte for byte: valid UTF-8 goes through `redactRaw` as text (tokens equal
 * to those of the decoded stream); other bytes are read as Latin-1, one character per byte, so
 * every byte outside a replaced value comes back exactly as it was.
 */
export function redactRawBytes(raw: Uint8Array | string, pseudonymise: Pseudonymiser): Buffer {
  if (typeof raw === 'string') return Buffer.from(redactRaw(raw, pseudonymise), 'utf8');
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const encoding = isUtf8(buf) ? 'utf8' : 'latin1';
  return Buffer.from(redactRaw(buf.toString(encoding), pseudonymise), encoding);
}

/** The dead letter for a Kafka record the topology rejected. */
export function deadLetterOf(
  record: KafkaRecord,
  rejected: Rejected,
  pseudonymise: Pseudonymiser,
): KafkaDeadLetter {
  return {
    raw: redactRawBytes(record.raw, pseudonymise),
    error: rejected.error,
    path: rejected.path,
    topic: record.topic,
    partition: record.kafkaPartition,
    offset: record.offset,
  };
}

/** A value that is neither a pseudonym token nor null/true/false, after a personal field's name. */
const NOT_TOKEN = String.raw`\s*:\s*(?:"(?!ps_)|(?=[^\s"])(?!null|true|false))`;
const CLEAR_PERSONAL = new RegExp(`"(?:${PERSONAL_FIELDS.join('|')})"${NOT_TOKEN}`, 'i');
const INSURED_SUBJECT = /"subject_kind"\s*:\s*"insured"/;
const CLEAR_SUBJECT_CODE = new RegExp(`"subject_code"${NOT_TOKEN}`);

/** True when a personal field still holds something that is not a `ps_` token (a last check). */
export function holdsClearIdentifier(text: string): boolean {
  return CLEAR_PERSONAL.test(text) || (INSURED_SUBJECT.test(text) && CLEAR_SUBJECT_CODE.test(text));
}

function cut(text: string, max: number): string {
  const b = Buffer.from(text, 'utf8');
  return b.length <= max ? text : `${b.subarray(0, max - 3).toString('utf8')}…`;
}

export function toMessage(d: KafkaDeadLetter, maxValueBytes = DEFAULT_MAX_VALUE_BYTES): Message {
  const H = DEAD_LETTER_HEADERS;
  let value =
    typeof d.raw === 'string'
      ? Buffer.from(d.raw, 'utf8')
      : Buffer.from(d.raw.buffer, d.raw.byteOffset, d.raw.byteLength);
  const headers: Record<string, string> = {
    [H.error]: cut(d.error, MAX_ERROR_BYTES),
    [H.errorPath]: cut(d.path, MAX_ERROR_BYTES),
    [H.sourceTopic]: d.topic,
    [H.sourcePartition]: String(d.partition),
    [H.sourceOffset]: d.offset,
  };
  // Last line of defence for personal data: a value redactRaw could not reach (an array or object
  // where an identifier should be) is withheld rather than sent in clear.
  if (holdsClearIdentifier(value.toString('latin1'))) {
    headers[H.withheld] = 'a personal identifier field holds a value that is not a pseudonym token';
    value = Buffer.alloc(0);
  } else if (value.length > maxValueBytes) {
    headers[H.truncated] = String(value.length);
    value = value.subarray(0, maxValueBytes);
  }
  return { key: `${d.topic}/${d.partition}/${d.offset}`, value, headers };
}

export function createKafkaDeadLetters(o: KafkaDeadLettersOptions): KafkaDeadLetters {
  const maxValueBytes = o.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  if (!Number.isInteger(maxValueBytes) || maxValueBytes < 1) {
    throw new RangeError(`dead letters maxValueBytes: ${maxValueBytes}, expected a positive integer`);
  }
  // One request in flight keeps retries in order.
  const producer: Producer = o.kafka.producer({
    idempotent: o.idempotent ?? true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  let connected: Promise<void> | undefined;

  return {
    topic: o.topic,
    async send(records) {
      if (records.length === 0) return;
      await (connected ??= producer.connect());
      let batch: Message[] = [];
      let bytes = 0;
      const flush = async () => {
        if (batch.length > 0) await producer.send({ topic: o.topic, acks: -1, messages: batch });
        batch = [];
        bytes = 0;
      };
      for (const d of records) {
        const m = toMessage(d, maxValueBytes);
        const size = (m.value as Buffer).length + 1_024;
        if (bytes + size > MAX_REQUEST_BYTES) await flush();
        batch.push(m);
        bytes += size;
      }
      await flush();
    },
    async close() {
      if (connected) await producer.disconnect();
      connected = undefined;
    },
  };
}
