/**
 * `yibao-monitor alerts …` (acknowledge, silence, publish to the bus) and `yibao-monitor notify` (the
 * dispatcher), talking to the NATS server at YIBAO_NATS_URL (default nats://127.0.0.1:4222).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { type Command, InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { MonitorError } from '../../schemas/errors.ts';
import {
  type AlertmanagerPusher,
  type AlertmanagerStats,
  compileAlertmanagerSettings,
  startAlertmanagerPusher,
} from '../alerting/alertmanager/pusher.ts';
import { ALERT_STREAM, AlertPublisher, ensureAlertStream, wrapNats } from '../alerting/bus.ts';
import { decodeAlert } from '../alerting/codec.ts';
import { type ChannelStats, startNotifier } from '../alerting/dispatcher.ts';
import { busRuleTokens, findAlertOnBus, ruleChecks } from '../alerting/lookup.ts';
import { loadNotifyConfig } from '../alerting/routing.ts';
import { describeMatcher, formatDuration, parseDuration, type Silence } from '../alerting/silences.ts';
import { AlertState, type AlertStateOptions } from '../alerting/state.ts';
import {
  ALERT_ACKS_TABLE,
  ALERT_SILENCES_TABLE,
  type AlertStateStore,
  openAlertStateStore,
  recordAcks,
  recordLifted,
  recordSilences,
  type StoreSettings,
  syncAlertState,
} from '../alerting/state-store.ts';
import type { Config } from '../config.ts';
import { createMetrics } from '../metrics.ts';
import { startStatusServer } from '../status-server.ts';

export { connectNats, DEFAULT_NATS_URL, natsUrl } from '../alerting/connect.ts';

import { connectNats, displayNatsUrl, type NatsSettings, natsUrl } from '../alerting/connect.ts';
import { ALERT_SUBJECT_PREFIX } from '../alerting/subjects.ts';

export type AlertsCliDeps = {
  /** The NATS settings: URL, credentials, TLS; and the ClickHouse server, if any (config.ts). */
  readonly config: () => NatsSettings & StoreSettings;
  readonly print: (line: string) => void;
  readonly setCode: (code: number) => void;
  /** Bucket names (tests use their own). */
  readonly buckets?: AlertStateOptions;
  /** The stream and subject prefix `publish` writes to and `ack`/`silence` look at (tests use their own). */
  readonly stream?: string;
  readonly subjectPrefix?: string;
  /**
   * Where acknowledgements and silences are recorded for the dashboards besides the KV: by default
   * the ClickHouse server of YIBAO_CLICKHOUSE_URL, none without it (state-store.ts).
   */
  readonly store?: (config: StoreSettings) => Promise<AlertStateStore | undefined>;
};

/**
 * After the KV write: the same record into ClickHouse for the dashboards' work queue. The KV write
 * stands whatever happens here; a failure says so, points at `alerts sync-store` and exits 1.
 */
async function alsoInStore(
  deps: AlertsCliDeps,
  what: string,
  table: string,
  write: (store: AlertStateStore) => Promise<void>,
): Promise<void> {
  let store: AlertStateStore | undefined;
  try {
    store = await (deps.store ?? openAlertStateStore)(deps.config());
    if (store === undefined) return;
    await write(store);
    deps.print(`recorded in ${store.database}.${table} for the dashboards`);
  } catch (err) {
    deps.print(
      `${what} is in effect (NATS KV) but not recorded in ClickHouse: ${(err as Error).message}; ` +
        'the dashboards miss it until `yibao-monitor alerts sync-store` copies it',
    );
    deps.setCode(1);
  } finally {
    await store?.close();
  }
}

async function withState<T>(
  deps: AlertsCliDeps,
  op: (state: AlertState, nc: NatsConnection) => Promise<T>,
): Promise<T> {
  const nc = await connectNats(deps.config(), { name: 'yibao-monitor-alerts' });
  try {
    const state = await AlertState.open(nc, deps.buckets);
    return await op(state, nc);
  } finally {
    await nc.close();
  }
}

