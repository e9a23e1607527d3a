// Settlements through a JetStream stream and back: publish with msgID (deduplicated within the
// stream's duplicate window), a durable pull consumer with explicit acks, the real decoder.
import { AckPolicy, DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecoder } from '../../schemas/decode.ts';
import { startNats, type TestNats } from '../support/nats.ts';
import { clearPsnNo, generateSettlements, seqOf, toFen } from '../support/settlements.ts';

const RECORDS = 10_000;
const PUBLISH_WINDOW = 500;
const DUPLICATES = [0, 1, 4_321, 5_000, 9_999];

describe('settlements over a JetStream stream', () => {
  let nats: TestNats;
  let stream: string;
  const generated = generateSettlements(RECORDS);

  beforeAll(async () => {
    nats = await startNats();
    stream = nats.uniqueName('SETTLEMENTS_IT');
    await nats.addStream({ name: stream, subjects: [`${stream}.settlement.*`] });
    process.stderr.write(`jetstream.test: ${nats.kind} nats-server at ${nats.url}, stream ${stream}\n`);
  });

  afterAll(async () => {
    await nats?.stop();
  });

  it('10,000 settlements published with msgID are stored once each; republished ids are reported as duplicates and not stored', async () => {
    const js = jetstream(nats.nc);
    const seqs: number[] = [];
    for (let i = 0; i < generated.length; i += PUBLISH_WINDOW) {
      const acks = await Promise.all(
        generated.slice(i, i + PUBLISH_WINDOW).map((g) =>
          js.publish(`${stream}.settlement.${g.record.fixmedins_code}`, g.json, {
            msgID: g.record.event_id,
          }),
        ),
      );
      for (const a of acks) {
        expect(a.duplicate).toBe(false);
        expect(a.stream).toBe(stream);
        seqs.push(a.seq);
      }
    }
    // One connection keeps publish order, so stream sequence n holds record n-1.
    expect(seqs).toEqual(generated.map((g) => g.seq + 1));

    for (const seq of DUPLICATES) {
      const g = generated[seq]!;
      const ack = await js.publish(`${stream}.settlement.${g.record.fixmedins_code}`, g.json, {
        msgID: g.record.event_id,
      });
      expect(ack.duplicate).toBe(true);
      expect(ack.seq).toBe(seq + 1);
    }
    const info = await nats.jsm.streams.info(stream);
    expect(info.state.messages).toBe(RECORDS);
    expect(info.state.first_seq).toBe(1);
    expect(info.state.last_seq).toBe(RECORDS);
  });

  it('a durable pull consumer with explicit acks reads every settlement once, decoded and pseudonymised, and leaves nothing pending', async () => {
    const durable = nats.uniqueName('monitor');
    await nats.jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 30_000_000_000,
    });
    const consumer = await jetstream(nats.nc).consumers.get(stream, durable);
    const decode = createDecoder({ pseudonymKey: 'integration-test-pseudonym-key' });

    const received: { seq: number; streamSeq: number; code: string; fundFen: number; psn: string }[] = [];
    const rejected: string[] = [];
    let redelivered = 0;
    const messages = await consumer.consume({ max_messages: 1_000 });
    for await (const m of messages) {
      const r = decode(m.string());
      if (!r.ok) rejected.push(`${m.seq}: ${r.error.message}`);
      else if (r.event.type !== 'settlement') rejected.push(`${m.seq}: unexpected type ${r.event.type}`);
      else {
        received.push({
          seq: seqOf(r.event.event_id),
          streamSeq: m.info.streamSequence,
          code: r.event.fixmedins_code,
          fundFen: toFen(r.event.fund_pay_sumamt),
          psn: r.event.psn_no,
        });
      }
      if (m.redelivered) redelivered++;
      m.ack();
      if (received.length + rejected.length === RECORDS) break;
    }
    await messages.close();
    await nats.nc.flush();

    expect(rejected).toEqual([]);
    expect(redelivered).toBe(0);
    expect(received).toHaveLength(RECORDS);
    expect(received.map((r) => r.streamSeq)).toEqual(generated.map((g) => g.seq + 1));
    expect(received.map((r) => r.seq)).toEqual(generated.map((g) => g.seq));
    for (const r of received) {
      const g = generated[r.seq]!;
      expect(r.code).toBe(g.record.fixmedins_code);
      expect(r.fundFen).toBe(g.fundFen);
      expect(r.psn).not.toBe(clearPsnNo(r.seq));
    }
    expect(new Set(received.map((r) => r.psn)).size).toBe(RECORDS);
    expect(received.reduce((s, r) => s + r.fundFen, 0)).toBe(generated.reduce((s, g) => s + g.fundFen, 0));

    // Acks are fire-and-forget; flush() saw them reach the server, which applies them right after.
    await expect
      .poll(
        async () => {
          const ci = await nats.jsm.consumers.info(stream, durable);
          return {
            pending: ci.num_pending,
            ackPending: ci.num_ack_pending,
            redelivered: ci.num_redelivered,
            ackFloor: ci.ack_floor.stream_seq,
          };
        },
        { timeout: 5_000, interval: 100 },
      )
      .toEqual({ pending: 0, ackPending: 0, redelivered: 0, ackFloor: RECORDS });
  });
});
