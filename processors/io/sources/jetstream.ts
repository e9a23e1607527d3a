/**
 * JetStream as the event source of a small deployment (a county): a durable pull consumer read as a
 * `Source`. A record is acknowledged only when the caller says its outputs are durable — `ack()` on
 * the record, `ackThrough(seq)` after a batch, or `commit()` once the sinks flushed — so a crash
 * redelivers what the sinks had not yet taken.
 */
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { ensureDurableConsumer, wrapNats } from '../../alerting/bus.ts';
import type { Source, SourceRecord } from './source.ts';

export type JetStreamRecord = SourceRecord & {
  readonly raw: Buffer;
  /** `<stream>#<stream sequence>`. */
  readonly origin: string;
  readonly seq: number;
  readonly subject: string;
  readonly redelivered: boolean;
  /** The record's outputs are durable: the server may forget it. */
  ack(): void;
  /** Hand the record back for redelivery (after `delayMs`). */
  nak(delayMs?: number): void;
};

export type JetStreamSource = Omit<Source, 'records'> & {
  readonly records: AsyncIterable<JetStreamRecord>;
  /** Acknowledges every delivered record with a sequence ≤ seq (a batch whose outputs are durable). */
  ackThrough(seq: number): void;
  /** Source.commit: every record handed out so far is durable; resolves when the server confirmed. */
  commit(): Promise<void>;
  close(): Promise<void>;
  /** Delivered, not yet acknowledged. */
  readonly unacked: number;
};

export type JetStreamSourceOptions = {
  readonly stream: string;
  readonly durable: string;
  readonly subjects?: readonly string[];
  /** Records fetched ahead of the caller; also bounds memory. */
  readonly batch?: number;
  readonly ackWaitMs?: number;
  /** Delivered but unacknowledged records the server allows before it pauses delivery. */
  readonly maxAckPending?: number;
};

export function jetstreamSource(js: JetStreamClient, opts: JetStreamSourceOptions): JetStreamSource {
  const batch = opts.batch ?? 500;
  const outstanding = new Map<number, JsMsg>();
  // Our own queue between the consumer and the caller: the consumer's iterator drops what it
  // prefetched when a `for await` over it breaks, and those messages would then wait out the ack
  // wait before anyone else could read them. The pump never breaks, so close() can hand all back.
  const queue: JsMsg[] = [];
  let messages: ConsumerMessages | undefined;
  let pump: Promise<void> | undefined;
  let pumpError: unknown;
  let pumpDone = false;
  let closed = false;
  let arrived: (() => void) | undefined;
  let room: (() => void) | undefined;

  async function open(): Promise<void> {
    try {
      const jsm = await js.jetstreamManager();
      await ensureDurableConsumer(jsm, opts.stream, {
        durable: opts.durable,
        ...(opts.subjects && { filter_subjects: opts.subjects }),
        ...(opts.ackWaitMs !== undefined && { ack_wait_ms: opts.ackWaitMs }),
        max_ack_pending: opts.maxAckPending ?? 10_000,
      });
      const consumer = await js.consumers.get(opts.stream, opts.durable);
      messages = await consumer.consume({ max_messages: batch });
    } catch (err) {
      throw wrapNats(err, `cannot read stream ${opts.stream} with consumer ${opts.durable}`);
    }
    const from = messages;
    pump = (async () => {
      try {
        for await (const m of from) {
          if (closed) {
            m.nak();
            continue;
          }
          queue.push(m);
          arrived?.();
          while (queue.length >= batch && !closed) await new Promise<void>((resolve) => (room = resolve));
        }
      } catch (err) {
        pumpError = err;
      } finally {
        pumpDone = true;
        arrived?.();
      }
    })();
  }

  async function* records(): AsyncGenerator<JetStreamRecord> {
    await open();
    while (!closed) {
      const m = queue.shift();
      if (!m) {
        if (pumpDone) {
          if (pumpError) throw wrapNats(pumpError, `stream ${opts.stream} stopped`);
          return;
        }
        await new Promise<void>((resolve) => (arrived = resolve));
        arrived = undefined;
        continue;
      }
      room?.();
      // A redelivery of a record the caller still holds (the server's ack wait ran out, or a
      // previous reader's hand-back crossed an in-flight pull): not handed out twice; the newer
      // delivery is the one acknowledged.
      if (outstanding.has(m.seq)) {
        outstanding.set(m.seq, m);
        continue;
      }
      outstanding.set(m.seq, m);
      const seq = m.seq;
      yield {
        raw: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength),
        origin: `${opts.stream}#${seq}`,
        seq,
        subject: m.subject,
        redelivered: m.redelivered,
        ack: () => {
          // The newest delivery of this record (see above), and this one.
          const current = outstanding.get(seq);
          outstanding.delete(seq);
          if (current && current !== m) current.ack();
          m.ack();
        },
        nak: (delayMs?: number) => {
          const current = outstanding.get(seq);
          outstanding.delete(seq);
          (current ?? m).nak(delayMs);
        },
      };
    }
  }

  return {
    name: `jetstream:${opts.stream}/${opts.durable}`,
    records: records(),
    ackThrough(seq: number): void {
      for (const [s, m] of outstanding) {
        if (s > seq) continue;
        outstanding.delete(s);
        m.ack();
      }
    },
    async commit(): Promise<void> {
      const all = [...outstanding.values()];
      outstanding.clear();
      try {
        await Promise.all(all.map((m) => m.ackAck()));
      } catch (err) {
        throw wrapNats(err, `cannot acknowledge records of ${opts.stream}`);
      }
    },
    get unacked() {
      return outstanding.size;
    },
    /** Stops reading and hands back what was delivered but not acknowledged, for the next reader. */
    async close(): Promise<void> {
      closed = true;
      room?.();
      arrived?.();
      await messages?.close();
      await pump;
      for (const m of [...queue.splice(0), ...outstanding.values()]) m.nak();
      outstanding.clear();
    },
  };
}
