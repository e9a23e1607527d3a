/**
 * A stop asked of the composite (processors/io/sinks/composite.ts `interrupt`) reaches every sink
 * that can be interrupted (the alert bus), in order, and passes over those that cannot.
 */
import { expect, it } from 'vitest';
import { combineSinks } from '../../../../processors/io/sinks/composite.ts';
import type { Sink } from '../../../../processors/io/sinks/sink.ts';

function sink(name: string, log: string[], interruptible: boolean): Sink {
  return {
    name,
    write: async () => {},
    flush: async () => {},
    close: async () => {},
    ...(interruptible && { interrupt: () => log.push(`${name}.interrupt`) }),
  };
}

it('interrupt goes to every sink that has one, in order, and to no other', () => {
  const log: string[] = [];
  const sinks = combineSinks([
    sink('alert_file', log, false),
    sink('alert_bus', log, true),
    sink('clickhouse', log, false),
    sink('other', log, true),
  ]);
  sinks.interrupt();
  expect(log).toEqual(['alert_bus.interrupt', 'other.interrupt']);
});

it('interrupt with no sink that has one does nothing', () => {
  expect(() => combineSinks([sink('alert_file', [], false)]).interrupt()).not.toThrow();
});