function durationArg(text: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function describeSilence(s: Silence, now: number): string {
  const left = Date.parse(s.until) - now;
  const state = left > 0 ? `until ${s.until} (${Math.ceil(left / 60_000)} min left)` : `ended ${s.until}`;
  const scope = s.scope
    ? `  [${s.scope.breadth}, ${formatDuration(s.scope.duration_ms)}${s.scope.forced ? `, forced: ${(s.scope.forced_past ?? []).join(', ')}` : ''}]`
    : '';
  return `${s.id}  ${describeMatcher(s)}  ${state}${scope}  by ${s.by} at ${s.created_at}: ${s.why}`;
}

/** `alerts` and its subcommands, made through `cli.command` so they inherit its exit and help settings. */
export function addAlertsCommand(cli: Command, deps: AlertsCliDeps): Command {
  const alerts = cli
    .command('alerts')
    .description(
      'acknowledge and silence alerts (KV buckets ALERT_ACKS, ALERT_SILENCES) and publish alert files to the ' +
        'alert bus, on the NATS server at YIBAO_NATS_URL (default nats://127.0.0.1:4222) with the credentials of ' +
        'YIBAO_NATS_USER/YIBAO_NATS_PASSWORD, YIBAO_NATS_TOKEN, YIBAO_NATS_CREDS_FILE or YIBAO_NATS_NKEY_SEED_FILE; ' +
        'with YIBAO_CLICKHOUSE_URL set, acknowledgements and silences are also recorded in ClickHouse for the dashboards',
    );

  alerts
    .command('ack')
    .description(
      'acknowledge an alert on the bus (stream ALERTS): who took it on, when, and a note for the next shift; ' +
        'an id that is not on the bus is refused',
    )
    .argument('<alert_id>', 'the alert id, as in the notification (告警编号) or alerts.ndjson')
    .requiredOption('--by <name>', 'who acknowledges')
    .option('--note <text>', 'what is being done about it')
    .action(async (alertId: string, opts: { by: string; note?: string }) => {
      const stream = deps.stream ?? ALERT_STREAM;
      const { ack, found } = await withState(deps, async (s, nc) => {
        const found = await findAlertOnBus(jetstream(nc), await jetstreamManager(nc), stream, alertId, {
          ...(deps.subjectPrefix && { prefix: deps.subjectPrefix }),
        });
        if (!found) {
          throw new MonitorError(
            'CONFIG_INVALID',
            `alert ${JSON.stringify(alertId)} is not on the alert bus (stream ${stream}): expected the id of an ` +
              'alert raised there, as in the notification (告警编号) or alerts.jsonl',
            { alert_id: alertId },
          );
        }
        const ack = await s.ack(alertId, {
          by: opts.by,
          ...(opts.note !== undefined && { note: opts.note }),
        });
        return { ack, found };
      });
      deps.print(
        `acknowledged ${ack.alert_id} (${found.status}, ${found.subject}) by ${ack.by} at ${ack.at}${ack.note ? `: ${ack.note}` : ''}`,
      );
      await alsoInStore(deps, `the acknowledgement of ${ack.alert_id}`, ALERT_ACKS_TABLE, (store) =>
        recordAcks(store, [ack]),
      );
    });

  alerts
    .command('silence')
    .description(
      'stop notifications for alerts that match every matcher given (at least one) for a while; ' +
        'the alerts are still recorded, only the channels stay quiet. A silence broader than one prefecture ' +
        '(a 2-digit division, or none) or longer than 30 days needs --force, and is recorded with its scope',
    )
    .option(
      '--rule <rule>',
      'rule id, e.g. split_admission (an early-warning rule, or one with alerts on the bus)',
    )
    .option(
      '--division <code>',
      'division code of 2, 4 or 6 digits: 5101 covers every district of 成都, 510104 one district',
    )
    .option('--subject <code>', 'subject code (H51010400001) or kind:code (institution:H51010400001)')
    .requiredOption(
      '--for <duration>',
      'how long: 30m, 2h, 1d, 1h30m (at most 30d without --force)',
      durationArg,
    )
    .requiredOption('--by <name>', 'who silences')
    .requiredOption('--why <text>', 'the reason, for whoever wonders why the channel is quiet')
    .option(
      '--force',
      'allow a silence broader than one prefecture or longer than 30 days (recorded as forced)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  yibao-monitor alerts silence --rule off_hours_share --division 510104 --for 2h --by 张三 --why "夜间门诊试点"' +
        '\n  yibao-monitor alerts silence --rule amount_spike --division 51 --for 1d --force --by 张三 --why "全省系统升级"',
    )
    .action(
      async (opts: {
        rule?: string;
        division?: string;
        subject?: string;
        for: number;
        by: string;
        why: string;
        force?: boolean;
      }) => {
        if (opts.rule === undefined && opts.division === undefined && opts.subject === undefined) {
          throw new MonitorError(
            'CONFIG_INVALID',
            'alerts silence needs --rule, --division or --subject: a silence of every alert is not allowed',
          );
        }
        const stream = deps.stream ?? ALERT_STREAM;
        const s = await withState(deps, async (state, nc) => {
          // The rule ids alerts carry, and those with alerts on the bus (a pack's own rules).
          const onBus =
            opts.rule === undefined
              ? new Set<string>()
              : await busRuleTokens(
                  await jetstreamManager(nc),
                  stream,
                  deps.subjectPrefix ?? ALERT_SUBJECT_PREFIX,
                );
          return await state.silence(
            {
              ...(opts.rule !== undefined && { rule: opts.rule }),
              ...(opts.division !== undefined && { division: opts.division }),
              ...(opts.subject !== undefined && { subject: opts.subject }),
              forMs: opts.for,
              by: opts.by,
              why: opts.why,
              force: opts.force === true,
            },
            Date.now(),
            ruleChecks(onBus),
          );
        });
        deps.print(`silenced: ${describeSilence(s, Date.now())}`);
        deps.print(`lift it early with: yibao-monitor alerts unsilence ${s.id}`);
        await alsoInStore(deps, `silence ${s.id}`, ALERT_SILENCES_TABLE, (store) =>
          recordSilences(store, [s]),
        );
      },
    );

  alerts
    .command('list-silences')
    .description('the silences in force, soonest to end first')
    .option('--all', 'include the silences that have ended')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const now = Date.now();
      const list = await withState(deps, (s) => s.listSilences({ now, includeExpired: opts.all === true }));
      if (opts.json) for (const s of list) deps.print(JSON.stringify(s));
      else if (list.length === 0) deps.print(opts.all ? 'no silences' : 'no silences in force');
      else for (const s of list) deps.print(describeSilence(s, now));
    });

  alerts
    .command('unsilence')
    .description('lift a silence before its end')
    .argument('<id>', 'the silence id (sil-…), from list-silences')
    .action(async (id: string) => {
      const lifted = await withState(deps, (s) => s.liftSilence(id));
      if (lifted === null) {
        deps.print(`no silence ${id} (see yibao-monitor alerts list-silences --all)`);
        deps.setCode(1);
        return;
      }
      const at = Date.now();
      deps.print(`silence ${id} lifted`);
      await alsoInStore(deps, `the lifting of silence ${id}`, ALERT_SILENCES_TABLE, (store) =>
        recordLifted(store, lifted, at),
      );
    });

  alerts
    .command('sync-store')
    .description(
      'copy the acknowledgements and silences of the KV buckets into ClickHouse (tables alert_acks, ' +
        'alert_silences at YIBAO_CLICKHOUSE_URL) for the dashboards, and record as lifted the silences ' +
        'the store has in force that the bucket no longer holds; ack, silence and unsilence write there ' +
        'themselves, this catches up after a failed write or for state from before migration 005',
    )
    .action(async () => {
      const store = await (deps.store ?? openAlertStateStore)(deps.config());
      if (store === undefined) {
        throw new MonitorError(
          'CONFIG_MISSING',
          'alerts sync-store needs a ClickHouse server: set YIBAO_CLICKHOUSE_URL (e.g. http://localhost:8123); ' +
            'the embedded store is not read by Grafana',
        );
      }
      try {
        const r = await withState(deps, (s) => syncAlertState(s, store));
        deps.print(
          `${r.acks} acknowledgements and ${r.silences} silences copied to ${store.database}; ` +
            `${r.lifted} silences no longer in the bucket recorded as lifted`,
        );
      } finally {
        await store.close();
      }
    });

  alerts
    .command('publish')
    .description(
      'publish an alerts file (alerts.ndjson of replay, data/alerts.jsonl of run) to the alert bus; ' +
        'alerts already there (same id and status) are counted as duplicates and not stored again',
    )
    .argument('<file>', 'NDJSON, one alert per line')
    .action(async (file: string) => {
      const nc = await connectNats(deps.config(), { name: 'yibao-monitor-publish' });
      try {
        const stream = deps.stream ?? ALERT_STREAM;
        await ensureAlertStream(await jetstreamManager(nc), { name: stream }).catch((err: unknown) => {
          throw wrapNats(err, `cannot open the alert stream ${stream}`);
        });
        const publisher = new AlertPublisher(jetstream(nc), {
          ...(deps.subjectPrefix && { prefix: deps.subjectPrefix }),
        });
        let line = 0;
        let rejected = 0;
        const lines = createInterface({
          input: createReadStream(file, 'utf8'),
          crlfDelay: Number.POSITIVE_INFINITY,
        });
        try {
          for await (const text of lines) {
            line++;
            if (text.trim() === '') continue;
            const d = decodeAlert(text);
            if (!d.ok) {
              rejected++;
              deps.print(`${file}:${line}: not an alert: ${d.error}`);
              continue;
            }
            await publisher.publish(d.alert);
          }
        } catch (err) {
          if (err instanceof MonitorError) throw err;
          throw new MonitorError(
            'INPUT_UNREADABLE',
            `cannot read ${file}: ${(err as Error).message}`,
            { file },
            err,
          );
        }
        const t = await publisher.flush();
        deps.print(
          `${t.published} alerts published to ${stream}, ${t.duplicates} already there, ${rejected} rejected`,
        );
        deps.setCode(rejected > 0 ? 1 : 0);
      } finally {
        await nc.close();
      }
    });

  return alerts;
}

