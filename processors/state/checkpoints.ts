/**
 * Checkpoints (ARCHITECTURE.md, "State, restarts and no loss"): each stage snapshots its state with
 * the source offsets it reflects, and on start loads the snapshot and seeks to those offsets. A
 * snapshot that cannot be trusted is reported as such and never used: the caller then rebuilds the
 * state from the log, which is slower but right.
 *
 * One file format for every store (directory, JetStream Object Store):
 *
 *   magic "YBCKPT\r\n" (8 bytes; the CR LF catches text-mode mangling)
 *   format version, uint16 big-endian
 *   header length, uint32 big-endian
 *   header, UTF-8 JSON: { stage, version, created_at, offsets, state_length, state_sha256 }
 *   SHA-256 of the header bytes (32 bytes): a flipped byte in the offsets would otherwise go unseen
 *   payload: the state bytes (state_length of them, SHA-256 = state_sha256)
 *
 * `version` is the caller's state version (the shape of what its codec wrote); the format version
 * is this layout. Either one differing from what the reader expects is 'incompatible'.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export type Snapshot = {
  /** Version of the state's shape, chosen by the stage; bump it when the state classes change. */
  readonly version: number;
  /** Source position the state reflects, e.g. `{ 'settlements/3': '1200' }` (next offset to read). */
  readonly offsets: Readonly<Record<string, string>>;
  readonly state: Uint8Array;
};
export type LoadedSnapshot = Snapshot & { readonly createdAt: string };

export type LoadResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'ok'; readonly snapshot: LoadedSnapshot }
  | { readonly kind: 'corrupt'; readonly reason: string }
  | { readonly kind: 'incompatible'; readonly reason: string };

export type LoadOptions = {
  /** The state version this build reads; a snapshot of another version is 'incompatible'. */
  readonly version?: number;
};

export interface CheckpointStore {
  /** Replaces the stage's snapshot atomically: a crash leaves the previous one whole. */
  save(stage: string, snapshot: Snapshot): Promise<void>;
  load(stage: string, options?: LoadOptions): Promise<LoadResult>;
}

export const MAGIC = Buffer.from('YBCKPT\r\n', 'latin1');
export const FORMAT_VERSION = 1;
const PREAMBLE = MAGIC.length + 2 + 4;
const SHA_BYTES = 32;
/** A header is a few hundred bytes per partition; a larger length field is damage, not data. */
const MAX_HEADER_BYTES = 16 << 20;

const STAGE = /^[A-Za-z0-9_-]{1,128}$/;

/** Stage names become file and object names: letters, digits, '_' and '-' only. */
export function checkStage(stage: string): string {
  if (!STAGE.test(stage)) {
    throw new RangeError(
      `checkpoint stage ${JSON.stringify(stage)}: expected 1–128 letters, digits, '_' or '-'`,
    );
  }
  return stage;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

const Header = z.object({
  stage: z.string(),
  version: z.number().int().nonnegative(),
  created_at: z.string(),
  offsets: z.record(z.string(), z.string()),
  state_length: z.number().int().nonnegative(),
  state_sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/**
 * Everything before the payload. Stores write it and then the state bytes as they are, so a large
 * state is never copied into one more buffer.
 */
export function encodePreamble(stage: string, snapshot: Snapshot, now = new Date()): Buffer {
  checkStage(stage);
  if (!Number.isInteger(snapshot.version) || snapshot.version < 0) {
    throw new RangeError(`checkpoint ${stage}: version ${snapshot.version}, expected an integer ≥ 0`);
  }
  for (const [k, v] of Object.entries(snapshot.offsets)) {
    if (typeof v !== 'string') {
      throw new TypeError(`checkpoint ${stage}: offset of ${k} is ${typeof v}, expected a string`);
    }
  }
  const header = Buffer.from(
    JSON.stringify({
      stage,
      version: snapshot.version,
      created_at: now.toISOString(),
      offsets: snapshot.offsets,
      state_length: snapshot.state.length,
      state_sha256: sha256(snapshot.state).toString('hex'),
    }),
    'utf8',
  );
  const pre = Buffer.alloc(PREAMBLE);
  MAGIC.copy(pre, 0);
  pre.writeUInt16BE(FORMAT_VERSION, MAGIC.length);
  pre.writeUInt32BE(header.length, MAGIC.length + 2);
  return Buffer.concat([pre, header, sha256(header)]);
}

/** The whole checkpoint as one buffer (small states, tests). */
export function encodeCheckpoint(stage: string, snapshot: Snapshot, now?: Date): Buffer {
  return Buffer.concat([encodePreamble(stage, snapshot, now), snapshot.state]);
}

/** Checks every part of a checkpoint; the state in an 'ok' result is a view of `bytes`. */
export function decodeCheckpoint(bytes: Uint8Array, stage: string, options: LoadOptions = {}): LoadResult {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (reason: string): LoadResult => ({
    kind: 'corrupt',
    reason: `checkpoint ${stage}: ${reason}`,
  });
  if (buf.length < PREAMBLE) {
    return corrupt(`${buf.length} bytes, shorter than the ${PREAMBLE}-byte preamble (truncated)`);
  }
  if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    return corrupt(
      `starts with ${buf.subarray(0, MAGIC.length).toString('hex')}, expected the magic "YBCKPT\\r\\n"`,
    );
  }
  const format = buf.readUInt16BE(MAGIC.length);
  if (format !== FORMAT_VERSION) {
    return {
      kind: 'incompatible',
      reason: `checkpoint ${stage}: file format version ${format}, this build reads version ${FORMAT_VERSION}`,
    };
  }
  const headerLength = buf.readUInt32BE(MAGIC.length + 2);
  const headerEnd = PREAMBLE + headerLength;
  if (headerLength > MAX_HEADER_BYTES || headerEnd + SHA_BYTES > buf.length) {
    return corrupt(
      `header length ${headerLength} runs past the end of the ${buf.length}-byte file (truncated)`,
    );
  }
  const header = buf.subarray(PREAMBLE, headerEnd);
  if (!sha256(header).equals(buf.subarray(headerEnd, headerEnd + SHA_BYTES))) {
    return corrupt('header SHA-256 does not match the header bytes (damaged header)');
  }
  let json: unknown;
  try {
    json = JSON.parse(header.toString('utf8'));
  } catch (err) {
    return corrupt(`header is not JSON (${(err as Error).message})`);
  }
  const parsed = Header.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return corrupt(`header field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const h = parsed.data;
  if (h.stage !== stage)
    return corrupt(`file holds stage ${JSON.stringify(h.stage)}, expected ${JSON.stringify(stage)}`);
  const payloadStart = headerEnd + SHA_BYTES;
  const payloadLength = buf.length - payloadStart;
  if (payloadLength !== h.state_length) {
    return corrupt(
      `state is ${payloadLength} bytes, header says ${h.state_length} (${payloadLength < h.state_length ? 'truncated' : 'trailing bytes'})`,
    );
  }
  const state = buf.subarray(payloadStart);
  const digest = sha256(state).toString('hex');
  if (digest !== h.state_sha256) {
    return corrupt(`state SHA-256 is ${digest}, header says ${h.state_sha256} (damaged state)`);
  }
  if (options.version !== undefined && h.version !== options.version) {
    return {
      kind: 'incompatible',
      reason: `checkpoint ${stage}: state version ${h.version}, this build reads version ${options.version}`,
    };
  }
  return { kind: 'ok', snapshot: { version: h.version, offsets: h.offsets, state, createdAt: h.created_at } };
}
