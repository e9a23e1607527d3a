/**
 * The hand-over between stages over Kafka (the Kafka Streams repartition pattern,
 * ARCHITECTURE.md "Keys and stages"): one topic per receiving stage, messages keyed by the
 * receiving stage's key (kafkajs' default partitioner spreads keys over partitions), progress
 * marks written to every partition. Messages are buffered and written by `flush`, which the
 * runner awaits (all in-sync replicas acknowledged) before it commits its own input offsets.
 */
import { CompressionTypes, type Producer } from 'kafkajs';
import { encodeStageMessage } from '../stages/codec.ts';
import type { HandOver, StageMessage, StageName } from '../stages/messages.ts';

type Pending = { key?: string; value: string; partition?: number };

export class KafkaHandOver implements HandOver {
  private pending = new Map<string, Pending[]>();
  private count = 0;

  constructor(
    private readonly producer: Producer,
    private readonly topics: Readonly<Record<StageName, string>>,
    private readonly partitions: Readonly<Record<StageName, number>>,
  ) {}

  send(stage: StageName, key: string, message: StageMessage): void {
    this.push(this.topics[stage], { key, value: encodeStageMessage(message) });
  }

  broadcast(stage: StageName, message: StageMessage): void {
    const value = encodeStageMessage(message);
    for (let partition = 0; partition < this.partitions[stage]; partition++)
      this.push(this.topics[stage], { value, partition });
  }

  get size(): number {
    return this.count;
  }

  async flush(): Promise<void> {
    if (this.count === 0) return;
    const topicMessages = [...this.pending].map(([topic, messages]) => ({ topic, messages }));
    this.pending = new Map();
    this.count = 0;
    // GZIP (built into kafkajs): stage messages are repetitive JSON and shrink several times over.
    await this.producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.GZIP });
  }

  private push(topic: string, m: Pending): void {
    let list = this.pending.get(topic);
    if (!list) this.pending.set(topic, (list = []));
    list.push(m);
    this.count++;
  }
}
