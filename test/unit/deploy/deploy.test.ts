/**
 * deploy/ agrees with the code it runs: every YIBAO_ variable a processor gets is a setting of
 * processors/config.ts and the settings load; every command and option a container runs is one the
 * CLI answers `--help` for; the probes and the image's HEALTHCHECK ask what the status server
 * serves; the dashboards' datasource uids are provisioned. And each file has the shape an operator
 * relies on. No Docker engine here: the files are parsed, not run.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileNotifyConfig } from '../../../processors/alerting/routing.ts';
import { loadConfig } from '../../../processors/config.ts';
import { createMetrics } from '../../../processors/metrics.ts';
import { startStatusServer } from '../../../processors/status-server.ts';
import { COMMAND_MODULES, type Help, help, listsOption, PENDING, sourceKinds } from './cli.ts';
import {
  argv,
  COMPOSE_FILE,
  type Container,
  dockerfile,
  envFile,
  environment,
  envPairs,
  execForm,
  importGraph,
  interpolate,
  jsonFilesIn,
  type K8sObject,
  k8sYamlFiles,
  kustomization,
  loadCompose,
  loadManifests,
  type Probe,
  ROOT,
  read,
  referencedVariables,
  SECRET_TEMPLATE,
  type Service,
  settingNames,
  yamlFilesIn,
} from './files.ts';

const run = promisify(execFile);

const IMAGE = 'yibao-credit-monitor';
const STATUS_PORT = 9464;
/** Stands for every secret value (long enough for YIBAO_PSEUDONYM_KEY). */
const SECRET = 'deploy-test-secret-0123456789abcdef';
/** The ClickHouse user of Grafana's datasource, and the variable holding its password. */
const READER = 'yibao_reader';
const READER_PASSWORD = 'YIBAO_GRAFANA_CLICKHOUSE_PASSWORD';
const settings = settingNames();

/** Loads a container's environment the way the process does at start-up; names the container on failure. */
function expectSettingsLoad(where: string, env: ReadonlyMap<string, string>): void {
  const yibao = [...env.keys()].filter((k) => k.startsWith('YIBAO_'));
  const unknown = yibao.filter((k) => !settings.has(k) && !PENDING.settings.has(k));
  expect(unknown, `${where}: YIBAO_ variables that processors/config.ts does not know`).toEqual([]);
  const ours = Object.fromEntries([...env].filter(([k]) => settings.has(k)));
  expect(() => loadConfig(ours), `${where}: loadConfig`).not.toThrow();
}

