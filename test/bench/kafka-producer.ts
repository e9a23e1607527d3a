/**
 * The end-to-end benchmark's producer, in its own process: reads an NDJSON feed and produces it to
 * Kafka keyed by institution at a steady rate (batches every 50 ms) for a number of seconds.
 * `node --import tsx test/bench/kafka-producer.ts BROKERS TOPIC FILE RATE SECONDS`; prints one
 * JSON line {produced, seconds} at the end and a progress line `produced N` every second on stderr.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Partitioners } from 'kafkajs';
import { testKafkaClient } from '../support/kafka.ts';
import { keyOf } from './kafka-harness.ts';

const [brokers = '', topic = 'events', file = '', rateArg = '30000', secondsArg = '60'] =
  process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const producer = testKafkaClient(brokers.split(','), 'bench-producer').producer({
  createPartitioner: Partitioners.DefaultPartitioner,
});
await producer.connect();
const lines = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }) })[
  Symbol.asyncIterator
]();
const TICK_MS = 50;
const t0 = performance.now();
let produced = 0;
let lastReport = t0;
outer: for (;;) {
  const elapsed = performance.now() - t0;
  if (elapsed >= seconds * 1000) break;
  const due = Math.floor((elapsed / 1000) * rate) + Math.round((rate * TICK_MS) / 1000);
  const messages: { key: string; value: string }[] = [];
  while (produced + messages.length < due) {
    const n = await lines.next();
    if (n.done) {
      if (messages.length) await producer.send({ topic, messages });
      produced += messages.length;
      break outer;
    }
    messages.push({ key: keyOf(n.value), value: n.value });
  }
  if (messages.length) {
    await producer.send({ topic, messages });
    produced += messages.length;
  }
  const now = performance.now();
  if (now - lastReport > 1000) {
    lastReport = now;
    process.stderr.write(`produced ${produced}\n`);
  }
  const wait = TICK_MS - ((performance.now() - t0) % TICK_MS);
  await new Promise((r) => setTimeout(r, wait));
}
await producer.disconnect();
process.stdout.write(`${JSON.stringify({ produced, seconds: (performance.now() - t0) / 1000 })}\n`);
process.exit(0);
