/**
 * Producing with a client nobody here wrote: `kcat` (librdkafka), with librdkafka's default
 * partitioner (`consistent_random`) or with `murmur2_random` (the Java client's and kafkajs'
 * hashing), gzip-compressed so a partition stays under the mock cluster's retention (it keeps
 * about 5 MiB per partition and drops the oldest beyond, silently).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type KcatPartitioner = 'consistent_random' | 'murmur2_random';

/** Why kcat cannot be used here, or undefined when it can. */
export function kcatMissing(): string | undefined {
  const r = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  return r.error ? `kcat is not installed (apt-get install kcat): ${r.error.message}` : undefined;
}

/** Produces `key<TAB>value` lines to `topic` and waits for every delivery report. */
export function kcatProduce(
  brokers: readonly string[],
  topic: string,
  messages: readonly { key: string; value: string }[],
  partitioner: KcatPartitioner,
): void {
  const dir = mkdtempSync(join(tmpdir(), 'kcat-'));
  const file = join(dir, `${topic}.kv`);
  try {
    writeFileSync(file, messages.map((m) => `${m.key}\t${m.value}\n`).join(''));
    const r = spawnSync(
      'kcat',
      [
        '-P',
        '-b',
        brokers.join(','),
        '-t',
        topic,
        '-K',
        '\t',
        '-z',
        'gzip',
        '-X',
        `partitioner=${partitioner}`,
        '-l',
        file,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (r.error || r.status !== 0)
      throw new Error(`kcat -P ${topic} failed (${r.status}): ${r.error?.message ?? r.stderr.slice(-2000)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
