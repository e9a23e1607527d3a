/**
 * Shared pieces of the benchmarks: the machine line, figures with their targets, and helpers to
 * run a child process and read its peak memory. Benchmarks are not tests: nothing here is imported
 * by vitest.
 */
import { spawn } from 'node:child_process';
import { availableParallelism, cpus, totalmem } from 'node:os';

export type Figure = {
  readonly bench: string;
  readonly name: string;
  readonly value: number | string;
  readonly unit?: string;
  /** e.g. '≥ 150000'; absent for figures reported without a target. */
  readonly target?: string;
  readonly met?: boolean;
  readonly note?: string;
};

export type BenchContext = {
  readonly quick: boolean;
  /** Arguments after `--` or unknown to run.ts, passed to the benchmark. */
  readonly args: readonly string[];
  report(f: Omit<Figure, 'bench'>): void;
  log(line: string): void;
};

export type Bench = {
  readonly name: string;
  readonly description: string;
  run(ctx: BenchContext): Promise<void>;
};

export function machine(): string {
  return `${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export const round = (x: number, digits = 0): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export const mib = (bytes: number): number => round(bytes / 2 ** 20, 1);

export function formatFigure(f: Figure): string {
  const v = typeof f.value === 'number' ? f.value.toLocaleString('en-US') : f.value;
  const target = f.target ? ` | target ${f.target} | ${f.met ? 'MET' : 'NOT MET'}` : '';
  return `[${f.bench}] ${f.name}: ${v}${f.unit ? ` ${f.unit}` : ''}${target}${f.note ? ` (${f.note})` : ''} | ${availableParallelism()} cores, Node ${process.version}`;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export type ChildResult = { code: number | null; stdout: string; stderr: string; maxRssKiB: number | null };

/**
 * Runs `node ARGS` under `/usr/bin/time -v` when it exists (its "Maximum resident set size" is
 * the peak RSS of the child), collecting stdout; stderr lines not from `time` are forwarded.
 */
export function runNode(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  onStderr?: (line: string) => void,
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-v', process.execPath, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (onStderr) for (const l of d.split('\n')) if (l.trim() && !l.startsWith('\t')) onStderr(l);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      resolve({ code, stdout, stderr, maxRssKiB: m ? Number(m[1]) : null });
    });
  });
}

/** The last line of a child's stdout that parses as JSON. */
export function lastJson<T>(stdout: string): T {
  const lines = stdout.trim().split('\n').reverse();
  for (const l of lines) {
    try {
      return JSON.parse(l) as T;
    } catch {}
  }
  throw new Error(`no JSON line in child output: ${stdout.slice(-500)}`);
}
