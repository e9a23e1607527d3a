/**
 * Reads an NDJSON file line by line with bounded memory, keeping 1-based line numbers (blank lines
 * are skipped but counted, so numbers match an editor's).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { MonitorError } from '../../schemas/errors.ts';

export type NdjsonLine = { readonly line: number; readonly text: string; readonly bytesRead: number };

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    throw new MonitorError(
      'INPUT_UNREADABLE',
      `cannot read ${path}: ${(err as Error).message}`,
      { path },
      err,
    );
  }
}

export async function* readNdjson(path: string): AsyncGenerator<NdjsonLine> {
  await fileSize(path);
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  let bytesRead = 0;
  for await (const text of lines) {
    line++;
    bytesRead += Buffer.byteLength(text) + 1;
    if (text.trim() === '') continue;
    yield { line, text, bytesRead };
  }
}
