/**
 * A stage instance's checkpoints: named by the group, the stage and the exact assignment they
 * hold the state of; restored only when that assignment comes back whole; saved after a settled
 * batch, at most every `everyMs`. A snapshot that is missing, corrupt, of another state version
 * or taken under another layout is refused with its reason, and the caller rebuilds from the log.
 */
import { createHash } from 'node:crypto';
import type { StageInstance, StageInstanceOptions } from '../../stages/instance.ts';
import { encodeStage, restoreStage, STAGE_STATE_VERSION } from '../../stages/snapshot.ts';
import type { CheckpointStore } from '../../state/checkpoints.ts';

/** Where an assignment's state came from. */
export type StageStart =
  | { readonly from: 'log' | 'committed'; readonly reason?: string }
  | {
      readonly from: 'checkpoint';
      readonly name: string;
      readonly offsets: Readonly<Record<string, string>>;
      readonly created_at: string;
    };

export type CheckpointLog = (level: 'info' | 'warn', message: string, event: 'restored' | 'refused') => void;

/** A checkpoint's name: the group, the stage and the exact assignment it holds the state of. */
export function checkpointName(
  groupId: string,
  assigned: readonly { topic: string; partition: number }[],
): string {
  const parts = assigned.map((a) => `${a.topic}/${a.partition}`).sort();
  const plain = `${groupId}-${parts.map((p) => p.slice(p.lastIndexOf('/') + 1)).join('_')}`.replace(
    /[^A-Za-z0-9_-]/g,
    '_',
  );
  if (plain.length <= 128) return plain;
  const digest = createHash('sha256').update(parts.join(',')).digest('hex').slice(0, 16);
  return `${plain.slice(0, 100)}-${digest}`;
}

export type Restored =
  | {
      readonly instance: StageInstance;
      readonly offsets: Readonly<Record<string, string>>;
      readonly start: StageStart;
    }
  | { readonly instance?: undefined; readonly offsets?: undefined; readonly start: StageStart };

/** The saved state of exactly this assignment (`name`, partitions `keys`), or why there is none to trust. */
export async function restoreCheckpoint(
  store: CheckpointStore | undefined,
  name: string,
  keys: readonly string[],
  options: StageInstanceOptions,
  log?: CheckpointLog,
): Promise<Restored> {
  /** The state is rebuilt from the log; `what` is the reason as the log line says it. */
  const refused = (reason: string, what = reason): Restored => {
    log?.('warn', `${what}: not used, rebuilding ${options.stage} from offset 0`, 'refused');
    return { start: { from: 'log', reason } };
  };
  if (!store) return { start: { from: 'log', reason: 'checkpoints are off' } };
  const loaded = await store.load(name, { version: STAGE_STATE_VERSION });
  if (loaded.kind === 'none') return { start: { from: 'log', reason: `no checkpoint ${name}` } };
  if (loaded.kind !== 'ok') return refused(loaded.reason);
  const { snapshot } = loaded;
  const missing = keys.filter((k) => !(k in snapshot.offsets));
  if (missing.length > 0) {
    const reason = `checkpoint ${name} has no offset for ${missing.join(', ')}`;
    return refused(reason, `checkpoint ${name}: ${reason}`);
  }
  const r = restoreStage(snapshot.state, options);
  if (r.kind !== 'ok') return refused(r.reason, `checkpoint ${name}: ${r.reason}`);
  log?.(
    'info',
    `${options.stage}: restored checkpoint ${name} of ${snapshot.createdAt}, reading on from ${JSON.stringify(snapshot.offsets)}`,
    'restored',
  );
  return {
    instance: r.instance,
    offsets: snapshot.offsets,
    start: { from: 'checkpoint', name, offsets: snapshot.offsets, created_at: snapshot.createdAt },
  };
}

/** Saves the state after settled batches, at most every `everyMs`, and says how the last save went. */
export class Checkpointer {
  saved = 0;
  bytes = 0;
  /** The last checkpoint: encoding the state (the batch loop waits for it) and writing it. */
  times = { encode_ms: 0, save_ms: 0 };
  /** When the last checkpoint was saved (RFC 3339), or null before the first. */
  at: string | null = null;
  #last = performance.now();

  constructor(
    private readonly store: CheckpointStore,
    private readonly everyMs: number,
  ) {}

  /** A new assignment: the first checkpoint of it comes `everyMs` from now. */
  restart(): void {
    this.#last = performance.now();
  }

  async saveIfDue(
    name: string,
    stage: StageInstance,
    options: StageInstanceOptions,
    offsets: Readonly<Record<string, string>>,
  ): Promise<void> {
    if (performance.now() - this.#last < this.everyMs) return;
    const t0 = performance.now();
    const state = encodeStage(stage, options);
    const encoded = performance.now();
    await this.store.save(name, { version: STAGE_STATE_VERSION, offsets, state });
    this.saved++;
    this.bytes = state.length;
    this.#last = performance.now();
    this.times = { encode_ms: Math.round(encoded - t0), save_ms: Math.round(this.#last - encoded) };
    this.at = new Date().toISOString();
  }
}
