/**
 * The interval Grafana gives a panel's queries (`$__interval`, `$__interval_ms`, and the plugin's
 * `$__timeInterval`/`$__interval_s`), from packages/grafana-data rangeutil.ts: `calculateInterval`
 * rounds range / resolution with `roundInterval` and raises it to the panel's min interval
 * (`interval`, parsed by `intervalToMs`); `secondsToHms` names it. The resolution is the panel's
 * maxDataPoints, or its width in pixels when unset.
 * Also a small reader for the relative times of a dashboard's `time` (`now`, `now-7d`).
 */
import { MonitorError } from '../../schemas/errors.ts';

const SECONDS: Readonly<Record<string, number>> = {
  y: 31_536_000,
  M: 2_592_000,
  w: 604_800,
  d: 86_400,
  h: 3_600,
  m: 60,
  s: 1,
  ms: 0.001,
};

/** rangeutil `intervalToMs` (via `describeInterval`): '1h' → 3600000; a bare number is seconds. */
export function intervalToMs(str: string): number {
  if (Number(str)) return Number.parseInt(str, 10) * 1000;
  const m = /^(-?\d+(?:\.\d+)?)(ms|[Mwdhmsy])/.exec(str);
  if (!m) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `interval ${JSON.stringify(str)} is invalid: expected a number and one of ms, s, m, h, d, w, M, y`,
      { interval: str },
    );
  }
  return SECONDS[m[2]!]! * 1000 * Number.parseInt(m[1]!, 10);
}

/** rangeutil `roundInterval`: the bucket sizes Grafana steps through. */
export function roundInterval(interval: number): number {
  const steps: [number, number][] = [
    [10, 1],
    [15, 10],
    [35, 20],
    [75, 50],
    [150, 100],
    [350, 200],
    [750, 500],
    [1_500, 1_000],
    [3_500, 2_000],
    [7_500, 5_000],
    [12_500, 10_000],
    [17_500, 15_000],
    [25_000, 20_000],
    [45_000, 30_000],
    [90_000, 60_000],
    [210_000, 120_000],
    [450_000, 300_000],
    [750_000, 600_000],
    [1_050_000, 900_000],
    [1_500_000, 1_200_000],
    [2_700_000, 1_800_000],
    [5_400_000, 3_600_000],
    [9_000_000, 7_200_000],
    [16_200_000, 10_800_000],
    [32_400_000, 21_600_000],
    [86_400_000, 43_200_000],
    [604_800_000, 86_400_000],
    [1_814_400_000, 604_800_000],
    [3_628_800_000, 2_592_000_000],
  ];
  for (const [below, size] of steps) if (interval < below) return size;
  return 31_536_000_000;
}

/** rangeutil `secondsToHms`. */
export function secondsToHms(seconds: number): string {
  const years = Math.floor(seconds / 31_536_000);
  if (years) return `${years}y`;
  const days = Math.floor((seconds % 31_536_000) / 86_400);
  if (days) return `${days}d`;
  const hours = Math.floor(((seconds % 31_536_000) % 86_400) / 3_600);
  if (hours) return `${hours}h`;
  const minutes = Math.floor((((seconds % 31_536_000) % 86_400) % 3_600) / 60);
  if (minutes) return `${minutes}m`;
  const secs = Math.floor((((seconds % 31_536_000) % 86_400) % 3_600) % 60);
  if (secs) return `${secs}s`;
  const ms = Math.floor(seconds * 1000);
  if (ms) return `${ms}ms`;
  return 'less than a millisecond';
}

export function calculateInterval(
  range: { readonly from: number; readonly to: number },
  resolution: number,
  lowLimitInterval?: string,
): { intervalMs: number; interval: string } {
  const lowLimitMs = lowLimitInterval ? intervalToMs(lowLimitInterval) : 1;
  let intervalMs = roundInterval((range.to - range.from) / resolution);
  if (lowLimitMs > intervalMs) intervalMs = lowLimitMs;
  return { intervalMs, interval: secondsToHms(intervalMs / 1000) };
}

/** `now` or `now-<n><unit>` (the relative times the dashboards use), against `now` in epoch ms. */
export function relativeTime(expr: string, now: number): number {
  if (expr === 'now') return now;
  const m = /^now-(\d+)(ms|[smhdwMy])$/.exec(expr);
  if (!m) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `time ${JSON.stringify(expr)} is not one the dashboards use: expected now or now-<n><unit>`,
      { time: expr },
    );
  }
  return now - intervalToMs(`${m[1]}${m[2]}`);
}
