/**
 * Acknowledgements and silences into ClickHouse (tables alert_acks and alert_silences, migration
 * 005), so the dashboards' alert work queue can show them: Grafana reads ClickHouse, not the NATS
 * KV buckets the dispatcher reads (state.ts). The CLI writes the KV first, then the same record
 * here; `syncAlertState` copies the buckets again and records as lifted the silences the store
 * still has in force that the bucket no longer holds. The KV stays the truth notifications follow.
 */
import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { MonitorError } from '../../schemas/errors.ts';
import type { Config } from '../config.ts';
import { createStorageClient } from '../storage/client.ts';
import { checkDatabaseName } from '../storage/database.ts';
import { chinaDateTime } from '../storage/rows.ts';
import type { AlertAck, Silence } from './silences.ts';
import { silenceBreadth } from './silences.ts';
import type { AlertState } from './state.ts';

export const ALERT_ACKS_TABLE = 'alert_acks';
export const ALERT_SILENCES_TABLE = 'alert_silences';

/** Where the alert state is written: a client and the monitor's database. */
export type AlertStateStore = {
  readonly client: ClickHouseClient;
  readonly database: string;
  close(): Promise<void>;
};

export type StoreSettings = Partial<
  Pick<
    Config,
    | 'YIBAO_CLICKHOUSE_URL'
    | 'YIBAO_CLICKHOUSE_USER'
    | 'YIBAO_CLICKHOUSE_PASSWORD'
    | 'YIBAO_CLICKHOUSE_DATABASE'
    | 'YIBAO_DATA_DIR'
  >
>;

/**
 * The ClickHouse server of YIBAO_CLICKHOUSE_URL, or undefined without one. The embedded store
 * (chDB) is left alone: a running monitor holds its directory (storage/client.ts), and Grafana
 * cannot read it anyway, so there is no dashboard to feed.
 */
export async function openAlertStateStore(config: StoreSettings): Promise<AlertStateStore | undefined> {
  if (config.YIBAO_CLICKHOUSE_URL === undefined) return undefined;
  const database = checkDatabaseName(config.YIBAO_CLICKHOUSE_DATABASE ?? 'yibao');
  const storage = await createStorageClient({
    YIBAO_CLICKHOUSE_URL: config.YIBAO_CLICKHOUSE_URL,
    YIBAO_CLICKHOUSE_USER: config.YIBAO_CLICKHOUSE_USER,
    YIBAO_CLICKHOUSE_PASSWORD: config.YIBAO_CLICKHOUSE_PASSWORD,
    YIBAO_DATA_DIR: config.YIBAO_DATA_DIR ?? './data',
  });
  return { client: storage.client, database, close: () => storage.close() };
}

export type AckRow = { alert_id: string; at: string; acked_by: string; note: string };

export type SilenceRow = {
  silence_id: string;
  rule: string;
  division: string;
  subject: string;
  created_at: string;
  until: string;
  set_by: string;
  why: string;
  breadth: string;
  forced: boolean;
  lifted_at: string | null;
  version: 1 | 2;
};

export function ackRow(a: AlertAck): AckRow {
  return { alert_id: a.alert_id, at: chinaDateTime(a.at, 'at'), acked_by: a.by, note: a.note ?? '' };
}

/** A silence as set (`liftedAt` absent) or as lifted early at `liftedAt` (epoch ms or ISO time). */
export function silenceRow(s: Silence, liftedAt?: string | number): SilenceRow {
  return {
    silence_id: s.id,
    rule: s.rule ?? '',
    division: s.division ?? '',
    subject: s.subject ?? '',
    created_at: chinaDateTime(s.created_at, 'created_at'),
    until: chinaDateTime(s.until, 'until'),
    set_by: s.by,
    why: s.why,
    breadth: s.scope?.breadth ?? silenceBreadth(s),
    forced: s.scope?.forced ?? false,
    lifted_at: liftedAt === undefined ? null : chinaDateTime(liftedAt, 'lifted_at'),
    version: liftedAt === undefined ? 1 : 2,
  };
}

async function insert(store: AlertStateStore, table: string, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  const db = checkDatabaseName(store.database);
  const token = createHash('sha256').update(table).update(JSON.stringify(rows)).digest('hex');
  try {
    await store.client.insert({
      table: `${db}.${table}`,
      values: rows,
      format: 'JSONEachRow',
      // Explicit every time: on chDB a token set by an earlier insert stays set on the session.
      clickhouse_settings: { insert_deduplication_token: token },
    });
  } catch (err) {
    throw new MonitorError(
      'SINK_UNAVAILABLE',
      `cannot write ${db}.${table}: ${(err as Error).message} (has \`yibao-monitor migrate\` run for migration 005?)`,
      { table },
      err,
    );
  }
}

export const recordAcks = (store: AlertStateStore, acks: readonly AlertAck[]) =>
  insert(store, ALERT_ACKS_TABLE, acks.map(ackRow));

export const recordSilences = (store: AlertStateStore, silences: readonly Silence[]) =>
  insert(
    store,
    ALERT_SILENCES_TABLE,
    silences.map((s) => silenceRow(s)),
  );

export const recordLifted = (store: AlertStateStore, silence: Silence, at: string | number) =>
  insert(store, ALERT_SILENCES_TABLE, [silenceRow(silence, at)]);

export type SyncReport = { readonly acks: number; readonly silences: number; readonly lifted: number };

/**
 * Copies every acknowledgement and silence of the buckets into the store, and records as lifted
 * at `now` each silence the store has as in force that the bucket no longer holds (lifted while
 * the store was unreachable, or lost with the bucket: the dispatcher no longer applies it either).
 */
export async function syncAlertState(
  state: AlertState,
  store: AlertStateStore,
  now = Date.now(),
): Promise<SyncReport> {
  const acks = await state.listAcks();
  const silences = await state.listSilences({ now, includeExpired: true });
  await recordAcks(store, acks);
  await recordSilences(store, silences);
  const inBucket = new Set(silences.map((s) => s.id));
  const db = checkDatabaseName(store.database);
  const rs = await store.client.query({
    query: `SELECT silence_id, rule, division, subject, toString(created_at) AS created_text,
                   toString(until) AS until_text, set_by, why, breadth, forced
            FROM ${db}.${ALERT_SILENCES_TABLE} FINAL
            WHERE lifted_at IS NULL AND until > fromUnixTimestamp64Milli({now:Int64}, 'Asia/Shanghai')`,
    query_params: { now },
    format: 'JSONEachRow',
  });
  const open = await rs.json<Record<string, string | boolean>>();
  // JSON gives Bool as true/false; a server's JSONEachRow may quote it when told to, so both.
  const gone = open.filter((r) => !inBucket.has(String(r.silence_id)));
  const china = (t: unknown) => `${String(t).replace(' ', 'T')}+08:00`;
  for (const r of gone) {
    await recordLifted(
      store,
      {
        id: String(r.silence_id),
        ...(r.rule !== '' && { rule: String(r.rule) }),
        ...(r.division !== '' && { division: String(r.division) }),
        ...(r.subject !== '' && { subject: String(r.subject) }),
        created_at: china(r.created_text),
        until: china(r.until_text),
        by: String(r.set_by),
        why: String(r.why),
        scope: {
          breadth: String(r.breadth) as NonNullable<Silence['scope']>['breadth'],
          duration_ms: Date.parse(china(r.until_text)) - Date.parse(china(r.created_text)),
          forced: r.forced === true || r.forced === 'true',
        },
      },
      now,
    );
  }
  return { acks: acks.length, silences: silences.length, lifted: gone.length };
}