export type NotifyCliOptions = {
  readonly channels?: string;
  readonly alertmanager?: readonly string[];
  readonly alertmanagerResend?: string;
  readonly grafanaUrl?: string;
  readonly stream?: string;
  readonly duration?: string;
};

function describeStats(name: string, s: ChannelStats): string {
  return (
    `${name}: ${s.messages} messages (${s.summaries} summaries) carrying ${s.alerts} alerts; ` +
    `${s.silenced} silenced, ${s.filtered} not routed here, ${s.duplicates} already sent, ` +
    `${s.retries} retries, ${s.failures} failures`
  );
}

function describeAlertmanager(s: AlertmanagerStats): string[] {
  return [
    `alertmanager: ${s.received} alerts from the bus (${s.invalid} invalid, ${s.stale} stale); ` +
      `${s.firing} firing and ${s.resolved} recently resolved held for re-sending`,
    ...s.targets.map(
      (t) =>
        `  ${t.url}: ${t.posts} posts carrying ${t.alerts} alerts, ${t.resends} full re-sends, ` +
        `${t.failures} failed posts, ${t.rejected} alerts refused${t.last_error ? `; last error: ${t.last_error}` : ''}`,
    ),
  ];
}

function secondsOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(Number.isFinite(n) && n > 0)) {
    throw new MonitorError('CONFIG_INVALID', `${name} ${JSON.stringify(text)}: expected seconds > 0`);
  }
  return n * 1000;
}