async function withStatusServer<T>(ready: () => boolean, fn: (port: number) => Promise<T>): Promise<T> {
  const server = await startStatusServer(0, { status: () => ({}), ready }, createMetrics());
  try {
    return await fn((server.address() as AddressInfo).port);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

// ---- the image ---------------------------------------------------------------------------------------

const DOCKERFILE = 'deploy/docker/Dockerfile';
const instructions = dockerfile(read(DOCKERFILE));
const stages = instructions.filter((i) => i.keyword === 'FROM');
const runtime = instructions.filter((i) => i.stage === stages.length - 1);
const globalArgs = new Map(
  instructions
    .filter((i) => i.keyword === 'ARG' && i.stage === -1)
    .map((i) => i.args.split('=') as [string, string]),
);
const baseImage = (from: string) =>
  from.split(/\s+/)[0]!.replace(/\$\{(\w+)\}/g, (_, name: string) => globalArgs.get(name) ?? '');
const imageEnv = new Map(
  runtime.filter((i) => i.keyword === 'ENV').flatMap((i) => Object.entries(envPairs(i.args))),
);
const healthcheck = runtime.find((i) => i.keyword === 'HEALTHCHECK');
/** COPY sources from the build context (not --from another stage) into the runtime stage. */
const copied = runtime
  .filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='))
  .flatMap((i) => {
    const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    const dest = parts.pop()!;
    return parts.map((src) => ({ src, dest }));
  });

describe('the image (deploy/docker/Dockerfile)', () => {
  it('builds in stages on node:20-bookworm-slim and installs production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(baseImage(s.args)).toBe('node:20-bookworm-slim');
    const install = instructions.find((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    expect(install?.args).toMatch(/npm ci --omit=dev/);
    expect(install!.stage).toBeLessThan(stages.length - 1);
    expect(
      runtime.some(
        (i) => i.keyword === 'COPY' && /--from=\w+/.test(i.args) && i.args.includes('node_modules'),
      ),
    ).toBe(true);
  });

  it('runs as a non-root user, given by number so that Kubernetes runAsNonRoot can check it', () => {
    const user = runtime.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
  });

  it('starts with ENTRYPOINT ["node","processors/cli/bin.mjs"] and exposes the status port', () => {
    const entrypoint = runtime.filter((i) => i.keyword === 'ENTRYPOINT').at(-1);
    expect(execForm(entrypoint!.args)).toEqual(['node', 'processors/cli/bin.mjs']);
    expect(existsSync(join(ROOT, 'processors/cli/bin.mjs'))).toBe(true);
    const exposed = runtime.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    expect(exposed).toContain(String(STATUS_PORT));
  });

  it('sets only settings of processors/config.ts, which load', () => {
    expectSettingsLoad('Dockerfile ENV', new Map([...imageEnv, ['YIBAO_PSEUDONYM_KEY', SECRET]]));
  });

  it('HEALTHCHECK asks /healthz on YIBAO_STATUS_PORT (9464 by default)', () => {
    expect(healthcheck?.args).toMatch(/\bCMD\b/);
    const cmd = execForm(healthcheck!.args.slice(healthcheck!.args.indexOf('CMD')));
    expect(cmd.join(' ')).toContain('/healthz');
    expect(cmd.join(' ')).toContain('YIBAO_STATUS_PORT');
    expect(cmd.join(' ')).toContain(String(STATUS_PORT));
  });

  it('its HEALTHCHECK command passes against a live status server and fails once it is gone', async () => {
    const [node, ...args] = execForm(healthcheck!.args.slice(healthcheck!.args.indexOf('CMD')));
    expect(node).toBe('node');
    const check = (port: number) =>
      run(process.execPath, args, { env: { ...process.env, YIBAO_STATUS_PORT: String(port) } }).then(
        () => 0,
        (err: { code?: number }) => err.code ?? 1,
      );
    const port = await withStatusServer(
      () => true,
      async (p) => {
        expect(await check(p)).toBe(0);
        return p;
      },
    );
    expect(await check(port)).toBe(1);
  });

  it('copies every file the CLI imports, and the CLI imports runtime dependencies only', () => {
    for (const { src, dest } of copied) {
      // The layout under WORKDIR mirrors the repository: `COPY processors ./processors`, `COPY a b ./`.
      expect([src, `./${src}`, `/app/${src}`, './', '/app/', '.']).toContain(dest);
    }
    const sources = copied.map((c) => c.src);
    const graph = importGraph('processors/cli/bin.mjs');
    const missing = [...graph.files].filter((f) => !sources.some((s) => f === s || f.startsWith(`${s}/`)));
    expect(missing, 'files the CLI imports that the image lacks').toEqual([]);
    // Migrations are read from schemas/clickhouse/ at run time, not imported.
    expect(sources).toContain('schemas');
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const notRuntime = [...graph.packages].filter((p) => !(p in pkg.dependencies));
    expect(
      notRuntime,
      'imported packages missing from "dependencies" (npm ci --omit=dev drops them)',
    ).toEqual([]);
  });

  it('Dockerfile.dockerignore lets through what the Dockerfile copies and keeps node_modules out', () => {
    const ignore = read('deploy/docker/Dockerfile.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const deps = instructions
      .filter((i) => i.keyword === 'COPY' && i.stage < stages.length - 1)
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const src of [...copied.map((c) => c.src), ...deps]) expect(ignore).toContain(`!${src}`);
    expect(ignore).toContain('**/node_modules');
  });
});

// ---- compose -------------------------------------------------------------------------------------------

const compose = loadCompose();
const services = compose.services;
const envExample = envFile(read('deploy/compose/.env.example'));
/** What `cp .env.example .env` and filling in the blanks gives compose to interpolate. */
const composeVars = new Map([...envExample].map(([k, v]) => [k, v === '' ? SECRET : v]));
const isProcessor = (s: Service) =>
  s.build?.dockerfile === DOCKERFILE || (s.image ?? '').split(':')[0] === IMAGE;
const processors = Object.entries(services).filter(([, s]) => isProcessor(s));
const volumeSpecs = (s: Service) =>
  (s.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source, target: v.target };
    const [source = '', target = ''] = v.split(':');
    return { source, target };
  });
const dependsOn = (s: Service) =>
  Array.isArray(s.depends_on)
    ? Object.fromEntries(s.depends_on.map((d) => [d, 'service_started']))
    : Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([k, v]) => [k, v.condition]));
const oneShot = (s: Service) => s.restart === 'no';

