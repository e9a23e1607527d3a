// Is a Docker engine reachable? Decided once per process with testcontainers' own runtime
// detection (DOCKER_HOST, ~/.testcontainers.properties, the usual sockets), bounded in time and
// silent: testcontainers only logs under DEBUG=testcontainers*. YIBAO_TEST_DOCKER=0 forces "no".
import { describe } from 'vitest';

export interface DockerStatus {
  available: boolean;
  /** Why the Docker variants are skipped (empty when available). */
  reason: string;
}

const DETECT_TIMEOUT_MS = 5_000;
let cached: Promise<DockerStatus> | undefined;

async function detect(): Promise<DockerStatus> {
  if (process.env.YIBAO_TEST_DOCKER === '0') {
    return { available: false, reason: 'YIBAO_TEST_DOCKER=0' };
  }
  const { getContainerRuntimeClient } = await import('testcontainers');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${DETECT_TIMEOUT_MS} ms`)),
      DETECT_TIMEOUT_MS,
    );
  });
  try {
    const client = await Promise.race([getContainerRuntimeClient(), timeout]);
    return client.info.containerRuntime.host
      ? { available: true, reason: '' }
      : { available: false, reason: 'container runtime reports no host' };
  } catch (err) {
    return { available: false, reason: `no Docker engine (${(err as Error).message})` };
  } finally {
    clearTimeout(timer);
  }
}

export function detectDocker(): Promise<DockerStatus> {
  cached ??= detect();
  return cached;
}

const announced = new Set<string>();

/**
 * `describe` that runs only when a Docker engine is reachable; otherwise the suite is skipped,
 * its title says why, and one line on stderr says so too.
 */
export async function describeWithDocker(title: string, body: () => void): Promise<void> {
  const status = await detectDocker();
  if (!status.available && !announced.has(title)) {
    announced.add(title);
    process.stderr.write(`Docker variant skipped: ${title}: ${status.reason}\n`);
  }
  const shownTitle = status.available ? title : `${title} [Docker variant skipped: ${status.reason}]`;
  describe.skipIf(!status.available)(shownTitle, body);
}
