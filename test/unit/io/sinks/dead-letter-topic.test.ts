/**
 * The Kafka dead-letter topic as a Sink (processors/io/sinks/dead-letter-topic.ts), against a
 * producer that records what it is sent: where the dead letters come from in each mode, that
 * nothing is sent before `flush`, and that a failed send is sent again by the next flush.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../processors/config.ts';
import { deadLetterTopicSink } from '../../../../processors/io/sinks/dead-letter-topic.ts';
import type { KafkaRecord } from '../../../../processors/io/sources/kafka.ts';
import type { SourceRecord } from '../../../../processors/io/sources/source.ts';
import type { KafkaDeadLetter, KafkaDeadLetters } from '../../../../processors/kafka/dead-letters.ts';
import type { Rejected } from '../../../../processors/outputs.ts';

const config = loadConfig({ YIBAO_ENV: 'test' });

function producer(fail = 0): KafkaDeadLetters & { sent: KafkaDeadLetter[][]; closed: boolean } {
  let failures = fail;
  const p = {
    topic: 'dead-letters',
    sent: [] as KafkaDeadLetter[][],
    closed: false,
    async send(records: readonly KafkaDeadLetter[]) {
      if (failures-- > 0) throw new Error('KafkaJSNumberOfRetriesExceeded');
      p.sent.push([...records]);
    },
    async close() {
      p.closed = true;
    },
  };
  return p;
}

const rejected = (origin?: string): Rejected => ({
  kind: 'rejected',
  raw: '{"psn_no":"ps_x",',
  error: 'not JSON',
  path: '',
  ...(origin !== undefined && { origin }),
});

describe('deadLetterTopicSink', () => {
  it('is off when no topic is configured and no producer given', () => {
    expect(deadLetterTopicSink(config, { from: 'outputs' })).toBeUndefined();
  });

  it('from outputs: one dead letter per rejected output read from Kafka, sent at flush', async () => {
    const given = producer();
    const sink = deadLetterTopicSink(config, { from: 'outputs', given })!;
    await sink.write([rejected('settlements/3@41'), rejected('file:feed.ndjson'), rejected()]);
    expect(given.sent).toEqual([]); // buffered: nothing leaves before the flush that precedes a commit
    expect(sink.pending()).toBe(1);
    await sink.flush();
    expect(given.sent).toEqual([
      [
        {
          raw: '{"psn_no":"ps_x",',
          error: 'not JSON',
          path: '',
          topic: 'settlements',
          partition: 3,
          offset: '41',
        },
      ],
    ]);
    expect(sink.stats()).toEqual({ pending: 0, sent: 1 });
  });

  it('from records: the run loop adds each rejected Kafka record with its bytes; write adds nothing', async () => {
    const given = producer();
    const printed: string[] = [];
    const sink = deadLetterTopicSink(config, { from: 'records', given })!;
    const bytes = Buffer.from([0x7b, 0xff, 0x22]); // not UTF-8: kept byte for byte
    const record: KafkaRecord = {
      raw: bytes,
      topic: 'settlements',
      kafkaPartition: 1,
      offset: '7',
      partitionKey: 'H51010700001',
    };
    await sink.write([rejected('settlements/1@7')]);
    sink.add(
      record,
      rejected('settlements/1@7'),
      (s) => s,
      (l) => printed.push(l),
    );
    const fromFile: SourceRecord = { raw: '{', line: 3 };
    sink.add(
      fromFile,
      rejected('feed.ndjson'),
      (s) => s,
      (l) => printed.push(l),
    );
    sink.add(
      fromFile,
      rejected('feed.ndjson'),
      (s) => s,
      (l) => printed.push(l),
    );
    await sink.flush();
    expect(given.sent).toHaveLength(1);
    expect(given.sent[0]!.map((d) => [d.topic, d.partition, d.offset])).toEqual([['settlements', 1, '7']]);
    expect(Buffer.from(given.sent[0]![0]!.raw)).toEqual(bytes);
    // Records not read from Kafka have none, and the run says so once.
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('applies to records read from Kafka');
  });

  it('a failed send keeps the dead letters for the next flush, and the flush fails (no commit past them)', async () => {
    const given = producer(1);
    const sink = deadLetterTopicSink(config, { from: 'outputs', given })!;
    await sink.write([rejected('settlements/0@1'), rejected('settlements/0@2')]);
    await expect(sink.flush()).rejects.toThrow('KafkaJSNumberOfRetriesExceeded');
    expect(sink.pending()).toBe(2);
    await sink.flush();
    expect(given.sent.flat().map((d) => d.offset)).toEqual(['1', '2']);
  });

  it('close sends what is left and leaves a given producer to its owner', async () => {
    const given = producer();
    const sink = deadLetterTopicSink(config, { from: 'outputs', given })!;
    await sink.write([rejected('settlements/2@9')]);
    await sink.close();
    expect(given.sent.flat().map((d) => d.offset)).toEqual(['9']);
    expect(given.closed).toBe(false);
  });

  it('a configured topic without brokers fails at the first send, naming what to set', async () => {
    const sink = deadLetterTopicSink(loadConfig({ YIBAO_ENV: 'test', YIBAO_KAFKA_DEAD_LETTER_TOPIC: 'dl' }), {
      from: 'outputs',
    })!;
    await sink.write([rejected('settlements/0@1')]);
    await expect(sink.flush()).rejects.toThrow(
      'YIBAO_KAFKA_DEAD_LETTER_TOPIC="dl" needs YIBAO_KAFKA_BROKERS=host:port[,host:port…]',
    );
  });
});