describe('compose (deploy/compose/compose.yaml)', () => {
  it('runs Kafka, the topic creator, NATS, ClickHouse, Grafana, migrate, monitor, notify and a simulator', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'kafka',
        'kafka-topics',
        'nats',
        'clickhouse',
        'grafana',
        'migrate',
        'monitor',
        'notify',
        'simulator',
      ]),
    );
    expect(processors.map(([n]) => n).sort()).toEqual([
      'migrate',
      'monitor',
      'notify',
      'simulator',
      'stage-chain',
      'stage-ingest',
      'stage-institution',
      'stage-person',
    ]);
  });

  it('Kafka is one broker in KRaft mode (no ZooKeeper) on a volume, with a health check', () => {
    const kafka = services.kafka!;
    expect(kafka.image).toMatch(/^apache\/kafka:/);
    const env = environment(kafka);
    expect(env.get('KAFKA_PROCESS_ROLES')).toBe('broker,controller');
    expect(env.get('KAFKA_CONTROLLER_QUORUM_VOTERS')).toMatch(/^1@kafka:\d+$/);
    expect([...env.keys()].filter((k) => /ZOOKEEPER/.test(k))).toEqual([]);
    expect(env.get('KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR')).toBe('1');
    expect(volumeSpecs(kafka).map((v) => v.target)).toContain(env.get('KAFKA_LOG_DIRS'));
    expect(kafka.healthcheck?.test).toBeDefined();
    // The processors reach the broker by the listener it advertises inside the network.
    expect(env.get('KAFKA_ADVERTISED_LISTENERS')).toContain('//kafka:9092');
  });

  it('the topic creator makes the five input topics with 6 partitions each, once Kafka is healthy', () => {
    const creator = services['kafka-topics']!;
    const script = [...argv(creator.entrypoint), ...argv(creator.command)].join(' ');
    for (const topic of ['settlements', 'claim-audits', 'supervision', 'registry', 'dead-letters']) {
      expect(script).toMatch(new RegExp(`\\b${topic}\\b`));
    }
    expect(script).toContain('--partitions 6');
    expect(script).toContain('--if-not-exists');
    // The stages' hand-over topics (README "Running at scale").
    for (const topic of ['yibao.stage.institution', 'yibao.stage.person', 'yibao.stage.chain'])
      expect(script).toContain(topic);
    expect(dependsOn(creator)).toEqual({ kafka: 'service_healthy' });
    expect(oneShot(creator)).toBe(true);
  });

  it('NATS runs JetStream with its store on a volume, with a health check', () => {
    const nats = services.nats!;
    expect(nats.image).toMatch(/^nats:2/);
    const args = argv(nats.command);
    expect(args).toContain('-js');
    const store = args[args.indexOf('-sd') + 1];
    expect(volumeSpecs(nats).map((v) => v.target)).toContain(store);
    expect(nats.healthcheck?.test).toBeDefined();
  });

  it('ClickHouse keeps its data on a volume and gets yibao_reader, read-only, from users.d', () => {
    const ch = services.clickhouse!;
    expect(ch.image).toMatch(/^clickhouse\/clickhouse-server:/);
    const mounts = volumeSpecs(ch);
    expect(mounts.map((m) => m.target)).toContain('/var/lib/clickhouse');
    const usersD = mounts.filter((m) => m.target.startsWith('/etc/clickhouse-server/users.d/'));
    expect(usersD.length).toBeGreaterThan(0);
    for (const m of usersD) expect(m.source).toMatch(/^\.\/clickhouse\//);
    const xml = read(join('deploy/compose', usersD[0]!.source));
    expect(xml).toContain(`<${READER}>`);
    expect(xml).toMatch(/<readonly>1<\/readonly>/);
    expect(xml).toMatch(/<changeable_in_readonly\s*\/>/);
    expect([...xml.matchAll(/<query>([^<]*)<\/query>/g)].map((m) => m[1])).toEqual([
      'GRANT SELECT ON yibao.*',
    ]);
    const passwordVar = /<password from_env="([A-Z0-9_]+)"\s*\/>/.exec(xml)?.[1];
    expect(passwordVar).toBe(READER_PASSWORD);
    expect(environment(ch).has(passwordVar!)).toBe(true);
    expect(ch.healthcheck?.test).toBeDefined();
  });

  it('Grafana installs the ClickHouse plugin and mounts the provisioning and the dashboards', () => {
    const grafana = services.grafana!;
    expect(grafana.image).toMatch(/^grafana\/grafana:/);
    expect(environment(grafana).get('GF_INSTALL_PLUGINS')?.split(',')).toContain(
      'grafana-clickhouse-datasource',
    );
    const mounts = volumeSpecs(grafana);
    expect(mounts).toContainEqual({
      source: '../../dashboards/provisioning',
      target: '/etc/grafana/provisioning',
    });
    expect(mounts.some((m) => m.source === '../../dashboards/json')).toBe(true);
    expect(mounts.map((m) => m.target)).toContain('/var/lib/grafana');
  });

  it('the processors are built from deploy/docker/Dockerfile with the repository root as context', () => {
    for (const [name, s] of processors) {
      expect(s.build, name).toEqual({ context: '../..', dockerfile: DOCKERFILE });
      expect(s.image, name).toMatch(new RegExp(`^${IMAGE}:`));
      expect(existsSync(join(ROOT, 'deploy/compose', s.build!.context!, s.build!.dockerfile!))).toBe(true);
    }
  });

  it('every YIBAO_ variable a processor gets is a setting of processors/config.ts, and they load', () => {
    for (const [name, s] of processors) {
      expect(
        s.env_file,
        `${name}: an env_file would hand over variables that are not settings`,
      ).toBeUndefined();
      const env = new Map(imageEnv);
      for (const [k, v] of environment(s)) env.set(k, interpolate(v, composeVars));
      expectSettingsLoad(`compose service ${name}`, env);
    }
  });

  it('other services get no YIBAO_ variable but the password of the dashboards reader', () => {
    for (const [name, s] of Object.entries(services).filter(([, x]) => !isProcessor(x))) {
      const yibao = [...environment(s).keys()].filter((k) => k.startsWith('YIBAO_'));
      expect(yibao, name).toEqual(['clickhouse', 'grafana'].includes(name) ? [READER_PASSWORD] : []);
    }
  });

  it('secrets come only from .env: each is interpolated, declared blank in .env.example, and .env is git-ignored', () => {
    const referenced = new Set<string>();
    for (const [name, s] of Object.entries(services)) {
      for (const [k, v] of environment(s)) {
        for (const r of referencedVariables(v)) referenced.add(r);
        if (/PASSWORD|PSEUDONYM_KEY|SECRET/.test(k)) {
          expect(v, `${name}.${k} must come from .env`).toMatch(/^\$\{[A-Z0-9_]+:\?[^}]+\}$/);
        }
      }
    }
    expect(
      [...referenced].filter((r) => !envExample.has(r)),
      'variables missing from .env.example',
    ).toEqual([]);
    for (const r of referenced) expect(envExample.get(r), `.env.example ${r}`).toBe('');
    const ignored = read('deploy/compose/.gitignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'channels.json']));
    // compose must refuse to start on a missing secret rather than run with an empty one.
    expect(() => interpolate(environment(processors[0]![1]).get('YIBAO_PSEUDONYM_KEY')!, new Map())).toThrow(
      /YIBAO_PSEUDONYM_KEY/,
    );
  });

  it('migrate runs once against a healthy ClickHouse; monitor waits for it, healthy Kafka and the topics', () => {
    expect(argv(services.migrate!.command)).toEqual(['migrate']);
    expect(dependsOn(services.migrate!)).toMatchObject({ clickhouse: 'service_healthy' });
    expect(dependsOn(services.monitor!)).toMatchObject({
      kafka: 'service_healthy',
      clickhouse: 'service_healthy',
      'kafka-topics': 'service_completed_successfully',
      migrate: 'service_completed_successfully',
    });
    const run = argv(services.monitor!.command);
    expect(run.slice(0, 3)).toEqual(['run', '--source', 'kafka']);
    expect(run[run.indexOf('--group') + 1]).toBeTruthy();
    expect(argv(services.notify!.command)).toEqual(['notify', '--channels', '/config/channels.json']);
    expect(volumeSpecs(services.notify!).map((v) => v.target)).toContain('/config/channels.json');
  });

  it('long-running services have a health check; one-shot processors turn the image’s off', () => {
    for (const [name, s] of Object.entries(services)) {
      if (oneShot(s)) {
        if (isProcessor(s)) expect(s.healthcheck, name).toEqual({ disable: true });
      } else if (isProcessor(s)) {
        expect(s.healthcheck?.disable, `${name} keeps the image's HEALTHCHECK`).not.toBe(true);
      } else {
        expect(s.healthcheck?.test, name).toBeDefined();
      }
    }
  });

  it('declares the named volumes it mounts, and the simulator only runs under the simulate profile', () => {
    const named = Object.values(services)
      .flatMap(volumeSpecs)
      .map((v) => v.source)
      .filter((src) => !src.startsWith('.') && !src.startsWith('/'));
    for (const v of named) expect(Object.keys(compose.volumes ?? {})).toContain(v);
    expect(services.simulator!.profiles).toEqual(['simulate']);
    for (const [name, s] of Object.entries(services))
      if (name.startsWith('stage-')) expect(s.profiles, name).toEqual(['stages']);
      else if (name !== 'simulator') expect(s.profiles, name).toBeUndefined();
  });

  it('the stage services run each stage of the topology as its own consumer group, after migrate', () => {
    for (const stage of ['ingest', 'institution', 'person', 'chain']) {
      const s = services[`stage-${stage}`]!;
      const run = argv(s.command);
      expect(run.slice(0, 5)).toEqual(['run', '--source', 'kafka', '--stage', stage]);
      expect(run[run.indexOf('--group') + 1]).toBe('yibao-monitor');
      expect(dependsOn(s)).toMatchObject({
        'kafka-topics': 'service_completed_successfully',
        migrate: 'service_completed_successfully',
      });
    }
  });
});

