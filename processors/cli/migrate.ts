/**
 * `yibao-monitor migrate`: applies the numbered migrations of schemas/clickhouse/ to the
 * configured store (a server when YIBAO_CLICKHOUSE_URL is set, else chDB under YIBAO_DATA_DIR)
 * and prints one line per migration: applied or skipped.
 */
import type { Config } from '../config.ts';
import { createStorageClient } from '../storage/client.ts';
import { type MigrationReport, migrate } from '../storage/migrate.ts';

export function reportLines(report: MigrationReport, location: string): string[] {
  const lines = report.steps.map((s) =>
    s.status === 'applied'
      ? `applied ${s.file} (${s.statements} statements, ${s.ms} ms)`
      : `skipped ${s.file} (applied ${s.applied_at})`,
  );
  for (const u of report.unknown) {
    lines.push(
      `note: ${report.database} has migration ${u.version} ${u.name}, which this monitor does not ship`,
    );
  }
  const applied = report.steps.filter((s) => s.status === 'applied').length;
  lines.push(
    `${report.database} at ${location}: ${applied} applied, ${report.steps.length - applied} already applied`,
  );
  return lines;
}

export async function migrateCommand(
  config: Config,
  print: (line: string) => void,
): Promise<MigrationReport> {
  const store = await createStorageClient(config);
  try {
    const report = await migrate(store.client, config.YIBAO_CLICKHOUSE_DATABASE);
    for (const line of reportLines(report, store.location)) print(line);
    return report;
  } finally {
    await store.close();
  }
}
