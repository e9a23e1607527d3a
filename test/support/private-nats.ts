// A nats-server of the test's own (Debian's /usr/sbin/nats-server, or YIBAO_NATS_SERVER) on a free
// port, never the machine's shared server on 4222: the tests that stop, kill and restart it, or
// give it authorization, must not touch a server others use. Killed in `stop` and at exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

const BIN = process.env.YIBAO_NATS_SERVER ?? '/usr/sbin/nats-server';
const READY_MS = 10_000;

export type PrivateNats = {
  readonly port: number;
  readonly url: string;
  /** The current store directory (a restart with `emptyStore` makes a new one). */
  readonly storeDir: string;
  /** Kills the server (SIGKILL by default: a crash, nothing flushed) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port; `emptyStore`: with a new, empty store directory. */
  start(opts?: { emptyStore?: boolean }): Promise<void>;
  /** Kills it and removes every store directory. */
  stop(): Promise<void>;
};

/** `args`: extra server flags (`--user u --pass p`, `--auth t`, `-c file.conf`). */
export async function startPrivateNats(args: readonly string[] = []): Promise<PrivateNats> {
  const port = await freePort();
  const root = mkdtempSync(join(tmpdir(), 'yibao-private-nats-'));
  let stores = 0;
  let storeDir = join(root, `store-${stores}`);
  let child: ChildProcess | undefined;
  const onExit = () => child?.kill('SIGKILL');
  process.once('exit', onExit);

  const launch = async () => {
    const c = spawn(BIN, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = c;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => {
        c.kill('SIGKILL');
        reject(new Error(`${BIN} not ready on port ${port} within ${READY_MS} ms: ${log}`));
      }, READY_MS);
      c.stderr?.on('data', (d: Buffer) => {
        log += d.toString('utf8');
        if (log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${BIN}: ${err.message}`));
      });
      c.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${BIN} exited (${code}) before it was ready: ${log}`));
      });
    });
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill(signal);
    await exited;
  };

  await launch();
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    get storeDir() {
      return storeDir;
    },
    kill,
    async start(opts = {}) {
      await kill();
      if (opts.emptyStore) storeDir = join(root, `store-${++stores}`);
      await launch();
    },
    async stop() {
      await kill();
      process.off('exit', onExit);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
