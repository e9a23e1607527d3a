/**
 * The checkpoint store a stage process uses, from its configuration (config.ts YIBAO_CHECKPOINTS):
 * a local directory by default, a JetStream Object Store bucket in a deployment where the stage
 * processes move between machines, or none.
 */
import { resolve } from 'node:path';
import { MonitorError } from '../../schemas/errors.ts';
import { connectNats } from '../alerting/connect.ts';
import type { Config } from '../config.ts';
import type { CheckpointStore } from './checkpoints.ts';
import { DirectoryCheckpointStore } from './directory-store.ts';
import { JetStreamCheckpointStore } from './jetstream-store.ts';

export type OpenedStore = { readonly store: CheckpointStore; readonly where: string; close(): Promise<void> };

export async function openCheckpointStore(config: Config): Promise<OpenedStore | undefined> {
  switch (config.YIBAO_CHECKPOINTS) {
    case 'off':
      return undefined;
    case 'directory': {
      const dir = resolve(config.YIBAO_CHECKPOINT_DIR ?? resolve(config.YIBAO_DATA_DIR, 'checkpoints'));
      return { store: new DirectoryCheckpointStore(dir), where: dir, close: async () => {} };
    }
    case 'jetstream': {
      if (!config.YIBAO_NATS_URL)
        throw new MonitorError(
          'CONFIG_MISSING',
          'YIBAO_CHECKPOINTS=jetstream needs YIBAO_NATS_URL (the NATS server holding the Object Store bucket YIBAO_CHECKPOINT_BUCKET); or set YIBAO_CHECKPOINTS=directory',
          { variable: 'YIBAO_NATS_URL' },
        );
      const nc = await connectNats(config, { name: 'yibao-checkpoints', reconnect: true });
      const bucket = config.YIBAO_CHECKPOINT_BUCKET;
      return {
        store: await JetStreamCheckpointStore.open(nc, bucket),
        where: `JetStream Object Store bucket ${bucket}`,
        close: () => nc.drain(),
      };
    }
  }
}
