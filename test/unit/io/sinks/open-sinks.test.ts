/**
 * The table of sinks (processors/io/sinks/open-sinks.ts): which are on, the order they open in,
 * and what happens to those already open when one cannot open.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../processors/config.ts';
import { openAll, SINKS, type SinkEntry } from '../../../../processors/io/sinks/open-sinks.ts';
import type { Sink } from '../../../../processors/io/sinks/sink.ts';

const config = loadConfig({ YIBAO_ENV: 'test' });

function fake(name: string, log: string[]): Sink {
  log.push(`open ${name}`);
  return {
    name,
    write: async () => {},
    flush: async () => {},
    close: async () => {
      log.push(`close ${name}`);
    },
  };
}

describe('openAll', () => {
  it('opens a sink marked opensFirst before the others and keeps the table order for the rest', async () => {
    const log: string[] = [];
    const table: Record<string, SinkEntry> = {
      a: { on: 'always', open: () => fake('a', log) },
      off: { on: 'never here', open: () => undefined },
      b: { on: 'always', open: async () => fake('b', log) },
      store: { on: 'always', opensFirst: true, open: () => fake('store', log) },
    };
    const opened = await openAll(table, config, {});
    expect(log).toEqual(['open store', 'open a', 'open b']);
    // Written, flushed and closed in the table's order; a sink that is off is left out.
    expect([...opened.keys()]).toEqual(['a', 'b', 'store']);
  });

  it('closes the sinks already open when one cannot open, and throws its error', async () => {
    const log: string[] = [];
    const refused = new Error('connect ECONNREFUSED 127.0.0.1:4222');
    const table: Record<string, SinkEntry> = {
      a: { on: 'always', open: () => fake('a', log) },
      bus: {
        on: 'always',
        open: async () => {
          throw refused;
        },
      },
      c: { on: 'always', open: () => fake('c', log) },
      store: { on: 'always', opensFirst: true, open: () => fake('store', log) },
    };
    await expect(openAll(table, config, {})).rejects.toBe(refused);
    expect(log).toEqual(['open store', 'open a', 'close store', 'close a']);
  });

  it('refuses an entry whose sink has another name (stats and metrics go by the name)', async () => {
    const log: string[] = [];
    const table: Record<string, SinkEntry> = {
      alert_file: { on: 'always', open: () => fake('alerts', log) },
    };
    await expect(openAll(table, config, {})).rejects.toThrow(
      'the sink of entry alert_file is named alerts: expected alert_file',
    );
    expect(log).toEqual(['open alerts', 'close alerts']);
  });
});

describe('SINKS', () => {
  const names = Object.keys(SINKS);

  it('writes alerts to the file, then the bus, and the store last (its backpressure must not delay alerts)', () => {
    expect(names.indexOf('alert_file')).toBeLessThan(names.indexOf('alert_bus'));
    expect(names.at(-1)).toBe('clickhouse');
  });

  it('opens the store first: chDB locks the data directory before anything else touches it', () => {
    const first = names.filter((n) => (SINKS[n as keyof typeof SINKS] as SinkEntry).opensFirst);
    expect(first).toEqual(['clickhouse']);
  });

  it('leaves the optional sinks off when nothing turns them on', async () => {
    const optional = ['kafka_dead_letters', 'alert_bus', 'contract_files'] as const;
    for (const n of optional) expect(await SINKS[n].open(config, {})).toBeUndefined();
  });
});
