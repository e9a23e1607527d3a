// NATS with JetStream for integration tests: the server at YIBAO_TEST_NATS_URL or 127.0.0.1:4222
// when one answers there with JetStream, else a private nats-server (Debian's package) on a free
// port with a temporary store, stopped by stop(). Streams made through addStream are deleted by stop().
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  type JetStreamManager,
  jetstreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

export interface TestNats {
  url: string;
  /** 'external': a server that was already running; 'spawned': started here for this process. */
  kind: 'external' | 'spawned';
  nc: NatsConnection;
  jsm: JetStreamManager;
  /** A stream or consumer name no other test or run uses (letters, digits, '_' and '-'). */
  uniqueName(prefix: string): string;
  /** Adds a stream and remembers it, so that stop() deletes it. */
  addStream(cfg: Partial<StreamConfig> & { name: string }): Promise<StreamInfo>;
  /** Deletes the streams made through addStream, closes the connection, stops a spawned server. */
  stop(): Promise<void>;
}

const DEFAULT_URL = '127.0.0.1:4222';
const START_TIMEOUT_MS = 10_000;

async function tryConnect(url: string): Promise<{ nc: NatsConnection; jsm: JetStreamManager } | string> {
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: url, timeout: 2_000, reconnect: false, name: 'yibao-integration-test' });
  } catch (err) {
    return `nothing answers at ${url} (${(err as Error).message})`;
  }
  try {
    return { nc, jsm: await jetstreamManager(nc, { timeout: 2_000 }) };
  } catch (err) {
    await nc.close();
    return `the server at ${url} has no JetStream (${(err as Error).message})`;
  }
}

function findNatsServer(): string {
  const candidates = process.env.YIBAO_NATS_SERVER
    ? [process.env.YIBAO_NATS_SERVER]
    : [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin'].map(
        (d) => join(d, 'nats-server'),
      );
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  throw new Error('nats-server is not installed (looked in PATH and /usr/sbin): apt-get install nats-server');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function spawnNatsServer(): Promise<{ url: string; child: ChildProcess; storeDir: string }> {
  const bin = findNatsServer();
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'yibao-nats-'));
  const child = spawn(bin, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nats-server was not ready within ${START_TIMEOUT_MS} ms: ${log}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      log += chunk.toString('utf8');
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.stdout?.resume();
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${bin}: ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${bin} exited with code ${code} before it was ready: ${log}`));
    });
  });
  return { url: `127.0.0.1:${port}`, child, storeDir };
}

export async function startNats(): Promise<TestNats> {
  const url = process.env.YIBAO_TEST_NATS_URL ?? DEFAULT_URL;
  let found = await tryConnect(url);
  let spawned: { url: string; child: ChildProcess; storeDir: string } | undefined;
  let kind: TestNats['kind'] = 'external';
  let usedUrl = url;
  if (typeof found === 'string') {
    const why = found;
    spawned = await spawnNatsServer();
    const child = spawned.child;
    const onExit = () => child.kill('SIGKILL');
    process.once('exit', onExit);
    child.once('exit', () => process.off('exit', onExit));
    found = await tryConnect(spawned.url);
    if (typeof found === 'string') {
      child.kill('SIGKILL');
      throw new Error(`${why}; and the nats-server started here failed: ${found}`);
    }
    kind = 'spawned';
    usedUrl = spawned.url;
  }
  const { nc, jsm } = found;
  const streams = new Set<string>();
  return {
    url: usedUrl,
    kind,
    nc,
    jsm,
    uniqueName: (prefix) => `${prefix}_${process.pid}_${randomUUID().slice(0, 8)}`,
    addStream: async (cfg) => {
      const info = await jsm.streams.add(cfg);
      streams.add(cfg.name);
      return info;
    },
    stop: async () => {
      try {
        for (const name of streams) await jsm.streams.delete(name);
      } finally {
        await nc.drain();
        if (spawned) {
          const { child, storeDir } = spawned;
          if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
            child.kill('SIGTERM');
            await exited;
          }
          rmSync(storeDir, { recursive: true, force: true });
        }
      }
    },
  };
}