// ---- Kubernetes ----------------------------------------------------------------------------------------

const kz = kustomization();
const listed = kz.resources.flatMap(loadManifests);
const objects = [...listed, ...loadManifests(SECRET_TEMPLATE)].map((m) => m.object);
const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
/** The overlay deploy/k8s/stages: the topology as one Deployment per stage. */
const STAGES_DIR = 'stages';
const stagesKz = kustomization(STAGES_DIR);
const stageDeployments = stagesKz.resources
  .filter((r) => r !== '..')
  .flatMap((r) => loadManifests(`${STAGES_DIR}/${r}`))
  .map((m) => m.object);
// Every container test below holds for the stage Deployments too.
const workloads = [...objects, ...stageDeployments].filter(
  (o) => o.kind === 'Deployment' || o.kind === 'Job',
);
const containers = workloads.flatMap((owner) =>
  owner.spec!.template!.spec.containers.map((container) => ({ owner, container })),
);
const named = (kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const deployment = (component: string) =>
  ofKind('Deployment').find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === component)!;
const configMap = ofKind('ConfigMap')[0]!;
const statusPort = Number(configMap.data?.YIBAO_STATUS_PORT ?? STATUS_PORT);

/** The environment of a container as the kubelet builds it: envFrom, then env (secrets as SECRET). */
function podEnv(c: Container): Map<string, string> {
  const env = new Map(imageEnv);
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) {
      for (const [k, v] of Object.entries(named('ConfigMap', from.configMapRef.name)?.data ?? {}))
        env.set(k, v);
    }
    if (from.secretRef) {
      for (const k of Object.keys(named('Secret', from.secretRef.name)?.stringData ?? {})) env.set(k, SECRET);
    }
  }
  for (const e of c.env ?? []) env.set(e.name, e.valueFrom?.secretKeyRef ? SECRET : (e.value ?? ''));
  return env;
}

/** A probe's port, a name resolved through the container's ports. */
const probePort = (c: Container, p: Probe | undefined) => {
  const port = p?.httpGet?.port;
  return typeof port === 'string' ? c.ports?.find((x) => x.name === port)?.containerPort : port;
};

