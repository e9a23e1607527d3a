/**
 * Checkpoints in a JetStream Object Store bucket, one object per stage, in the same file format as
 * the directory store (checkpoints.ts), so the same checks apply to what comes back.
 *
 * Atomicity comes from the Object Store protocol: an object's chunks are published first and its
 * metadata (which names the chunks) last, with a rollup; the previous chunks are purged only after
 * that. A writer that dies midway leaves the previous metadata, hence the previous checkpoint.
 * The Object Store also keeps its own SHA-256 of the object and refuses to return one whose chunks
 * do not match it: that is reported as 'corrupt' too.
 */

import { type ObjectStore, type ObjectStoreOptions, Objm, setSha256Backend } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  type CheckpointStore,
  checkStage,
  decodeCheckpoint,
  encodePreamble,
  type LoadOptions,
  type LoadResult,
  type Snapshot,
} from './checkpoints.ts';

// The default digest is pure JS, several times slower on multi-megabyte states; node:crypto gives
// the same bytes. The setting is process-wide, which is what a Node process wants anyway.
setSha256Backend('native');

const CORRUPT_OBJECT = /corrupt object|digests do not match/;

function streamOf(parts: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = parts[i++];
      if (next === undefined) controller.close();
      else controller.enqueue(next);
    },
  });
}

export class JetStreamCheckpointStore implements CheckpointStore {
  constructor(readonly objects: ObjectStore) {}

  /** Opens the bucket, creating it when missing (a create of an existing bucket opens it). */
  static async open(
    nc: NatsConnection,
    bucket: string,
    options: Partial<ObjectStoreOptions> = {},
  ): Promise<JetStreamCheckpointStore> {
    return new JetStreamCheckpointStore(await new Objm(nc).create(bucket, options));
  }

  async save(stage: string, snapshot: Snapshot): Promise<void> {
    const preamble = encodePreamble(stage, snapshot);
    await this.objects.put({ name: checkStage(stage) }, streamOf([preamble, snapshot.state]));
  }

  async load(stage: string, options?: LoadOptions): Promise<LoadResult> {
    let bytes: Uint8Array | null;
    try {
      bytes = await this.objects.getBlob(checkStage(stage));
    } catch (err) {
      const message = (err as Error).message;
      if (CORRUPT_OBJECT.test(message)) {
        return { kind: 'corrupt', reason: `checkpoint ${stage}: object store: ${message.split('\n')[0]}` };
      }
      throw err; // unreachable server etc.: not a verdict on the checkpoint
    }
    return bytes === null ? { kind: 'none' } : decodeCheckpoint(bytes, stage, options);
  }
}
