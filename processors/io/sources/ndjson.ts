/** NDJSON from a file or from standard input, one record per line, with line numbers. */
import { createInterface } from 'node:readline';
import { readNdjson } from '../ndjson.ts';
import type { Source, SourceRecord } from './source.ts';

export function fileSource(path: string): Source {
  return {
    name: `file:${path}`,
    records: (async function* (): AsyncGenerator<SourceRecord> {
      for await (const { line, text } of readNdjson(path)) yield { raw: text, line, origin: path };
    })(),
  };
}

export function stdinSource(input: NodeJS.ReadableStream = process.stdin): Source {
  return {
    name: 'stdin',
    records: (async function* (): AsyncGenerator<SourceRecord> {
      let line = 0;
      for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
        line++;
        if (text.trim() !== '') yield { raw: text, line, origin: 'stdin' };
      }
    })(),
  };
}
