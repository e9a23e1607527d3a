// The JetStream checkpoint store against a real nats-server: the same guarantees as the directory
// store (exact round trip, damage reported, never used), each test in a bucket of its own.
import { randomBytes } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../processors/config.ts';
import {
  encodeCheckpoint,
  FORMAT_VERSION,
  type LoadResult,
  MAGIC,
  type Snapshot,
} from '../../processors/state/checkpoints.ts';
import { JetStreamCheckpointStore } from '../../processors/state/jetstream-store.ts';
import { openCheckpointStore } from '../../processors/state/open-store.ts';
import { startNats, type TestNats } from '../support/nats.ts';

const snap = (n: number, state: Uint8Array = randomBytes(2000)): Snapshot => ({
  version: 2,
  offsets: { 'settlements/0': String(10 * n), 'supervision/0': String(n) },
  state,
});

function expectOk(r: LoadResult, s: Snapshot): void {
  expect(r.kind).toBe('ok');
  if (r.kind !== 'ok') return;
  expect(r.snapshot.version).toBe(s.version);
  expect(r.snapshot.offsets).toEqual(s.offsets);
  expect(Buffer.from(r.snapshot.state).equals(Buffer.from(s.state))).toBe(true);
}

describe('JetStream checkpoint store', () => {
  let nats: TestNats;
  const stores: JetStreamCheckpointStore[] = [];

  async function freshStore(): Promise<JetStreamCheckpointStore> {
    const store = await JetStreamCheckpointStore.open(nats.nc, nats.uniqueName('ckpt'));
    stores.push(store);
    return store;
  }

  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(async () => {
    for (const s of stores) await s.objects.destroy();
    await nats?.stop();
  });

  it('missing → none', async () => {
    expect(await (await freshStore()).load('indicators')).toEqual({ kind: 'none' });
  });

  it('saves and loads across many chunks, the newest save winning', async () => {
    const store = await freshStore();
    await store.save('indicators', snap(1));
    const big = snap(2, randomBytes(3 << 20)); // 3 MiB: two dozen 128 KiB chunks
    await store.save('indicators', big);
    expectOk(await store.load('indicators', { version: 2 }), big);
    // A second client sees the same thing.
    const other = await JetStreamCheckpointStore.open(nats.nc, (await store.objects.status()).bucket);
    expectOk(await other.load('indicators'), big);
    await store.save('empty', snap(3, new Uint8Array(0)));
    expectOk(await store.load('empty'), snap(3, new Uint8Array(0)));
  });

  it('truncated or flipped object → corrupt; other versions → incompatible', async () => {
    const store = await freshStore();
    const whole = encodeCheckpoint('s', snap(1, randomBytes(300)));
    const put = (bytes: Uint8Array) => store.objects.putBlob({ name: 's' }, bytes);

    await put(whole.subarray(0, whole.length - 1));
    expect(await store.load('s')).toMatchObject({ kind: 'corrupt', reason: /\(truncated\)/ });
    await put(whole.subarray(0, 20));
    expect(await store.load('s')).toMatchObject({ kind: 'corrupt', reason: /\(truncated\)/ });

    for (const at of [MAGIC.length + 5, 60, whole.length - 10]) {
      const flipped = Buffer.from(whole);
      flipped[at]! ^= 0x10;
      await put(flipped);
      expect((await store.load('s')).kind, `byte ${at} flipped`).toBe('corrupt');
    }

    const newer = Buffer.from(whole);
    newer.writeUInt16BE(FORMAT_VERSION + 1, MAGIC.length);
    await put(newer);
    expect(await store.load('s')).toMatchObject({ kind: 'incompatible', reason: /file format version 2/ });
    await put(whole);
    expect(await store.load('s', { version: 7 })).toEqual({
      kind: 'incompatible',
      reason: 'checkpoint s: state version 2, this build reads version 7',
    });
    expectOk(await store.load('s', { version: 2 }), snap(1, whole.subarray(whole.length - 300)));
  });

  it("chunks that no longer match the object store's own digest → corrupt", async () => {
    const store = await freshStore();
    await store.save('s', snap(1));
    const info = (await store.objects.info('s'))!;
    const bucket = (await store.objects.status()).bucket;
    // A stray chunk under the object's id: what a damaged stream would hand back.
    await jetstream(nats.nc).publish(`$O.${bucket}.C.${info.nuid}`, randomBytes(10));
    expect(await store.load('s')).toMatchObject({
      kind: 'corrupt',
      reason: /object store: .*digests do not match/,
    });
  });

  it('a writer that died midway (chunks published, no metadata) leaves the previous checkpoint', async () => {
    const store = await freshStore();
    const first = snap(1);
    await store.save('indicators', first);
    const bucket = (await store.objects.status()).bucket;
    const js = jetstream(nats.nc);
    for (let i = 0; i < 3; i++) await js.publish(`$O.${bucket}.C.crashedwriter${i}`, randomBytes(1000));
    expectOk(await store.load('indicators'), first);
    const second = snap(2);
    await store.save('indicators', second);
    expectOk(await store.load('indicators'), second);
  });

  it('refuses stage names that are not plain names', async () => {
    const store = await freshStore();
    await expect(store.save('a.b', snap(1))).rejects.toThrow(
      /checkpoint stage "a.b": expected 1–128 letters/,
    );
  });

  it('the store a stage process opens from its settings: the JetStream bucket, or a clear error without NATS', async () => {
    const bucket = nats.uniqueName('stage-ckpt');
    const config = loadConfig({
      YIBAO_CHECKPOINTS: 'jetstream',
      YIBAO_CHECKPOINT_BUCKET: bucket,
      YIBAO_NATS_URL: nats.url,
    });
    const opened = await openCheckpointStore(config);
    try {
      expect(opened?.where).toBe(`JetStream Object Store bucket ${bucket}`);
      const s = snap(3);
      await opened!.store.save('yibao-monitor_institution-0_1', s);
      // Another process (its own connection) finds it in the same bucket.
      const other = await JetStreamCheckpointStore.open(nats.nc, bucket);
      stores.push(other);
      expectOk(await other.load('yibao-monitor_institution-0_1', { version: 2 }), s);
    } finally {
      await opened?.close();
    }
    await expect(openCheckpointStore(loadConfig({ YIBAO_CHECKPOINTS: 'jetstream' }))).rejects.toThrow(
      /YIBAO_CHECKPOINTS=jetstream needs YIBAO_NATS_URL/,
    );
    expect(await openCheckpointStore(loadConfig({ YIBAO_CHECKPOINTS: 'off' }))).toBeUndefined();
  });
});