const mebibytes = (q: string) => {
  const m = /^(\d+(?:\.\d+)?)(Mi|Gi)$/.exec(q);
  if (!m) throw new Error(`memory quantity ${q}: expected Mi or Gi`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
};

describe('Kubernetes (deploy/k8s)', () => {
  it('kustomization.yaml lists every manifest but the secrets template', () => {
    expect([...kz.resources].sort()).toEqual(
      k8sYamlFiles()
        .filter((f) => f !== SECRET_TEMPLATE)
        .sort(),
    );
    expect(kz.resources).not.toContain(SECRET_TEMPLATE);
  });

  it('has a Namespace, a ConfigMap, a Secret template, the monitor and notify Deployments, a migrate Job and a Service', () => {
    expect(ofKind('Namespace').map((o) => o.metadata.name)).toEqual([kz.namespace]);
    expect(ofKind('ConfigMap')).toHaveLength(1);
    expect(loadManifests(SECRET_TEMPLATE).every((m) => m.object.kind === 'Secret')).toBe(true);
    expect(deployment('monitor')).toBeDefined();
    expect(deployment('notify')).toBeDefined();
    expect(ofKind('Job').map((j) => j.spec!.template!.spec.containers[0]!.args)).toEqual([['migrate']]);
    expect(ofKind('Service')).toHaveLength(1);
  });

  it('every namespaced object is in the kustomization’s namespace', () => {
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) {
      expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(kz.namespace);
    }
  });

  it('containers run the image through its ENTRYPOINT: arguments only, no command', () => {
    const images = new Set((kz.images ?? []).map((i) => i.name));
    for (const { owner, container } of containers) {
      const where = `${owner.kind} ${owner.metadata.name}`;
      expect(container.image.split(':')[0], where).toBe(IMAGE);
      expect(images.has(IMAGE), 'kustomization images: sets the registry and tag').toBe(true);
      expect(container.command, where).toBeUndefined();
      expect(container.args?.length, where).toBeGreaterThan(0);
    }
  });

  it('the ConfigMap holds settings only, no secret; the Secret template holds the secrets', () => {
    const data = Object.keys(configMap.data ?? {});
    expect(data.filter((k) => !settings.has(k))).toEqual([]);
    expect(data.filter((k) => /PASSWORD|PSEUDONYM_KEY/.test(k))).toEqual([]);
    expect(Object.keys(named('Secret', 'yibao-secrets')?.stringData ?? {}).sort()).toEqual([
      'YIBAO_CLICKHOUSE_PASSWORD',
      'YIBAO_PSEUDONYM_KEY',
    ]);
    for (const { container } of containers) {
      for (const e of container.env ?? []) expect(e.name).not.toMatch(/PASSWORD|PSEUDONYM_KEY/);
    }
  });

  it('every YIBAO_ variable a container gets is a setting of processors/config.ts, and they load', () => {
    for (const { owner, container } of containers) {
      expectSettingsLoad(`${owner.kind} ${owner.metadata.name}`, podEnv(container));
    }
  });

  it('every Secret and ConfigMap a pod refers to is defined, with the keys it uses', () => {
    for (const { owner, container } of containers) {
      for (const from of container.envFrom ?? []) {
        if (from.configMapRef) expect(named('ConfigMap', from.configMapRef.name)).toBeDefined();
        if (from.secretRef) expect(named('Secret', from.secretRef.name)).toBeDefined();
      }
      for (const v of owner.spec!.template!.spec.volumes ?? []) {
        if (v.secret) expect(named('Secret', v.secret.secretName), v.name).toBeDefined();
      }
    }
    const channels = named('Secret', 'yibao-notify-channels');
    expect(Object.keys(channels?.stringData ?? {})).toEqual(['channels.json']);
    const notify = deployment('notify').spec!.template!.spec.containers[0]!;
    const mount = notify.volumeMounts?.find((m) => m.mountPath === '/config');
    expect(mount).toBeDefined();
    expect(notify.args).toEqual(['notify', '--channels', '/config/channels.json']);
  });

  it('Deployments probe /healthz (liveness, start-up) and /readyz (readiness) on the status port', () => {
    expect(statusPort).toBe(STATUS_PORT);
    for (const d of [...ofKind('Deployment'), ...stageDeployments]) {
      for (const c of d.spec!.template!.spec.containers) {
        const where = `${d.metadata.name}/${c.name}`;
        expect(c.livenessProbe?.httpGet?.path, where).toBe('/healthz');
        expect(c.readinessProbe?.httpGet?.path, where).toBe('/readyz');
        if (c.startupProbe) expect(c.startupProbe.httpGet?.path, where).toBe('/healthz');
        for (const p of [c.livenessProbe, c.readinessProbe, c.startupProbe].filter(Boolean)) {
          expect(probePort(c, p), where).toBe(statusPort);
        }
      }
    }
  });

  it('the status server answers those probes: /healthz 200, /readyz 503 until ready, then 200', async () => {
    let ready = false;
    await withStatusServer(
      () => ready,
      async (port) => {
        const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`).then((r) => r.status);
        expect(await get('/healthz')).toBe(200);
        expect(await get('/readyz')).toBe(503);
        ready = true;
        expect(await get('/readyz')).toBe(200);
        expect(await get('/metrics')).toBe(200);
      },
    );
  });

  it('Deployments make the status port listen beyond 127.0.0.1, for the kubelet and Prometheus', (ctx) => {
    for (const d of [...ofKind('Deployment'), ...stageDeployments]) {
      const env = podEnv(d.spec!.template!.spec.containers[0]!);
      expect(env.get('YIBAO_STATUS_HOST'), d.metadata.name).toBe('0.0.0.0');
    }
    ctx.skip(
      !settings.has('YIBAO_STATUS_HOST'),
      `pending: YIBAO_STATUS_HOST, ${PENDING.settings.get('YIBAO_STATUS_HOST')}`,
    );
    expect(loadConfig({ YIBAO_STATUS_HOST: '0.0.0.0' })).toMatchObject({ YIBAO_STATUS_HOST: '0.0.0.0' });
  });

  it('the monitor has room for its measured window state: about 2 GiB, bounded at 2,560 MiB', () => {
    for (const { owner, container } of containers) {
      const r = container.resources;
      expect(r?.requests?.memory && r.requests.cpu && r.limits?.memory, owner.metadata.name).toBeTruthy();
    }
    const monitor = deployment('monitor').spec!.template!.spec.containers[0]!;
    const limit = mebibytes(monitor.resources!.limits!.memory!);
    const heap = Number(/--max-old-space-size=(\d+)/.exec(podEnv(monitor).get('NODE_OPTIONS') ?? '')?.[1]);
    // README "Memory": 1,959 MiB of window heap measured; the benchmark fails above 2,560 MiB.
    expect(heap).toBeGreaterThanOrEqual(2560);
    expect(limit - heap).toBeGreaterThanOrEqual(512);
    expect(mebibytes(monitor.resources!.requests!.memory!)).toBeGreaterThanOrEqual(heap);
    expect(read('deploy/k8s/monitor-deployment.yaml')).toMatch(/about 2 GiB/);
  });

  it('pods run as a non-root user without privilege escalation, on a read-only root with /tmp writable', () => {
    for (const { owner, container } of containers) {
      const where = `${owner.metadata.name}/${container.name}`;
      expect(owner.spec!.template!.spec.securityContext?.runAsNonRoot, where).toBe(true);
      expect(container.securityContext?.allowPrivilegeEscalation, where).toBe(false);
      expect(container.securityContext?.readOnlyRootFilesystem, where).toBe(true);
      const mounts = (container.volumeMounts ?? []).map((m) => m.mountPath);
      expect(mounts, `${where}: tsx's cache`).toContain('/tmp');
      const dataDir = podEnv(container).get('YIBAO_DATA_DIR');
      if (owner.kind === 'Deployment') expect(mounts, `${where}: YIBAO_DATA_DIR`).toContain(dataDir);
    }
  });

  it('the metrics Service selects the monitor, notify and stage pods, not migrate, with Prometheus annotations', () => {
    const svc = ofKind('Service')[0]!;
    expect(svc.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(statusPort),
      'prometheus.io/path': '/metrics',
    });
    const selects = (o: K8sObject) =>
      Object.entries(svc.spec!.selector ?? {}).every(
        ([k, v]) => o.spec!.template!.metadata.labels?.[k] === v,
      );
    expect(
      workloads
        .filter(selects)
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual([
      'yibao-monitor',
      'yibao-notify',
      'yibao-stage-chain',
      'yibao-stage-ingest',
      'yibao-stage-institution',
      'yibao-stage-person',
    ]);
    const port = svc.spec!.ports![0]!;
    expect(port.port).toBe(statusPort);
    for (const d of ofKind('Deployment')) {
      const c = d.spec!.template!.spec.containers[0]!;
      expect(probePort(c, { httpGet: { port: port.targetPort } })).toBe(statusPort);
    }
  });

  it('`kubectl kustomize` builds it, where kubectl is installed', async (ctx) => {
    const kubectl = await run('kubectl', ['version', '--client'], { timeout: 20_000 }).then(
      () => true,
      () => false,
    );
    ctx.skip(!kubectl, 'kubectl is not installed here');
    const { stdout } = await run('kubectl', ['kustomize', join(ROOT, 'deploy/k8s')], { timeout: 60_000 });
    const kinds = [...stdout.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]).sort();
    expect(kinds).toEqual(['ConfigMap', 'Deployment', 'Deployment', 'Job', 'Namespace', 'Service']);
    expect(stdout).not.toMatch(/kind: Secret/);
  });
});

