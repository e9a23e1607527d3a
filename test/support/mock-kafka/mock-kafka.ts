// librdkafka's mock cluster as a child process (ARCHITECTURE.md, "Testing against real parts").
// Preferred: mock-kafka.c beside this file, compiled on demand against Debian's librdkafka-dev,
// which creates topics with the asked partition count. Fallback when there is no compiler or
// header: `kcat -X test.mock.num.brokers=N`, whose topics appear on first use with the mock's
// default partition count (4 in librdkafka 2.0.2); callers read the real count from metadata.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MockTopic {
  name: string;
  partitions: number;
}

export interface MockKafka {
  brokers: string[];
  /** Which route started the cluster. */
  via: 'mock-kafka' | 'kcat';
  /** Topics the cluster was asked to pre-create (empty with kcat: auto-created on first use). */
  precreated: MockTopic[];
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(here, 'mock-kafka.c');
const BINARY = join(here, 'mock-kafka');
// Generous: in a full test run both cores are busy, and a cluster with 64+ partitions has been
// seen to take over 10 s to print its bootstrap address there (it starts in ~0.1 s alone).
const START_TIMEOUT_MS = 60_000;

/** Path of the compiled helper, (re)built when missing or older than its source; undefined with reason when it cannot be built. */
export function buildMockKafka(): { binary?: string; reason?: string } {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) {
    return { binary: BINARY };
  }
  // Parallel test workers may build at once: compile to a private name, then rename atomically.
  const tmp = `${BINARY}.${process.pid}.tmp`;
  const cc = process.env.CC ?? 'gcc';
  const r = spawnSync(cc, ['-O2', '-Wall', '-o', tmp, SOURCE, '-lrdkafka'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    rmSync(tmp, { force: true });
    const why = r.error ? r.error.message : r.stderr.trim().split('\n').slice(0, 3).join(' | ');
    return { reason: `cannot build ${SOURCE} with ${cc}: ${why}` };
  }
  renameSync(tmp, BINARY);
  return { binary: BINARY };
}

/** Waits until `pattern` matches a line of the chosen output stream, or the process dies or times out. */
function waitForLine(
  child: ChildProcessWithoutNullStreams,
  stream: 'stdout' | 'stderr',
  pattern: RegExp,
  what: string,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    let other = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const m = seen.match(pattern);
      if (m) {
        cleanup();
        resolve(m);
      }
    };
    const onOther = (chunk: Buffer) => {
      other += chunk.toString('utf8');
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(
        new Error(`${what} exited (code ${code}, signal ${signal}) before it was ready: ${seen}${other}`),
      );
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new Error(`${what} could not start: ${err.message}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`${what} printed no ${pattern} within ${START_TIMEOUT_MS} ms: ${seen}${other}`));
    }, START_TIMEOUT_MS);
    const otherStream = stream === 'stdout' ? child.stderr : child.stdout;
    function cleanup() {
      clearTimeout(timer);
      child[stream].off('data', onData);
      otherStream.off('data', onOther);
      child.off('exit', onExit);
      child.off('error', onError);
    }
    child[stream].on('data', onData);
    otherStream.on('data', onOther);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

function stopper(child: ChildProcessWithoutNullStreams): () => Promise<void> {
  // If the test process ends without stop(): mock-kafka exits on stdin EOF anyway, kcat would not.
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  child.once('exit', () => process.off('exit', onExit));
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin.end();
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  };
}

function parseBrokers(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export async function startMockKafka(
  opts: { brokers?: number; topics?: MockTopic[] } = {},
): Promise<MockKafka> {
  const brokerCount = opts.brokers ?? 3;
  const topics = opts.topics ?? [];
  for (const t of topics) {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(t.name) || !Number.isInteger(t.partitions) || t.partitions < 1) {
      throw new Error(`bad topic ${JSON.stringify(t)}: expected a Kafka topic name and partitions >= 1`);
    }
  }
  // YIBAO_TEST_MOCK_KAFKA=kcat takes the fallback route even when the helper can be built.
  const built =
    process.env.YIBAO_TEST_MOCK_KAFKA === 'kcat'
      ? { reason: 'YIBAO_TEST_MOCK_KAFKA=kcat' }
      : buildMockKafka();
  if (built.binary) {
    const args = ['-b', String(brokerCount), ...topics.map((t) => `${t.name}:${t.partitions}`)];
    const child = spawn(built.binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const m = await waitForLine(child, 'stdout', /^BOOTSTRAP (\S+)$/m, 'mock-kafka');
    child.stdout.resume();
    child.stderr.resume();
    return { brokers: parseBrokers(m[1]!), via: 'mock-kafka', precreated: topics, stop: stopper(child) };
  }
  const child = spawn(
    'kcat',
    ['-X', `test.mock.num.brokers=${brokerCount}`, '-b', '127.0.0.1:1', '-C', '-t', 'keepalive', '-q'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let m: RegExpMatchArray;
  try {
    m = await waitForLine(child, 'stderr', /Mock cluster enabled:.*replaced with (\S+)/, 'kcat');
  } catch (err) {
    throw new Error(`no mock Kafka cluster: ${built.reason}; and ${(err as Error).message}`);
  }
  child.stdout.resume();
  child.stderr.resume();
  return { brokers: parseBrokers(m[1]!), via: 'kcat', precreated: [], stop: stopper(child) };
}
