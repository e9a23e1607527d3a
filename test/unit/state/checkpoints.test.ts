// Checkpoint file format and the directory store: a snapshot comes back exactly, and any damage
// (truncation, a flipped byte, another version, a crash mid-save) is reported, never used.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CheckpointStore,
  decodeCheckpoint,
  encodeCheckpoint,
  FORMAT_VERSION,
  MAGIC,
  type Snapshot,
} from '../../../processors/state/checkpoints.ts';
import { createStateCodec } from '../../../processors/state/codec.ts';
import { DirectoryCheckpointStore } from '../../../processors/state/directory-store.ts';

const STORE_MODULE = pathToFileURL(
  join(import.meta.dirname, '../../../processors/state/directory-store.ts'),
).href;

const snap = (n: number, state: Uint8Array = randomBytes(1000)): Snapshot => ({
  version: 3,
  offsets: { 'settlements/0': String(100 * n), 'settlements/1': String(100 * n + 7) },
  state,
});

function expectOk(r: Awaited<ReturnType<CheckpointStore['load']>>, s: Snapshot): void {
  expect(r.kind).toBe('ok');
  if (r.kind !== 'ok') return;
  expect(r.snapshot.version).toBe(s.version);
  expect(r.snapshot.offsets).toEqual(s.offsets);
  expect(Buffer.from(r.snapshot.state).equals(Buffer.from(s.state))).toBe(true);
  expect(Date.parse(r.snapshot.createdAt)).not.toBeNaN();
}

