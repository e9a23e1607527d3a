/**
 * 4. Scale of state: windows-memory.ts in phased mode (its own process, --expose-gc, large old
 * space) for 100,000 institutions, 1,000,000 practitioners and 5,000,000 persons; bytes per key of
 * each kind, and what 800,000 institutions and pharmacies would need against the 8 GiB target.
 */
import { type Bench, lastJson, mib, round, runNode } from './common.ts';

type Result = {
  institutions: number;
  practitioners: number;
  persons: number;
  events: number;
  heap_mib: number;
  heap_phases_mib: number[];
  bytes_per_institution: number;
  bytes_per_practitioner: number;
  bytes_per_person: number;
  events_per_s: number;
  state: Record<string, number>;
};

const GIB = 2 ** 30;
const TARGET_INSTITUTIONS = 800_000;

export const stateBench: Bench = {
  name: 'state',
  description:
    'heap per active key: 100k institutions, 1M practitioners, 5M persons; extrapolation to 800k institutions',
  async run(ctx) {
    const [inst, prac, pers] = ctx.quick ? [10_000, 100_000, 500_000] : [100_000, 1_000_000, 5_000_000];
    const child = await runNode([
      '--expose-gc',
      '--max-old-space-size=16384',
      '--import',
      'tsx',
      'test/bench/windows-memory.ts',
      String(inst),
      String(pers),
      String(prac),
    ]);
    if (child.code !== 0) throw new Error(`windows-memory.ts failed: ${child.stderr.slice(-2000)}`);
    const r = lastJson<Result>(child.stdout);
    const note = `${r.events.toLocaleString('en-US')} settlements in one day of event time; state ${JSON.stringify(r.state)}`;
    ctx.report({ name: 'retained heap, all keys', value: r.heap_mib, unit: 'MiB', note });
    ctx.report({
      name: 'peak RSS of the child',
      value: child.maxRssKiB ? mib(child.maxRssKiB * 1024) : 'n/a',
      unit: 'MiB',
    });
    ctx.report({ name: 'heap per institution', value: r.bytes_per_institution, unit: 'B' });
    ctx.report({
      name: 'heap per practitioner (active in the last 2 h)',
      value: r.bytes_per_practitioner,
      unit: 'B',
    });
    ctx.report({
      name: 'heap per person (active in the last 32 days)',
      value: r.bytes_per_person,
      unit: 'B',
      note: '1.25 visits each, incl. 3-day reversal records',
    });
    // Extrapolation: 800k institutions and pharmacies, with practitioners and persons in the same
    // proportion to institutions as in this run (10 practitioners and 50 persons per institution).
    const scale = TARGET_INSTITUTIONS / r.institutions;
    const instBytes = TARGET_INSTITUTIONS * r.bytes_per_institution;
    const pracBytes = r.practitioners * scale * r.bytes_per_practitioner;
    const persBytes = r.persons * scale * r.bytes_per_person;
    const total = instBytes + pracBytes + persBytes;
    ctx.report({
      name: `extrapolated heap, ${TARGET_INSTITUTIONS.toLocaleString('en-US')} institutions alone`,
      value: round(instBytes / GIB, 2),
      unit: 'GiB',
      target: '≤ 8 GiB',
      met: instBytes <= 8 * GIB,
    });
    ctx.report({
      name: `extrapolated heap, ${TARGET_INSTITUTIONS.toLocaleString('en-US')} institutions + ${round((r.practitioners * scale) / 1e6, 1)}M active practitioners + ${round((r.persons * scale) / 1e6, 1)}M active persons`,
      value: round(total / GIB, 2),
      unit: 'GiB',
      target: '≤ 8 GiB',
      met: total <= 8 * GIB,
    });
    const personsFit = Math.max(0, (8 * GIB - instBytes - pracBytes) / r.bytes_per_person);
    ctx.report({
      name: 'active persons that fit in 8 GiB beside 800k institutions and their practitioners',
      value: round(personsFit / 1e6, 1),
      unit: 'million',
    });
  },
};
