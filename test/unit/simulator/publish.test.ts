/** The rate-limited publisher, on a fake clock: pacing, order, back-pressure, abort, errors. */
import { describe, expect, it } from 'vitest';
import { type Clock, publishAtRate } from '../../../processors/simulator/publish.ts';
import { createSimulation } from '../../../processors/simulator/simulate.ts';
import { isMonitorError } from '../../../schemas/errors.ts';

function fakeClock(): Clock & { sleeps: number[] } {
  let now = 1_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

const lines = (n: number) => Array.from({ length: n }, (_, i) => `{"n":${i}}`);

describe('publishAtRate', () => {
  it('publishes in order, record n not before n / rate seconds', async () => {
    const clock = fakeClock();
    const seen: [string, number][] = [];
    const stats = await publishAtRate(
      lines(25),
      10,
      async (l) => {
        seen.push([l, clock.now()]);
      },
      { clock },
    );
    expect(stats).toEqual({ published: 25, elapsedMs: 2_400, aborted: false });
    expect(seen.map(([l]) => l)).toEqual(lines(25));
    expect(seen.filter(([, at], n) => at - 1_000 < (n / 10) * 1000)).toEqual([]);
    expect(seen.at(-1)![1] - 1_000).toBe(2_400);
  });

  it('waits for a slow transport instead of queueing: no sleep when publish is already behind', async () => {
    const clock = fakeClock();
    let inFlight = 0;
    let maxInFlight = 0;
    const stats = await publishAtRate(
      lines(5),
      100,
      async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await clock.sleep(50); // 20 a second: slower than the rate
        inFlight--;
      },
      { clock },
    );
    expect(maxInFlight).toBe(1);
    expect(stats.elapsedMs).toBe(250);
    expect(clock.sleeps.every((ms) => ms === 50)).toBe(true);
  });

  it('takes async iterables and Infinity (no pacing)', async () => {
    async function* gen() {
      yield* lines(3);
    }
    const clock = fakeClock();
    const out: string[] = [];
    const stats = await publishAtRate(
      gen(),
      Number.POSITIVE_INFINITY,
      async (l) => {
        out.push(l);
      },
      { clock },
    );
    expect(out).toEqual(lines(3));
    expect(stats.elapsedMs).toBe(0);
    expect(clock.sleeps).toEqual([]);
  });

  it('stops on abort and says so', async () => {
    const controller = new AbortController();
    const stats = await publishAtRate(
      lines(10),
      1_000,
      async (l) => {
        if (l === '{"n":3}') controller.abort();
      },
      { clock: fakeClock(), signal: controller.signal },
    );
    expect(stats).toMatchObject({ published: 4, aborted: true });
  });

  it('passes on a transport failure and stops', async () => {
    let calls = 0;
    await expect(
      publishAtRate(
        lines(5),
        1_000,
        async () => {
          if (++calls === 2) throw new Error('broker down');
        },
        { clock: fakeClock() },
      ),
    ).rejects.toThrow('broker down');
    expect(calls).toBe(2);
  });

  it('a rate of 0 or less is CONFIG_INVALID naming the value', async () => {
    const err = await publishAtRate(lines(1), 0, async () => {}).catch((e: unknown) => e);
    expect(isMonitorError(err, 'CONFIG_INVALID')).toBe(true);
    expect((err as Error).message).toBe('rate: 0 is invalid: expected records per second > 0 (or Infinity)');
  });

  it('publishes a simulated feed end to end, counting progress', async () => {
    const sim = createSimulation({ days: 1, institutions: 150, eventsPerDay: 1500 });
    const expected = [...sim.lines()];
    const got: string[] = [];
    let last = 0;
    await publishAtRate(
      sim.lines(),
      1e6,
      async (l) => {
        got.push(l);
      },
      { clock: fakeClock(), onPublished: (n) => (last = n) },
    );
    expect(got).toEqual(expected);
    expect(last).toBe(expected.length);
  });
});
