/**
 * The numbered migrations in schemas/clickhouse/: `NNN_name.sql`, statements ending with `;` at
 * the end of a line, `--` comment lines, `{{database}}` where the database name goes. The
 * checksum covers the file as written (line endings normalised), so it does not depend on the
 * database a file is applied to.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MonitorError } from '../../schemas/errors.ts';

export const MIGRATIONS_DIR = resolve(import.meta.dirname, '../../schemas/clickhouse');

const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;
const DATABASE_PLACEHOLDER = /\{\{database\}\}/g;

export type MigrationFile = {
  readonly version: number;
  readonly name: string;
  readonly file: string;
  readonly checksum: string;
  readonly sql: string;
};

export function checksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/** The statements of a file in order, comment lines dropped, `{{database}}` filled in. */
export function statements(sql: string, database: string): string[] {
  const body = sql
    .replace(/\r\n/g, '\n')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return body
    .split(/;[ \t]*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => s.replace(DATABASE_PLACEHOLDER, database));
}

export function parseMigration(file: string, sql: string): MigrationFile {
  const m = FILE_NAME.exec(file);
  if (!m) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `migration file ${file} is misnamed: expected NNN_name.sql (three digits, lower-case name)`,
      { file },
    );
  }
  return { version: Number(m[1]), name: m[2]!, file, checksum: checksum(sql), sql };
}

/** Every `.sql` file of the directory, in version order; two files with one version are refused. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const migrations = files.map((f) => parseMigration(f, readFileSync(join(dir, f), 'utf8')));
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new MonitorError(
        'CONFIG_INVALID',
        `migrations ${migrations[i - 1]!.file} and ${migrations[i]!.file} share version ${migrations[i]!.version}: expected one file per version`,
        { dir, version: migrations[i]!.version },
      );
    }
  }
  return migrations;
}