describe('Kubernetes stages (deploy/k8s/stages)', () => {
  const stageOf = (d: K8sObject) => {
    const args = d.spec!.template!.spec.containers[0]!.args ?? [];
    return args[args.indexOf('--stage') + 1];
  };

  it('builds on the base and scales the one-process monitor to 0: the stages replace it', () => {
    expect(stagesKz.resources).toContain('..');
    expect(stagesKz.namespace).toBe(kz.namespace);
    expect(stagesKz.images).toEqual(kz.images);
    const scaled = stagesKz.patches?.find(
      (p) => p.target.kind === 'Deployment' && p.target.name === 'yibao-monitor',
    );
    expect(scaled?.patch).toMatch(/path: \/spec\/replicas\s+value: 0/);
    expect(named('Deployment', 'yibao-monitor')).toBeDefined();
  });

  it('runs each stage once, as `run --source kafka --stage <stage>` in the group yibao-monitor', () => {
    expect(stageDeployments.map(stageOf).sort()).toEqual(['chain', 'ingest', 'institution', 'person']);
    for (const d of stageDeployments) {
      const args = d.spec!.template!.spec.containers[0]!.args!;
      expect(args.slice(0, 5)).toEqual(['run', '--source', 'kafka', '--stage', stageOf(d)]);
      expect(args[args.indexOf('--group') + 1], d.metadata.name).toBe('yibao-monitor');
      expect(d.metadata.namespace, d.metadata.name).toBe(kz.namespace);
      expect(d.spec!.template!.metadata.labels?.['yibao/metrics'], d.metadata.name).toBe('true');
    }
  });

  it('no stage has more replicas than its topic has partitions (6; the chain hand-over 3)', () => {
    for (const d of stageDeployments) {
      const most = stageOf(d) === 'chain' ? 3 : 6;
      expect(d.spec!.replicas, d.metadata.name).toBeGreaterThanOrEqual(1);
      expect(d.spec!.replicas, d.metadata.name).toBeLessThanOrEqual(most);
    }
  });

  it('the stateful stages checkpoint to JetStream (pods move), the NATS address is configured, and the settings load', () => {
    for (const d of stageDeployments) {
      const env = podEnv(d.spec!.template!.spec.containers[0]!);
      expectSettingsLoad(d.metadata.name, env);
      if (stageOf(d) === 'ingest') continue;
      expect(env.get('YIBAO_CHECKPOINTS'), d.metadata.name).toBe('jetstream');
      expect(env.get('YIBAO_NATS_URL'), d.metadata.name).toMatch(/^nats:\/\//);
      expect(loadConfig(Object.fromEntries(env)).YIBAO_CHECKPOINT_BUCKET).toBe('yibao-checkpoints');
    }
  });

  it('each stage’s V8 heap leaves at least 128 MiB of its memory limit for buffers and code', () => {
    for (const d of stageDeployments) {
      const c = d.spec!.template!.spec.containers[0]!;
      const heap = Number(/--max-old-space-size=(\d+)/.exec(podEnv(c).get('NODE_OPTIONS') ?? '')?.[1]);
      expect(mebibytes(c.resources!.limits!.memory!) - heap, d.metadata.name).toBeGreaterThanOrEqual(128);
    }
  });
});

// ---- the commands the containers run -------------------------------------------------------------------

type Use = { readonly where: string; readonly args: readonly string[] };
const uses: Use[] = [
  ...processors.map(([name, s]) => ({ where: `${COMPOSE_FILE} ${name}`, args: argv(s.command) })),
  ...containers.map(({ owner, container }) => ({
    where: `deploy/k8s ${owner.kind} ${owner.metadata.name}`,
    args: container.args ?? [],
  })),
];
const commands = [...new Set(uses.map((u) => u.args[0]!))];
/** `command --option` pairs the containers use, each once. */
const optionRows = [
  ...new Set(uses.flatMap((u) => u.args.filter((a) => a.startsWith('--')).map((o) => `${u.args[0]} ${o}`))),
];
const helps = new Map<string, Help>();

describe('the commands the containers run (processors/cli/main.ts)', () => {
  beforeAll(async () => {
    await Promise.all(commands.map(async (c) => helps.set(c, await help(c))));
  }, 120_000);

  it('every container starts with a command, not an option', () => {
    for (const u of uses) expect(u.args[0], u.where).toMatch(/^[a-z][a-z-]*$/);
  });

  it.for(commands)('`%s --help` exits 0: a command of the CLI', (command, ctx) => {
    const h = helps.get(command)!;
    const pending = PENDING.commands.get(command);
    ctx.skip(h.code !== 0 && pending !== undefined, `pending: \`${command}\`, ${pending}`);
    expect(h.code, h.text).toBe(0);
  });

  it.for(optionRows)('`%s` is an option of that command', (row, ctx) => {
    const [command = '', option = ''] = row.split(' ');
    const h = helps.get(command)!;
    const pending = PENDING.options.get(`${command} ${option}`);
    ctx.skip(
      (h.code !== 0 || !listsOption(h, option)) && pending !== undefined,
      `pending: \`${command} ${option}\`, ${pending}`,
    );
    expect(h.code, h.text).toBe(0);
    expect(listsOption(h, option), h.text).toBe(true);
  });

  it.for(Object.keys(COMMAND_MODULES))(
    '`%s`, which runs under probes, serves the status port',
    (command, ctx) => {
      const probed = uses.some((u) => u.args[0] === command);
      expect(probed, `${command} is run by a container`).toBe(true);
      const serves = importGraph(COMMAND_MODULES[command]!).files.has('processors/status-server.ts');
      const pending = PENDING.statusPort.get(command);
      ctx.skip(!serves && pending !== undefined, `pending: \`${command}\` status port, ${pending}`);
      expect(serves).toBe(true);
    },
  );

  it('the channels files shipped for `notify` compile as its channels file', () => {
    const example = JSON.parse(read('deploy/compose/channels.example.json')) as unknown;
    expect(compileNotifyConfig(example, 'channels.example.json').channels.length).toBeGreaterThan(0);
    const template = named('Secret', 'yibao-notify-channels')!.stringData!['channels.json']!;
    expect(compileNotifyConfig(JSON.parse(template), SECRET_TEMPLATE).channels.length).toBeGreaterThan(0);
  });

  it('`run --source` takes the kinds the containers pass', (ctx) => {
    const h = helps.get('run')!;
    const kinds = uses
      .filter((u) => u.args[0] === 'run' && u.args.includes('--source'))
      .map((u) => u.args[u.args.indexOf('--source') + 1]!);
    for (const kind of new Set(kinds)) {
      const pending = PENDING.options.get(`run --source ${kind}`);
      ctx.skip(
        !sourceKinds(h).includes(kind) && pending !== undefined,
        `pending: \`run --source ${kind}\`, ${pending}`,
      );
      expect(sourceKinds(h)).toContain(kind);
    }
  });
});

// ---- Grafana provisioning (dashboards/, written alongside) -------------------------------------------

type Datasource = {
  name?: string;
  type?: string;
  uid?: string;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
};
const datasources = yamlFilesIn('dashboards/provisioning/datasources').flatMap(
  ({ doc }) => (doc as { datasources?: Datasource[] } | null)?.datasources ?? [],
);
const providers = yamlFilesIn('dashboards/provisioning/dashboards').flatMap(
  ({ doc }) => (doc as { providers?: { options?: { path?: string } }[] } | null)?.providers ?? [],
);
const dashboards = jsonFilesIn('dashboards/json');
const BUILT_IN = new Set(['-- Grafana --', '-- Mixed --', '-- Dashboard --', 'grafana']);

/** Every datasource a dashboard names: `{uid}` objects and the older plain strings. */
function datasourceRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) datasourceRefs(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'datasource') {
        const ref = typeof v === 'string' ? v : (v as { uid?: unknown } | null)?.uid;
        if (typeof ref === 'string') out.push(ref);
      }
      datasourceRefs(v, out);
    }
  }
  return out;
}

