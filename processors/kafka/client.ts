/** kafkajs client whose log lines go to pino (and stay quiet below warnings). */
import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';

export function createKafka(brokers: readonly string[], clientId: string, log?: Logger): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        if (!log) return;
        const { message, ...extra } = entry;
        const fn = level <= logLevel.ERROR ? 'error' : 'warn';
        log[fn]({ kafka: extra }, message);
      },
  });
}
