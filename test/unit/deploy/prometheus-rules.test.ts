/**
 * deploy/prometheus/: the pipeline's recording and alerting rules and the example scrape config,
 * checked by Prometheus' own promtool (the Debian package `prometheus`, which .ci/run installs):
 * `promtool check config`, `promtool check rules` and the unit tests of rules.test.yml. The unit
 * tests can fail: a rule made too eager (it fires on the quiet look-alike) fails them. Every
 * metric the rules read is one the monitor registers.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { registerAlertBusMetrics } from '../../../processors/alerting/bus-link.ts';
import { createMetrics } from '../../../processors/metrics.ts';
import { ROOT } from './files.ts';

const DIR = join(ROOT, 'deploy/prometheus');
const promtool = (...args: string[]) => {
  const r = spawnSync('promtool', args, { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, missing: r.error !== undefined };
};
const absent = promtool('--version').missing;
const why = 'promtool not found: install the Debian package prometheus (.ci/run does)';

type Rule = { record?: string; alert?: string; expr: string };
const rules = (
  parse(readFileSync(join(DIR, 'rules.yml'), 'utf8')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);

/** rules.test.yml run against rules.yml with `from` replaced by `to` (which must occur once). */
function testMutated(from: string, to: string) {
  const text = readFileSync(join(DIR, 'rules.yml'), 'utf8');
  expect(text.split(from).length - 1, from).toBe(1);
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-rules-'));
  writeFileSync(join(dir, 'rules.yml'), text.replace(from, to));
  writeFileSync(join(dir, 'rules.test.yml'), readFileSync(join(DIR, 'rules.test.yml')));
  return promtool('test', 'rules', join(dir, 'rules.test.yml'));
}

describe('deploy/prometheus', () => {
  it.skipIf(absent)(`promtool check config prometheus.yml (${why} to run)`, () => {
    const r = promtool('check', 'config', 'prometheus.yml');
    expect(r.out).toMatch(/SUCCESS: prometheus\.yml is valid/);
    expect(r.code, r.out).toBe(0);
  });

  it.skipIf(absent)('promtool check rules rules.yml', () => {
    const r = promtool('check', 'rules', 'rules.yml');
    expect(r.out).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(r.code, r.out).toBe(0);
  });

  it.skipIf(absent)('promtool test rules rules.test.yml', () => {
    const r = promtool('test', 'rules', 'rules.test.yml');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('SUCCESS');
  });

  it.skipIf(absent)('the unit tests fail when a rule fires on the quiet look-alike', () => {
    // A flat lag is not a growing one.
    const flat = testMutated('deriv(yibao_consumer_lag[10m])) > 0', 'deriv(yibao_consumer_lag[10m])) >= 0');
    expect(flat.code, flat.out).toBe(1);
    expect(flat.out).toMatch(/alertname: YibaoConsumerLagGrowing[\s\S]*instance="flat:9464"/);
    // 0.5 % of records refused is not too many.
    const refused = testMutated(
      'yibao:dead_letter_ratio:rate5m > 0.01',
      'yibao:dead_letter_ratio:rate5m > 0.001',
    );
    expect(refused.code, refused.out).toBe(1);
    expect(refused.out).toMatch(/alertname: YibaoDeadLetterRateHigh[\s\S]*instance="ok:9464"/);
    // A flat event time with nothing waiting at the source is an idle feed, not a stall.
    const idle = testMutated('and on (job, instance) yibao:consumer_lag:sum > 0', '');
    expect(idle.code, idle.out).toBe(1);
    expect(idle.out).toMatch(/alertname: YibaoEventTimeStalled[\s\S]*instance="idle:9464"/);
  });

  it('every yibao_ metric the rules read is registered by the monitor', async () => {
    const m = createMetrics();
    const bus = new Registry();
    const stats = {
      outage: null,
      in_flight: 0,
      reconnects: 0,
      streams_recreated: 0,
      published: 0,
      republished: 0,
    };
    registerAlertBusMetrics(bus, () => stats as never);
    const names = new Set(
      [...(await m.registry.getMetricsAsJSON()), ...(await bus.getMetricsAsJSON())].map((x) => x.name),
    );
    const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
    const read = new Set(
      rules.flatMap((r) => [...r.expr.matchAll(/\byibao(?::[a-z_0-9]+)+|\byibao_[a-z_]+/g)].map((x) => x[0])),
    );
    expect(read.size).toBeGreaterThan(5);
    for (const name of read)
      if (name.includes(':')) expect(recorded.has(name), `${name} is recorded in rules.yml`).toBe(true);
      else expect(names.has(name.replace(/_(bucket|sum|count)$/, '')), `${name} is registered`).toBe(true);
    expect(names.has('process_cpu_seconds_total')).toBe(true);
  });
});
