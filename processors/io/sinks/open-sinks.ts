/**
 * Every sink the monitor has, what turns each on, and the one composite Sink the run loops
 * (run.ts, run-stage.ts) write through. Adding a sink: a file in this folder with its Sink, and
 * one entry in SINKS.
 */
import { MonitorError } from '../../../schemas/errors.ts';
import type { Config } from '../../config.ts';
import type { KafkaDeadLetters } from '../../kafka/dead-letters.ts';
import type { StorageClient } from '../../storage/client.ts';
import { openAlertBusSink } from './alert-bus.ts';
import { alertFileSink, alertsFilePath } from './alert-file.ts';
import { openClickHouseSink } from './clickhouse.ts';
import { type CompositeSink, combineSinks } from './composite.ts';
import { openContractFilesSink } from './contract-files.ts';
import { deadLetterTopicSink } from './dead-letter-topic.ts';
import type { Sink } from './sink.ts';

export type OpenSinksOptions = {
  /** An open store to write to instead of the configured one; the caller closes it. */
  readonly storage?: StorageClient;
  /** Where the dead letters for the Kafka topic come from (dead-letter-topic.ts); default `outputs`. */
  readonly deadLettersFrom?: 'records' | 'outputs';
  /** A dead-letter producer to use instead of one on YIBAO_KAFKA_BROKERS (tests pass the mock's). */
  readonly kafkaDeadLetters?: KafkaDeadLetters;
  /** `run --out DIR`: replay's contract files too, to compare the live path with replay. */
  readonly outDir?: string;
  readonly onWrite?: (sink: string, seconds: number) => void;
  /** Where a sink's own lines go (the alert bus's outages and recoveries): the console. */
  readonly print?: (line: string) => void;
};

export type SinkEntry = {
  /** What turns the sink on (what `open` reads). */
  readonly on: string;
  /** Opened before the others (see clickhouse below). */
  readonly opensFirst?: boolean;
  /** The sink, or undefined while what turns it on is unset. */
  readonly open: (config: Config, options: OpenSinksOptions) => Sink | undefined | Promise<Sink | undefined>;
};

/**
 * In the order the sinks are written, flushed and closed:
 * - the dead-letter topic first: its write only buffers, and its flush (before a commit) sends
 *   the dead letters of the records the commit passes;
 * - the alert file, then the bus: an alert is in alerts.jsonl before the bus is asked for it, and
 *   both have it before the store can hold the loop back (the store's backpressure must not
 *   delay alerts);
 * - the store last: its write is the one that waits while ClickHouse is slow or down.
 */
export const SINKS = {
  kafka_dead_letters: {
    on: 'YIBAO_KAFKA_DEAD_LETTER_TOPIC (with YIBAO_KAFKA_BROKERS), or a producer given',
    open: (config, o) =>
      deadLetterTopicSink(config, {
        from: o.deadLettersFrom ?? 'outputs',
        ...(o.kafkaDeadLetters && { given: o.kafkaDeadLetters }),
      }),
  },
  alert_file: {
    on: 'always: <YIBAO_DATA_DIR>/alerts.jsonl',
    open: (config) => alertFileSink(alertsFilePath(config)),
  },
  alert_bus: {
    on: 'YIBAO_NATS_URL: the JetStream stream ALERTS',
    open: (config, o) => (config.YIBAO_NATS_URL ? openAlertBusSink(config, o.print) : undefined),
  },
  contract_files: {
    on: '`run --out DIR`: the contract files of EVENTS.md',
    open: (_config, o) => (o.outDir !== undefined ? openContractFilesSink(o.outDir) : undefined),
  },
  clickhouse: {
    on: 'always: YIBAO_CLICKHOUSE_URL, or chDB in <YIBAO_DATA_DIR>/chdb',
    // First: chDB locks the data directory, so a second monitor on the same directory fails here,
    // before the alert file reads, and may end the line of, the running monitor's alerts.jsonl.
    opensFirst: true,
    open: (config, o) => openClickHouseSink(config, o.storage),
  },
} as const satisfies Record<string, SinkEntry>;

export type SinkName = keyof typeof SINKS;
export type SinkOf<K extends SinkName> = NonNullable<Awaited<ReturnType<(typeof SINKS)[K]['open']>>>;

export interface Sinks extends CompositeSink {
  /** The sink of that name, or undefined while it is off (the store is always on). */
  get<K extends SinkName>(name: K): SinkOf<K> | undefined;
}

export async function openSinks(config: Config, options: OpenSinksOptions = {}): Promise<Sinks> {
  const opened = await openAll(SINKS, config, options);
  const composite = combineSinks([...opened.values()], options);
  return { ...composite, get: (name) => opened.get(name) as SinkOf<typeof name> | undefined };
}

/**
 * Each entry of `table` that is on, keyed by name in the table's order. When one fails to open,
 * those already open are closed again (a NATS connection left open would keep the process alive).
 */
export async function openAll(
  table: Readonly<Record<string, SinkEntry>>,
  config: Config,
  options: OpenSinksOptions,
): Promise<Map<string, Sink>> {
  const names = Object.keys(table);
  const order = [...names.filter((n) => table[n]!.opensFirst), ...names.filter((n) => !table[n]!.opensFirst)];
  const opened = new Map<string, Sink>();
  try {
    for (const name of order) {
      const sink = await table[name]!.open(config, options);
      if (!sink) continue;
      opened.set(name, sink);
      if (sink.name !== name)
        throw new MonitorError(
          'INTERNAL',
          `the sink of entry ${name} is named ${sink.name}: expected ${name}`,
        );
    }
  } catch (err) {
    for (const sink of opened.values()) await sink.close().catch(() => {});
    throw err;
  }
  return new Map(names.filter((n) => opened.has(n)).map((n) => [n, opened.get(n)!]));
}