describe('directory checkpoint store', () => {
  let dir: string;
  let store: DirectoryCheckpointStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'yibao-ckpt-'));
    store = new DirectoryCheckpointStore(join(dir, 'checkpoints'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('missing → none', async () => {
    expect(await store.load('indicators')).toEqual({ kind: 'none' });
  });

  it('saves and loads, the newest save winning, with no temporary files left', async () => {
    await store.save('indicators', snap(1));
    const second = snap(2);
    await store.save('indicators', second);
    expectOk(await store.load('indicators', { version: 3 }), second);
    expect(readdirSync(store.dir)).toEqual(['indicators.ckpt']);
  });

  it('round-trips state from the codec and an empty state', async () => {
    const codec = createStateCodec({});
    const state = new Map([['ps_a', { visits: [1, 2], seen: Number.NEGATIVE_INFINITY }]]);
    await store.save('persons', { version: 1, offsets: {}, state: codec.encode(state) });
    const r = await store.load('persons');
    expect(r.kind === 'ok' && codec.decode(r.snapshot.state)).toStrictEqual(state);
    await store.save('empty', snap(1, new Uint8Array(0)));
    expectOk(await store.load('empty'), snap(1, new Uint8Array(0)));
  });

  it('truncated file → corrupt, at every length', async () => {
    await store.save('s', snap(1, randomBytes(64)));
    const file = store.fileOf('s');
    const whole = readFileSync(file);
    for (let len = 0; len < whole.length; len++) {
      writeFileSync(file, whole.subarray(0, len));
      const r = await store.load('s');
      expect(r.kind, `truncated to ${len} bytes`).toBe('corrupt');
    }
    truncateSync(file, 5);
    expect(await store.load('s')).toEqual({
      kind: 'corrupt',
      reason: 'checkpoint s: 5 bytes, shorter than the 14-byte preamble (truncated)',
    });
  });

  it('a flipped bit anywhere → corrupt (or incompatible in the format-version field)', async () => {
    await store.save('s', snap(1, randomBytes(64)));
    const file = store.fileOf('s');
    const whole = readFileSync(file);
    for (let i = 0; i < whole.length; i++) {
      const damaged = Buffer.from(whole);
      damaged[i]! ^= 0x04;
      writeFileSync(file, damaged);
      const r = await store.load('s');
      const inVersion = i >= MAGIC.length && i < MAGIC.length + 2;
      expect(r.kind, `byte ${i} flipped`).toBe(inVersion ? 'incompatible' : 'corrupt');
    }
  });

  it('names what is wrong', async () => {
    await store.save('s', snap(1, Buffer.from('state bytes')));
    const whole = readFileSync(store.fileOf('s'));
    const last = Buffer.from(whole);
    last[last.length - 1]! ^= 1;
    expect(decodeCheckpoint(last, 's')).toMatchObject({
      kind: 'corrupt',
      reason: /state SHA-256 is [0-9a-f]{64}, header says/,
    });
    expect(decodeCheckpoint(Buffer.concat([whole, Buffer.from('x')]), 's')).toMatchObject({
      kind: 'corrupt',
      reason: /state is 12 bytes, header says 11 \(trailing bytes\)/,
    });
    expect(decodeCheckpoint(whole, 'other')).toMatchObject({
      kind: 'corrupt',
      reason: 'checkpoint other: file holds stage "s", expected "other"',
    });
    expect(decodeCheckpoint(Buffer.from('{"not":"a checkpoint"}'), 's')).toMatchObject({
      kind: 'corrupt',
      reason: /expected the magic/,
    });
  });

  it('another format version or state version → incompatible', async () => {
    await store.save('s', snap(1));
    const file = store.fileOf('s');
    const bytes = readFileSync(file);
    expect(await store.load('s', { version: 4 })).toEqual({
      kind: 'incompatible',
      reason: 'checkpoint s: state version 3, this build reads version 4',
    });
    bytes.writeUInt16BE(FORMAT_VERSION + 1, MAGIC.length);
    writeFileSync(file, bytes);
    expect(await store.load('s')).toEqual({
      kind: 'incompatible',
      reason: `checkpoint s: file format version ${FORMAT_VERSION + 1}, this build reads version ${FORMAT_VERSION}`,
    });
  });

  it('refuses stage names that are not plain file names, and non-string offsets', async () => {
    await expect(store.save('../escape', snap(1))).rejects.toThrow(
      /checkpoint stage "..\/escape": expected 1–128 letters, digits/,
    );
    await expect(store.load('a/b')).rejects.toThrow(/checkpoint stage "a\/b"/);
    const bad = {
      version: 1,
      offsets: { 'settlements/0': 5 as unknown as string },
      state: new Uint8Array(0),
    };
    expect(() => encodeCheckpoint('s', bad)).toThrow(/offset of settlements\/0 is number, expected a string/);
  });

  it('a crash before the rename leaves the previous checkpoint whole; the next save clears the debris', async () => {
    const first = snap(1);
    await store.save('indicators', first);
    // A real crash: a child process saves a new snapshot and is SIGKILLed once its temporary
    // file is written and fsynced, before the rename.
    const script = `
      import { DirectoryCheckpointStore } from ${JSON.stringify(STORE_MODULE)};
      const store = new DirectoryCheckpointStore(${JSON.stringify(store.dir)}, {
        beforeRename: async () => { process.stdout.write('written\\n'); await new Promise(() => setInterval(() => {}, 1000)); },
      });
      await store.save('indicators', { version: 3, offsets: { 'settlements/0': '999' }, state: new Uint8Array(4 << 20).fill(7) });
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        if (c.toString().includes('written')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`child exited (${code}) before writing: ${stderr}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(readdirSync(store.dir).filter((n) => n.endsWith('.tmp'))).toHaveLength(1);
    expectOk(await store.load('indicators'), first);

    // And a torn temporary file (crash mid-write) changes nothing either.
    writeFileSync(join(store.dir, 'indicators.ckpt.1-deadbeef.tmp'), 'YBCKPT\r\n\0');
    expectOk(await store.load('indicators'), first);
    const third = snap(3);
    await store.save('indicators', third);
    expectOk(await store.load('indicators'), third);
    expect(readdirSync(store.dir)).toEqual(['indicators.ckpt']);
  }, 30_000);
});
