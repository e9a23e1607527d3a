/**
 * Applies the numbered migrations (schemas/clickhouse/) to a store: creates the database and the
 * `schema_migrations` ledger, runs each file not yet recorded, in version order, and records its
 * version, name and checksum. A file already applied is skipped; one whose checksum no longer
 * matches the ledger is refused, because the store would silently differ from what the file says.
 *
 * ClickHouse DDL is not transactional: a file is recorded only after all its statements ran,
 * and every statement is IF NOT EXISTS, so a file that failed half-way is simply run again.
 * Two `migrate` runs at once are harmless for the same reason, and the ledger is a
 * ReplacingMergeTree on version, read with FINAL.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { MonitorError } from '../../schemas/errors.ts';
import { checkDatabaseName } from './database.ts';
import { loadMigrations, type MigrationFile, statements } from './migration-files.ts';
import { chinaDateTime } from './rows.ts';

export type MigrationStep = {
  readonly version: number;
  readonly name: string;
  readonly file: string;
  readonly status: 'applied' | 'skipped';
  readonly statements: number;
  /** When it was applied: now for `applied`, from the ledger for `skipped`. */
  readonly applied_at: string;
  readonly ms: number;
};

export type MigrationReport = {
  readonly database: string;
  readonly steps: readonly MigrationStep[];
  /** Versions in the ledger that this monitor does not ship (a newer monitor migrated the store). */
  readonly unknown: readonly { readonly version: number; readonly name: string }[];
};

export type MigrateOptions = {
  /** The migrations to apply; schemas/clickhouse/ by default. */
  readonly migrations?: readonly MigrationFile[];
  readonly now?: () => number;
};

type LedgerRow = { version: number; name: string; checksum: string; applied_at: string };

async function run(client: ClickHouseClient, query: string, what: string): Promise<void> {
  try {
    await client.command({ query });
  } catch (err) {
    throw new MonitorError(
      'SINK_UNAVAILABLE',
      `${what} failed: ${(err as Error).message}\n  statement: ${query.split('\n')[0]}…`,
      { what },
      err,
    );
  }
}

async function ledger(client: ClickHouseClient, database: string): Promise<Map<number, LedgerRow>> {
  const rs = await client.query({
    query: `SELECT version, name, checksum, toString(applied_at) AS applied_at
            FROM ${database}.schema_migrations FINAL ORDER BY version`,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<LedgerRow>();
  return new Map(rows.map((r) => [Number(r.version), { ...r, version: Number(r.version) }]));
}

export async function migrate(
  client: ClickHouseClient,
  database: string,
  options: MigrateOptions = {},
): Promise<MigrationReport> {
  checkDatabaseName(database);
  const files = options.migrations ?? loadMigrations();
  const now = options.now ?? Date.now;
  await run(client, `CREATE DATABASE IF NOT EXISTS ${database}`, `creating database ${database}`);
  await run(
    client,
    `CREATE TABLE IF NOT EXISTS ${database}.schema_migrations
     (
         version UInt32,
         name String,
         checksum String,
         applied_at DateTime64(3, 'Asia/Shanghai')
     )
     ENGINE = ReplacingMergeTree
     ORDER BY version`,
    'creating the schema_migrations ledger',
  );
  const applied = await ledger(client, database);

  for (const f of files) {
    const done = applied.get(f.version);
    if (done && done.checksum !== f.checksum) {
      throw new MonitorError(
        'CONFIG_INVALID',
        `migration ${f.file} was applied to ${database} on ${done.applied_at} with checksum ` +
          `${done.checksum.slice(0, 12)}…, but the file now has ${f.checksum.slice(0, 12)}…: an applied ` +
          'migration must not change. Restore the file and put the change in a new numbered migration',
        { database, version: f.version, file: f.file, applied: done.checksum, found: f.checksum },
      );
    }
  }

  const steps: MigrationStep[] = [];
  for (const f of files) {
    const stmts = statements(f.sql, database);
    const done = applied.get(f.version);
    if (done) {
      steps.push({
        ...pick(f),
        status: 'skipped',
        statements: stmts.length,
        applied_at: done.applied_at,
        ms: 0,
      });
      continue;
    }
    const started = now();
    for (const [i, stmt] of stmts.entries()) {
      await run(client, stmt, `migration ${f.file}, statement ${i + 1} of ${stmts.length},`);
    }
    const appliedAt = chinaDateTime(now());
    try {
      await client.insert({
        table: `${database}.schema_migrations`,
        values: [{ version: f.version, name: f.name, checksum: f.checksum, applied_at: appliedAt }],
        format: 'JSONEachRow',
        // Explicit, because on chDB a token set by an earlier insert stays set on the session.
        clickhouse_settings: { insert_deduplication_token: `schema_migrations-${f.version}-${f.checksum}` },
      });
    } catch (err) {
      throw new MonitorError(
        'SINK_UNAVAILABLE',
        `recording migration ${f.file} in ${database}.schema_migrations failed: ${(err as Error).message}`,
        { database, version: f.version },
        err,
      );
    }
    steps.push({
      ...pick(f),
      status: 'applied',
      statements: stmts.length,
      applied_at: appliedAt,
      ms: now() - started,
    });
  }

  const shipped = new Set(files.map((f) => f.version));
  const unknown = [...applied.values()]
    .filter((r) => !shipped.has(r.version))
    .map((r) => ({ version: r.version, name: r.name }));
  return { database, steps, unknown };
}

function pick(f: MigrationFile) {
  return { version: f.version, name: f.name, file: f.file };
}
