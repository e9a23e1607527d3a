/**
 * Checkpoints as files in a directory, one `<stage>.ckpt` per stage (the default store).
 *
 * A save writes a temporary file beside the target, fsyncs it, renames it over the target and
 * fsyncs the directory: rename is atomic on POSIX file systems, so a crash at any point leaves
 * either the previous checkpoint or the new one, whole, never a mix. One writer per stage: a save
 * removes the stage's temporary files left by a crashed writer.
 */
import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CheckpointStore,
  checkStage,
  decodeCheckpoint,
  encodePreamble,
  type LoadOptions,
  type LoadResult,
  type Snapshot,
} from './checkpoints.ts';

/** Linux writes at most 0x7ffff000 bytes per call: larger states go in slices. */
const SLICE = 1 << 30;

async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, Math.min(SLICE, bytes.length - done));
    done += bytesWritten;
  }
}

async function readAll(fh: FileHandle): Promise<Buffer> {
  const { size } = await fh.stat();
  const buf = Buffer.allocUnsafe(size);
  let done = 0;
  while (done < size) {
    const { bytesRead } = await fh.read(buf, done, Math.min(SLICE, size - done), done);
    if (bytesRead === 0) return buf.subarray(0, done); // shrank while read: decode reports it
    done += bytesRead;
  }
  return buf;
}

export type DirectoryStoreHooks = {
  /** Called after the temporary file is durable and before the rename (crash tests). */
  readonly beforeRename?: (tempFile: string) => Promise<void>;
};

export class DirectoryCheckpointStore implements CheckpointStore {
  constructor(
    readonly dir: string,
    private readonly hooks: DirectoryStoreHooks = {},
  ) {}

  fileOf(stage: string): string {
    return join(this.dir, `${checkStage(stage)}.ckpt`);
  }

  async save(stage: string, snapshot: Snapshot): Promise<void> {
    const file = this.fileOf(stage);
    const preamble = encodePreamble(stage, snapshot);
    await mkdir(this.dir, { recursive: true });
    await this.removeTemps(stage);
    const temp = `${file}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`;
    const fh = await open(temp, 'wx', 0o600);
    try {
      await writeAll(fh, preamble);
      await writeAll(fh, snapshot.state);
      await fh.sync();
    } catch (err) {
      await fh.close();
      await unlink(temp).catch(() => {});
      throw err;
    }
    await fh.close();
    await this.hooks.beforeRename?.(temp);
    await rename(temp, file);
    // The rename itself is durable only once the directory entry is on disk.
    const dh = await open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  async load(stage: string, options?: LoadOptions): Promise<LoadResult> {
    let fh: FileHandle;
    try {
      fh = await open(this.fileOf(stage), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
      throw err;
    }
    try {
      return decodeCheckpoint(await readAll(fh), stage, options);
    } finally {
      await fh.close();
    }
  }

  private async removeTemps(stage: string): Promise<void> {
    const prefix = `${stage}.ckpt.`;
    for (const name of await readdir(this.dir)) {
      if (name.startsWith(prefix) && name.endsWith('.tmp'))
        await unlink(join(this.dir, name)).catch(() => {});
    }
  }
}