describe('Grafana provisioning (dashboards/) against compose', () => {
  it('every datasource uid the dashboards use is provisioned', (ctx) => {
    ctx.skip(dashboards.length === 0, 'no dashboards/json/*.json yet');
    const provisioned = new Set(datasources.flatMap((d) => [d.uid, d.name]).filter(Boolean));
    for (const { file, doc } of dashboards) {
      const refs = datasourceRefs(doc).filter((r) => !BUILT_IN.has(r) && !r.startsWith('$'));
      expect(
        refs.filter((r) => !provisioned.has(r)),
        `${file}: datasources not in dashboards/provisioning/datasources`,
      ).toEqual([]);
    }
  });

  it('the ClickHouse datasource reads as yibao_reader from compose’s ClickHouse, with what Grafana is given', (ctx) => {
    const clickhouse = datasources.filter((d) => d.type === 'grafana-clickhouse-datasource');
    ctx.skip(
      clickhouse.length === 0,
      'no grafana-clickhouse-datasource in dashboards/provisioning/datasources yet',
    );
    const grafanaEnv = environment(services.grafana!);
    expect(grafanaEnv.get('GF_INSTALL_PLUGINS')?.split(',')).toContain('grafana-clickhouse-datasource');
    // Grafana expands $VAR and ${VAR} in provisioning files from its environment.
    const expand = (v: unknown) =>
      String(v ?? '').replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => {
        expect(grafanaEnv.has(name), `the grafana service sets ${name}`).toBe(true);
        return grafanaEnv.get(name)!;
      });
    for (const d of clickhouse) {
      const host = expand(d.jsonData?.host ?? d.jsonData?.server).replace(/^\w+:\/\//, '');
      expect(host, 'jsonData.host').toBe('clickhouse');
      const protocol = String(d.jsonData?.protocol ?? 'native');
      const port = expand(d.jsonData?.port);
      expect(port, `jsonData.port for the ${protocol} protocol`).toBe(protocol === 'http' ? '8123' : '9000');
      expect(d.jsonData?.username).toBe(READER);
      expect(d.jsonData?.defaultDatabase ?? 'yibao').toBe(
        environment(services.monitor!).get('YIBAO_CLICKHOUSE_DATABASE'),
      );
      expect(d.secureJsonData?.password).toMatch(new RegExp(`^\\$\\{?${READER_PASSWORD}\\}?$`));
      expand(d.secureJsonData?.password);
    }
  });

  it('the dashboard provider reads the JSON where compose mounts dashboards/json', (ctx) => {
    const paths = providers.map((p) => p.options?.path).filter((p): p is string => !!p);
    ctx.skip(paths.length === 0, 'no dashboard provider in dashboards/provisioning/dashboards yet');
    const target = volumeSpecs(services.grafana!).find((m) => m.source === '../../dashboards/json')!.target;
    for (const p of paths) {
      // The provider's folder is the mount itself, or a folder inside dashboards/json.
      const inside = p.startsWith(`${target}/`)
        ? join(ROOT, 'dashboards/json', p.slice(target.length))
        : undefined;
      expect(
        p === target || (inside !== undefined && statSync(inside, { throwIfNoEntry: false })?.isDirectory()),
        p,
      ).toBe(true);
    }
  });

  it('the users.d reader of compose is the reader dashboards/provisioning/readonly-user.sql describes', (ctx) => {
    const sqlFile = 'dashboards/provisioning/readonly-user.sql';
    ctx.skip(!existsSync(join(ROOT, sqlFile)), `no ${sqlFile}`);
    const sql = read(sqlFile).replace(/--.*$/gm, '');
    expect(sql).toMatch(new RegExp(`CREATE USER IF NOT EXISTS ${READER}\\b`));
    expect(sql).toMatch(/readonly\s*=\s*1\b/);
    expect(sql).toMatch(/max_execution_time\s*=\s*\d+\s+CHANGEABLE_IN_READONLY/);
    expect([...sql.matchAll(/GRANT\s+([^;]+?)\s+ON\s+\S+\s+TO\s+(\w+)/g)].map((m) => [m[1], m[2]])).toEqual([
      ['SELECT', READER],
    ]);
  });
});
