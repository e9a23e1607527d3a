/**
 * The command line as the containers call it (`node processors/cli/bin.mjs ARGS`), asked for its
 * `--help`, and the parts of it the deploy files use before they exist.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './files.ts';

/**
 * Used by deploy/ while other engineers are still adding them. A test that meets one still absent
 * skips and says why; once it lands, the same test checks it like everything else.
 */
export const PENDING = {
  commands: new Map<string, string>(),
  options: new Map([
    [
      'simulate --publish',
      'the simulator publishing to the Kafka input topics (`simulate` writes files today)',
    ],
    ['simulate --rate', 'the simulator publishing at a steady rate'],
  ]),
  settings: new Map([
    [
      'YIBAO_STATUS_HOST',
      'the address the status port listens on (127.0.0.1 today); pods need 0.0.0.0 for probes and Prometheus',
    ],
  ]),
  /** Long-running commands that do not serve YIBAO_STATUS_PORT (/healthz, /readyz, /metrics) yet. */
  statusPort: new Map([
    ['notify', 'the alert dispatcher has no status server yet: its probes and HEALTHCHECK fail'],
  ]),
} as const;

/** Where each long-running command is implemented: its module must reach the status server. */
export const COMMAND_MODULES: Readonly<Record<string, string>> = {
  run: 'processors/cli/run.ts',
  notify: 'processors/cli/alerts.ts',
};

export type Help = { readonly code: number; readonly text: string };

const BIN = join(ROOT, 'processors/cli/bin.mjs');

/** `yibao-monitor <command> --help`: exit code and output, with no YIBAO_ variable around. */
export function help(command: string): Promise<Help> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YIBAO_')));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, command, '--help'],
      { cwd: ROOT, env, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, text: `${stdout}${stderr}` });
      },
    );
  });
}

/** Whether a command's help lists an option (`--group`, `--no-inject`, …). */
export function listsOption(h: Help, option: string): boolean {
  const escaped = option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[\\s,])${escaped}(?![\\w-])`, 'm').test(h.text);
}

/** The kinds `run --source` accepts, as its help describes them (`simulator, file or stdin`). */
export function sourceKinds(h: Help): string[] {
  const line = h.text.split('\n').find((l) => /--source\b/.test(l)) ?? '';
  const description = line.replace(/^.*--source\s+<\w+>\s*/, '');
  return description.split(/,\s*|\s+or\s+|\s+/).filter((w) => /^[a-z]+$/.test(w));
}
