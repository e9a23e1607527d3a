/**
 * The `yibao-monitor` command line. Each command is a thin shell over a function that can be
 * tested on its own; errors print what went wrong and what to do next, and set the exit code.
 */
import { Command, CommanderError } from 'commander';
import { isMonitorError, MonitorError } from '../../schemas/errors.ts';
import { loadConfig, requireSecretKey } from '../config.ts';
import { loadEventTimeBounds, loadPacks, loadThresholds } from '../packs-config.ts';
import { parseTopLimit } from '../status-server.ts';
import { addAlertsCommand, type NotifyCliOptions, notifyCommand } from './alerts.ts';
import { migrateCommand } from './migrate.ts';
import { replay } from './replay.ts';
import { type RunCliOptions, runCommand } from './run.ts';
import {
  describeSummary,
  SIMULATE_DEFAULTS,
  type SimulateCliOptions,
  simulateCommand,
  toSimulateOptions,
} from './simulate.ts';
import { publishSimulation } from './simulate-publish.ts';
import { topCommand } from './top.ts';
import { validateFile } from './validate.ts';

function program(setCode: (code: number) => void): Command {
  const cli = new Command('yibao-monitor')
    .description(
      'Stream-processing credit-risk monitor for medical-insurance funds (医疗保障基金使用信用管理)',
    )
    .exitOverride()
    .showHelpAfterError('(run yibao-monitor --help for the commands)');

  cli
    .command('validate')
    .description(
      'check an NDJSON feed against the input contract (EVENTS.md); exit 1 if any record is rejected',
    )
    .argument('<file>', 'NDJSON file, one record per line')
    .action(async (file: string) => {
      const config = loadConfig();
      requireSecretKey(config, 'validate');
      const { rejected } = await validateFile(file, config, (l) => process.stdout.write(`${l}\n`));
      setCode(rejected > 0 ? 1 : 0);
    });

  cli
    .command('replay')
    .description(
      'run the topology over an NDJSON file in file order and write the contract files of EVENTS.md',
    )
    .requiredOption('--input <file>', 'NDJSON input, one record per line')
    .requiredOption(
      '--out <dir>',
      'directory for standings.ndjson, grade-changes.ndjson, alerts.ndjson, chains.ndjson, inspections.ndjson, rejected.ndjson, summary.json',
    )
    .option(
      '--as-of <timestamp>',
      'read standings at this instant (RFC 3339 with offset); later records are not applied',
    )
    .action(async (opts: { input: string; out: string; asOf?: string }) => {
      const config = loadConfig();
      requireSecretKey(config, 'replay');
      const summary = await replay({
        ...opts,
        pseudonymKey: config.pseudonymKey,
        packs: loadPacks(config),
        thresholds: loadThresholds(config),
        allowedLatenessMs: config.YIBAO_ALLOWED_LATENESS_SECONDS * 1000,
        eventTime: loadEventTimeBounds(config, Date.now),
      });
      process.stdout.write(
        `${summary.input_records} records (${summary.rejected} rejected, ${summary.duplicates} duplicates) → ` +
          `${summary.standings} standings, ${summary.grade_changes} level changes, ${summary.alerts} alerts, ` +
          `${summary.chains} chains, ${summary.inspections} inspections in ${opts.out}\n`,
      );
    });

  cli
    .command('migrate')
    .description(
      'apply the numbered ClickHouse migrations (schemas/clickhouse/) to the configured store: ' +
        'YIBAO_CLICKHOUSE_URL, else chDB in YIBAO_DATA_DIR/chdb (stop a running monitor first: chDB locks it)',
    )
    .action(async () => {
      await migrateCommand(loadConfig(), (l) => process.stdout.write(`${l}\n`));
    });

  cli
    .command('run')
    .description(
      'the live monitor: a source → topology → ClickHouse (chDB in YIBAO_DATA_DIR by default) and data/alerts.jsonl, ' +
        'with a status line every 5 s and a graceful stop (Ctrl-C flushes everything)',
    )
    .option(
      '--source <kind>',
      'simulator, file, stdin, kafka (YIBAO_KAFKA_BROKERS) or jetstream (stream EVENTS on YIBAO_NATS_URL)',
      'simulator',
    )
    .option(
      '--topics <list>',
      'Kafka input topics, comma-separated',
      'settlements,claim-audits,supervision,registry',
    )
    .option(
      '--group <id>',
      'Kafka consumer group (with --stage: each stage joins <id>.<stage>)',
      'yibao-monitor',
    )
    .option(
      '--stage <stage>',
      'Kafka: run one stage of the distributed topology as this process: ingest, institution, person or chain',
    )
    .option(
      '--handover <prefix>',
      'Kafka: hand-over topics <prefix>.institution, <prefix>.person, <prefix>.chain (with --stage)',
      'yibao.stage',
    )
    .option(
      '--no-from-start',
      'Kafka: resume from committed offsets instead of rebuilding state from the start of the log',
    )
    .option(
      '--stop-at-end',
      'Kafka: stop once every assigned partition (empty ones too) has been read to the end offset it had when assigned (batch jobs, tests)',
    )
    .option(
      '--out <dir>',
      "also write replay's contract files (standings, grade changes, alerts, chains, inspections, rejected) into DIR, to compare the live path with replay",
    )
    .option('--input <file>', 'NDJSON file for --source file')
    .option('--rate <n>', 'simulator records per second', '2000')
    .option('--duration <seconds>', 'stop by itself after this many seconds')
    .option('--json', 'machine-readable status lines (JSON) instead of the human summary')
    .option('--seed <n>', 'simulator seed', '1')
    .option('--institutions <n>', 'simulator institutions', '400')
    .option('--days <n>', 'simulated days, ending today', '35')
    .option(
      '--malformed <share>',
      'share of malformed records mixed into the simulator feed (dead-letter demo)',
      '0.001',
    )
    .action(async (opts: RunCliOptions) => {
      setCode(await runCommand(loadConfig(), opts));
    });

  cli
    .command('simulate')
    .description(
      'write a seeded synthetic feed (NDJSON: registry, settlements, audits, supervision facts) with ' +
        'injected patterns, and one label line per injected pattern; same seed and options, same bytes',
    )
    .option('--out <file>', 'NDJSON output, one record per line (required unless --publish)')
    .option(
      '--labels <file>',
      'NDJSON labels: {rule, subject_kind, subject_code, from, to, detail} (required unless --publish)',
    )
    .option(
      '--publish <to>',
      'publish instead of writing a file: kafka (YIBAO_KAFKA_BROKERS, the input topics) or jetstream (stream EVENTS)',
    )
    .option('--rate <n>', 'records per second when publishing', '2000')
    .option('--seed <n>', 'seed', String(SIMULATE_DEFAULTS.seed))
    .option('--days <n>', 'days to simulate', String(SIMULATE_DEFAULTS.days))
    .option('--start <date>', 'first day, YYYY-MM-DD (China time)', SIMULATE_DEFAULTS.start)
    .option('--institutions <n>', 'institutions and pharmacies', String(SIMULATE_DEFAULTS.institutions))
    .option('--persons <n>', 'insured persons (default: 20 × events per day)')
    .option('--events-per-day <n>', 'average settlements per day (default: 12 × institutions)')
    .option('--no-inject', 'normal traffic only: no injected patterns, an empty labels file')
    .action(async (opts: SimulateCliOptions & { publish?: string; rate: string }) => {
      if (opts.publish !== undefined) {
        const rate = Number(opts.rate);
        if (!(rate > 0))
          throw new MonitorError(
            'CONFIG_INVALID',
            `--rate ${JSON.stringify(opts.rate)} is invalid: expected records per second > 0`,
          );
        await publishSimulation(loadConfig(), opts.publish, rate, toSimulateOptions(opts), (l) =>
          process.stdout.write(`${l}\n`),
        );
        return;
      }
      if (opts.out === undefined || opts.labels === undefined) {
        throw new MonitorError(
          'CONFIG_INVALID',
          `simulate needs ${opts.out === undefined ? '--out FILE' : '--labels FILE'} (or --publish kafka|jetstream)`,
        );
      }
      process.stdout.write(describeSummary(await simulateCommand(opts), opts));
    });

  cli
    .command('top')
    .description(
      'riskiest institutions, open alerts and chain status: from the running monitor, else from the store',
    )
    .option('--limit <n>', 'institutions to show', '10')
    .action(async (opts: { limit: string }) => {
      let limit: number;
      try {
        limit = parseTopLimit(opts.limit, '--limit');
      } catch (err) {
        throw new MonitorError('CONFIG_INVALID', (err as Error).message);
      }
      await topCommand(loadConfig(), limit, (l) => process.stdout.write(`${l}\n`));
    });

  addAlertsCommand(cli, { config: loadConfig, print: (l) => process.stdout.write(`${l}\n`), setCode });

  cli
    .command('notify')
    .description(
      'the alert dispatcher: reads the alert bus (stream ALERTS on YIBAO_NATS_URL) with one durable consumer ' +
        'per channel (notify-<name>) and sends to webhook (Alertmanager v4), WeCom and DingTalk robots; ' +
        '20 messages a minute per robot, bursts folded into one summary, silences respected, nothing sent twice. ' +
        'With --alertmanager it pushes every alert, firing and resolved, to Alertmanager (POST /api/v2/alerts, ' +
        'durable notify-alertmanager), which routes, groups, silences and delivers (deploy/alertmanager/alertmanager.yml)',
    )
    .option(
      '--channels <file>',
      'channels JSON: {"grafana_url"?, "channels": [{name, type: webhook|wecom|dingtalk, url, secret?, ' +
        'min_severity?, divisions?, rate_per_minute?, start?}]} (see processors/alerting/routing.ts)',
    )
    .option(
      '--alertmanager <url>',
      'an Alertmanager to push the alerts to, e.g. http://alertmanager:9093 (repeat for each of an HA pair)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--alertmanager-resend <seconds>',
      'how often firing alerts are posted again; endsAt is four times this ahead (default 60)',
    )
    .option(
      '--grafana-url <url>',
      'Grafana base URL for the institution dashboard links (overrides the file)',
    )
    .option('--stream <name>', 'the alert stream', 'ALERTS')
    .option('--duration <seconds>', 'stop by itself after this many seconds')
    .action(async (opts: NotifyCliOptions) => {
      setCode(await notifyCommand(loadConfig(), opts, (l) => process.stdout.write(`${l}\n`)));
    });

  return cli;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const cli = program((c) => {
    code = c;
  });
  try {
    await cli.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (isMonitorError(err)) {
      process.stderr.write(`yibao-monitor: ${err.message} [${err.code}]\n`);
      return 2;
    }
    throw err;
  }
}
