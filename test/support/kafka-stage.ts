/**
 * Options of a stage process on a test cluster, bounded, its outputs dropped: what the Kafka stage
 * tests share (each overrides what it is about).
 */
import type { KafkaStageOptions } from '../../processors/kafka/stage-runner.ts';
import type { StageKind } from '../../processors/stages/instance.ts';
import { compileThresholds } from '../../rules/early-warning/thresholds.ts';
import { compilePacks } from '../../rules/packs/index.ts';
import { testKafkaClient } from './kafka.ts';

export function testStageOptions(
  brokers: string[],
  stage: StageKind,
  o: Pick<KafkaStageOptions, 'groupId' | 'inputTopics' | 'handOverTopics' | 'pseudonymKey'> & {
    readonly clientId: string;
  } & Partial<KafkaStageOptions>,
): KafkaStageOptions {
  const { clientId, ...rest } = o;
  return {
    stage,
    kafka: testKafkaClient(brokers, clientId),
    packs: compilePacks(),
    thresholds: compileThresholds(),
    allowedLatenessMs: 60_000,
    stopAtEnd: true,
    sessionTimeoutMs: 6_000,
    emit: async () => {},
    flush: async () => {},
    ...rest,
  };
}
