import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checksum,
  loadMigrations,
  parseMigration,
  statements,
} from '../../../processors/storage/migration-files.ts';
import { TABLES } from '../../../processors/storage/rows.ts';
import { MonitorError } from '../../../schemas/errors.ts';

const scratch = mkdtempSync(join(tmpdir(), 'yibao-migrations-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('migration files', () => {
  it('statements end with ; at the end of a line; comment lines go, {{database}} is filled in', () => {
    const sql = [
      '-- a comment; with a semicolon',
      'CREATE TABLE IF NOT EXISTS {{database}}.a (x UInt8)',
      'ENGINE = MergeTree ORDER BY x;',
      '',
      "CREATE TABLE IF NOT EXISTS {{database}}.b (s String DEFAULT 'a;b') ENGINE = MergeTree ORDER BY s ;",
      '-- trailing comment',
    ].join('\r\n');
    expect(statements(sql, 'yibao')).toEqual([
      'CREATE TABLE IF NOT EXISTS yibao.a (x UInt8)\nENGINE = MergeTree ORDER BY x',
      "CREATE TABLE IF NOT EXISTS yibao.b (s String DEFAULT 'a;b') ENGINE = MergeTree ORDER BY s",
    ]);
  });

  it('the checksum is the file as written: line endings do not change it, the database is not in it', () => {
    expect(checksum('a\r\nb\r\n')).toBe(checksum('a\nb\n'));
    expect(checksum('a\nb\n')).not.toBe(checksum('a\nc\n'));
    expect(parseMigration('001_base.sql', 'x').checksum).toBe(checksum('x'));
  });

  it('a misnamed file is refused with the expected pattern', () => {
    const err = (() => {
      try {
        parseMigration('1_base.sql', '');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MonitorError);
    expect((err as MonitorError).code).toBe('CONFIG_INVALID');
    expect((err as Error).message).toBe(
      'migration file 1_base.sql is misnamed: expected NNN_name.sql (three digits, lower-case name)',
    );
  });

  it('two files with one version are refused', () => {
    const dir = mkdtempSync(join(scratch, 'dup-'));
    writeFileSync(join(dir, '001_a.sql'), 'SELECT 1;');
    writeFileSync(join(dir, '001_b.sql'), 'SELECT 2;');
    expect(() => loadMigrations(dir)).toThrow(
      'migrations 001_a.sql and 001_b.sql share version 1: expected one file per version',
    );
  });

  it('the shipped migrations are numbered 1, 2, … and every statement can run again', () => {
    const files = loadMigrations();
    expect(files.map((f) => f.version)).toEqual(files.map((_, i) => i + 1));
    expect(files.map((f) => f.file).slice(0, 3)).toEqual([
      '001_base.sql',
      '002_rollups.sql',
      '003_idempotent_dead_letters_and_snapshots.sql',
    ]);
    for (const f of files) {
      for (const s of statements(f.sql, 'yibao')) {
        const what = `${f.file}: ${s.split('\n')[0]}`;
        // IF NOT EXISTS, or a table replaced by a copy of itself (run again, it copies the new
        // table into an identical one): `CREATE OR REPLACE TABLE t … AS SELECT … FROM t`.
        const replaced = /^CREATE OR REPLACE TABLE (yibao\.\w+)\b/.exec(s)?.[1];
        if (s.startsWith('ALTER TABLE')) {
          // Columns added only if missing: every clause says so.
          const clauses = s.split('\n').slice(1);
          for (const c of clauses) expect(c.trim(), what).toMatch(/^ADD COLUMN IF NOT EXISTS \w+ /);
        } else if (replaced === undefined) {
          expect(s, what).toMatch(/^CREATE (TABLE|MATERIALIZED VIEW|DATABASE) IF NOT EXISTS yibao\./);
        } else {
          expect(s, `${what}: expected to end AS SELECT … FROM ${replaced}`).toMatch(
            new RegExp(`\\nAS SELECT [^;]*\\nFROM ${replaced.replace('.', '\\.')}$`),
          );
        }
      }
    }
  });

  it('every table the sink writes is created by a migration', () => {
    const created = loadMigrations()
      .flatMap((f) => statements(f.sql, 'yibao'))
      .map((s) => /^CREATE (?:TABLE IF NOT EXISTS|OR REPLACE TABLE) yibao\.(\w+)/.exec(s)?.[1])
      .filter((t) => t !== undefined);
    expect(created).toEqual(expect.arrayContaining([...TABLES]));
  });
});
