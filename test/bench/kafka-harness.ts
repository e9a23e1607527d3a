/**
 * Shared by the end-to-end and latency benchmarks: librdkafka's mock cluster (6 partitions), the
 * NATS server (test/support/nats.ts), a config for runMonitor with its own chDB directory, and
 * the alert bus. runMonitor writes alerts to its alert file but does not publish them to the
 * bus, so the benchmark wraps AlertFileSink.prototype.write to also publish each alert with
 * AlertPublisher (a stream and subject prefix of its own, deleted at the end) — a wrapper in the
 * benchmark, not a change to run.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { AlertPublisher, ensureAlertStream } from '../../processors/alerting/bus.ts';
import { type Config, loadConfig } from '../../processors/config.ts';
import { AlertFileSink } from '../../processors/io/sinks/alert-file.ts';
import type { Alert } from '../../processors/outputs.ts';
import { startKafka, type TestKafka } from '../support/kafka.ts';
import { startNats, type TestNats } from '../support/nats.ts';

export const TOPIC = 'events';
export const KEY = 'bench-pseudonym-key-0123456789';

/** The institution a record belongs to (as test/integration/kafka-monitor.test.ts keys it), cheaply. */
const KEY_FIELD = /"(?:fixmedins_code|subject_code|practitioner_code|event_id)"\s*:\s*"([^"]*)"/;
export function keyOf(raw: string): string {
  const m = /"fixmedins_code"\s*:\s*"([^"]*)"/.exec(raw) ?? KEY_FIELD.exec(raw);
  return m?.[1] ?? '';
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export type Harness = {
  kafka: TestKafka;
  nats: TestNats;
  stream: string;
  prefix: string;
  publisher: AlertPublisher;
  config: Config;
  stop(): Promise<void>;
};

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const kafka = await startKafka({ topics: [{ name: TOPIC, partitions: 6 }], kind: 'mock' });
  const nats = await startNats();
  const stream = nats.uniqueName('ALERTS_BENCH');
  const prefix = `bench_${stream.toLowerCase()}`;
  await ensureAlertStream(nats.jsm, { name: stream, subjects: [`${prefix}.>`] });
  const publisher = new AlertPublisher(jetstream(nats.nc), { prefix });
  const dir = mkdtempSync(join(tmpdir(), 'bench-monitor-'));
  const config = loadConfig({
    YIBAO_ENV: 'test',
    YIBAO_PSEUDONYM_KEY: KEY,
    YIBAO_DATA_DIR: join(dir, 'data'),
    YIBAO_STATUS_PORT: String(await freePort()),
    ...env,
  });
  const write = AlertFileSink.prototype.write;
  AlertFileSink.prototype.write = async function (this: AlertFileSink, alerts: readonly Alert[]) {
    await write.call(this, alerts);
    await publisher.write(alerts);
  };
  return {
    kafka,
    nats,
    stream,
    prefix,
    publisher,
    config,
    async stop() {
      AlertFileSink.prototype.write = write;
      await publisher.close();
      await nats.jsm.streams.delete(stream).catch(() => undefined);
      await nats.stop();
      await kafka.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
