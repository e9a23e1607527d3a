/**
 * `yibao-monitor run`: the live monitor. With no options (the `npm start` default): the simulator
 * at a steady rate, with a few malformed records so the dead-letter path shows → topology → chDB
 * under ./data → alerts on the console and in data/alerts.jsonl.
 */

import { jetstream } from '@nats-io/jetstream';
import { chinaDate } from '../../rules/engine/time.ts';
import { MonitorError } from '../../schemas/errors.ts';
import { connectNats } from '../alerting/connect.ts';
import { type Config, requireSecretKey } from '../config.ts';
import { jetstreamSource } from '../io/sources/jetstream.ts';
import { kafkaSource } from '../io/sources/kafka.ts';
import { fileSource, stdinSource } from '../io/sources/ndjson.ts';
import { simulatorSource } from '../io/sources/simulator.ts';
import type { Source } from '../io/sources/source.ts';
import { createKafka } from '../kafka/client.ts';
import { runMonitor } from '../run.ts';
import { runStage } from '../run-stage.ts';
import { STAGE_KINDS, type StageKind } from '../stages/instance.ts';
import type { Topology } from '../topology.ts';
import { EVENT_STREAM } from './simulate-publish.ts';

export type RunCliOptions = {
  readonly source: string;
  readonly input?: string;
  readonly rate: string;
  readonly duration?: string;
  readonly json?: boolean;
  readonly seed: string;
  readonly institutions: string;
  readonly days: string;
  readonly malformed: string;
  readonly topics: string;
  readonly group: string;
  readonly fromStart?: boolean;
  readonly stopAtEnd?: boolean;
  readonly stage?: string;
  readonly handover?: string;
  readonly out?: string;
};

function positive(name: string, v: string, float = false): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (!float && !Number.isInteger(n))) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `--${name} ${JSON.stringify(v)} is invalid: expected a ${float ? 'number' : 'whole number'} ≥ 0`,
    );
  }
  return n;
}

export async function sourceFor(
  o: RunCliOptions,
  now: number,
  config: Config,
): Promise<Source | ((topology: Topology) => Source)> {
  switch (o.source) {
    case 'simulator': {
      const days = positive('days', o.days);
      // The simulated timeline ends today (China time), so rows are recent and within the tables' TTLs.
      const start = chinaDate(now - (days - 1) * 86_400_000);
      return simulatorSource(
        {
          seed: positive('seed', o.seed),
          institutions: positive('institutions', o.institutions),
          days,
          start,
        },
        positive('rate', o.rate),
        positive('malformed', o.malformed, true),
      );
    }
    case 'file':
      if (!o.input)
        throw new MonitorError('CONFIG_INVALID', '--source file needs --input FILE (an NDJSON file)');
      return fileSource(o.input);
    case 'stdin':
      return stdinSource();
    case 'kafka': {
      if (!config.YIBAO_KAFKA_BROKERS) {
        throw new MonitorError(
          'CONFIG_MISSING',
          '--source kafka needs YIBAO_KAFKA_BROKERS=host:port[,host:port…]',
        );
      }
      const kafka = createKafka(config.YIBAO_KAFKA_BROKERS.split(','), 'yibao-monitor');
      const topics = o.topics.split(',').filter(Boolean);
      // No source-side alignment: the topology holds records that run ahead of the watermark
      // (processors/stages/institution-stage.ts, alignMs), which does not stall Kafka fetches.
      return kafkaSource({
        kafka,
        groupId: o.group,
        topics,
        fromStart: o.fromStart !== false,
        ...(config.YIBAO_KAFKA_SESSION_TIMEOUT_MS !== undefined && {
          sessionTimeoutMs: config.YIBAO_KAFKA_SESSION_TIMEOUT_MS,
        }),
        stopAtEnd: o.stopAtEnd === true,
      });
    }
    case 'jetstream': {
      // Small deployments: the stream EVENTS (`simulate --publish jetstream`), one durable per group.
      const nc = await connectNats(config, { name: 'yibao-monitor-source', reconnect: true });
      const source = jetstreamSource(jetstream(nc), { stream: EVENT_STREAM, durable: o.group });
      return {
        ...source,
        close: async () => {
          await source.close();
          await nc.drain();
        },
      };
    }
    default:
      throw new MonitorError(
        'CONFIG_INVALID',
        `--source ${JSON.stringify(o.source)} is invalid: expected simulator, file, stdin, kafka or jetstream`,
      );
  }
}

export async function runCommand(config: Config, o: RunCliOptions): Promise<number> {
  if (o.source !== 'simulator') requireSecretKey(config, `run --source ${o.source}`);
  if (o.stage !== undefined) return runStageCommand(config, o, o.stage);
  const source = await sourceFor(o, Date.now(), config);
  const name = typeof source === 'function' ? `kafka (${o.topics})` : source.name;
  const duration = o.duration !== undefined ? positive('duration', o.duration, true) * 1000 : undefined;
  if (!o.json) {
    process.stdout.write(
      `yibao-monitor: ${name} → topology → ${config.YIBAO_CLICKHOUSE_URL ? 'ClickHouse' : `chDB in ${config.YIBAO_DATA_DIR}/chdb`}; status on http://127.0.0.1:${config.YIBAO_STATUS_PORT}/status. Ctrl-C stops and flushes.\n`,
    );
  }
  const final = await runMonitor({
    config,
    source,
    json: o.json === true,
    printAlerts: true,
    ...(duration !== undefined && { durationMs: duration }),
    ...(o.out !== undefined && { outDir: o.out }),
  });
  if (final.state === 'failed') {
    // What hung (a retrying sink, a socket) keeps the event loop alive: exit once stdout drains.
    setTimeout(() => process.exit(1), 1_000).unref();
  }
  return final.state === 'stopped' ? 0 : 1;
}

/** `run --source kafka --stage <stage>`: one stage of the distributed topology (README "Running at scale"). */
async function runStageCommand(config: Config, o: RunCliOptions, stage: string): Promise<number> {
  if (!(STAGE_KINDS as readonly string[]).includes(stage))
    throw new MonitorError(
      'CONFIG_INVALID',
      `--stage ${JSON.stringify(stage)} is invalid: expected one of ${STAGE_KINDS.join(', ')}`,
    );
  if (o.source !== 'kafka')
    throw new MonitorError('CONFIG_INVALID', `--stage needs --source kafka (got --source ${o.source})`);
  if (!config.YIBAO_KAFKA_BROKERS)
    throw new MonitorError('CONFIG_MISSING', '--stage needs YIBAO_KAFKA_BROKERS=host:port[,host:port…]');
  const final = await runStage({
    config,
    stage: stage as StageKind,
    inputTopics: o.topics.split(',').filter(Boolean),
    handOverPrefix: o.handover ?? 'yibao.stage',
    groupId: o.group,
    stopAtEnd: o.stopAtEnd === true,
    ...(o.json && { json: true }),
  });
  if (final.state === 'failed') setTimeout(() => process.exit(1), 1_000).unref(); // as for run
  return final.state === 'stopped' ? 0 : 1;
}
