/**
 * The windows' heap at the issue's scale: 100,000 institutions and 2,000,000 persons stay under
 * the bound stated in the README. Runs test/bench/windows-memory.ts in its own process with
 * --expose-gc so the figure is the retained heap after collection, not garbage.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const HEAP_BOUND_MIB = 2560;

describe('indicator window memory', () => {
  it(`100,000 institutions and 2,000,000 persons retain under ${HEAP_BOUND_MIB} MiB of heap`, () => {
    const out = execFileSync(
      process.execPath,
      [
        '--expose-gc',
        '--max-old-space-size=4096',
        '--import',
        'tsx',
        'test/bench/windows-memory.ts',
        '100000',
        '2000000',
      ],
      { encoding: 'utf8', timeout: 240_000 },
    );
    const r = JSON.parse(out.trim().split('\n').at(-1)!);
    console.log(`windows memory: ${JSON.stringify(r)}`);
    expect(r.state.persons).toBe(2_000_000);
    expect(r.state.institutions).toBe(100_000);
    expect(r.counters.late).toBe(0);
    expect(r.heap_mib).toBeLessThan(HEAP_BOUND_MIB);
  }, 300_000);
});