/**
 * The dispatcher (the channels of --channels) and/or the Alertmanager pusher (--alertmanager) until
 * Ctrl-C / SIGTERM (or --duration): exit 0 after a clean stop, 1 when one of them failed.
 */
export async function notifyCommand(
  config: NatsSettings &
    Pick<Config, 'YIBAO_LOG_LEVEL'> &
    Partial<Pick<Config, 'YIBAO_STATUS_PORT' | 'YIBAO_STATUS_HOST'>>,
  opts: NotifyCliOptions,
  print: (line: string) => void,
): Promise<number> {
  const urls = opts.alertmanager ?? [];
  if (opts.channels === undefined && urls.length === 0) {
    throw new MonitorError(
      'CONFIG_MISSING',
      'notify needs --channels <file> (WeCom, DingTalk and webhook channels), --alertmanager <url> ' +
        '(e.g. http://alertmanager:9093), or both',
    );
  }
  const channels = opts.channels === undefined ? undefined : await loadNotifyConfig(opts.channels);
  const durationMs = secondsOption('--duration', opts.duration);
  const resendMs = secondsOption('--alertmanager-resend', opts.alertmanagerResend);
  const grafanaUrl = opts.grafanaUrl ?? channels?.grafana_url;
  const amOptions = {
    urls,
    ...(opts.stream && { stream: opts.stream }),
    ...(resendMs !== undefined && { resendMs }),
    ...(grafanaUrl && { message: { grafanaUrl } }),
  };
  if (urls.length > 0) compileAlertmanagerSettings(amOptions); // a bad URL or interval before connecting
  const url = displayNatsUrl(natsUrl(config));
  const nc = await connectNats(config, { name: 'yibao-monitor-notify', reconnect: true });
  const logger = pino({ level: config.YIBAO_LOG_LEVEL, base: { component: 'notify' } }, pino.destination(2));
  try {
    const notifier =
      channels === undefined
        ? undefined
        : await startNotifier(nc, channels, {
            logger,
            ...(opts.stream && { stream: opts.stream }),
            ...(opts.grafanaUrl && { message: { grafanaUrl: opts.grafanaUrl } }),
          });
    let pusher: AlertmanagerPusher | undefined;
    try {
      pusher = urls.length === 0 ? undefined : await startAlertmanagerPusher(nc, { ...amOptions, logger });
    } catch (err) {
      await notifier?.stop();
      throw err;
    }
    const parts = [
      ...(notifier?.channels.map((c) => `${c.name} (${c.durable})`) ?? []),
      ...(pusher ? [`Alertmanager ${pusher.endpoints.join(', ')} (${pusher.durable})`] : []),
    ];
    print(`notify: ${parts.join(', ')} on ${url}, stream ${opts.stream ?? ALERT_STREAM}; Ctrl-C stops`);
    const status = () => ({
      ...(notifier?.stats() ?? {}),
      ...(pusher && { alertmanager: pusher.stats() }),
    });
    // The status port answers probes (/healthz, /readyz), /status with the channels' counts, /metrics.
    const server =
      config.YIBAO_STATUS_PORT === undefined
        ? undefined
        : await startStatusServer(
            config.YIBAO_STATUS_PORT,
            { status, ready: () => !nc.isClosed() },
            createMetrics(),
            config.YIBAO_STATUS_HOST,
          ).catch((err: Error) => {
            print(
              `status port ${config.YIBAO_STATUS_PORT} unavailable (${err.message}); continuing without it`,
            );
            return undefined;
          });
    let onSignal: () => void = () => undefined;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await new Promise<'stopped' | 'failed'>((resolve) => {
      onSignal = () => resolve('stopped');
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      if (durationMs !== undefined) timer = setTimeout(onSignal, durationMs);
      for (const done of [notifier?.done, pusher?.done]) {
        done?.then(
          () => resolve('stopped'),
          () => resolve('failed'),
        );
      }
    });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    clearTimeout(timer);
    await Promise.all([notifier?.stop(), pusher?.stop()]);
    server?.close();
    for (const [name, s] of Object.entries(notifier?.stats() ?? {})) print(describeStats(name, s));
    if (pusher) for (const line of describeAlertmanager(pusher.stats())) print(line);
    return outcome === 'failed' ? 1 : 0;
  } finally {
    await nc.drain().catch(() => undefined);
  }
}
