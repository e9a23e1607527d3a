/**
 * One topology, two runtimes: the simulator's feed through `replay` (files) and through the live
 * monitor (`runMonitor` → chDB) gives the same standings, level changes and alerts, and the
 * ClickHouse tables hold them (counts and sampled rows).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { replay } from '../../processors/cli/replay.ts';
import { loadConfig } from '../../processors/config.ts';
import { fileSource } from '../../processors/io/sources/ndjson.ts';
import { runMonitor } from '../../processors/run.ts';
import { simulate } from '../../processors/simulator/simulate.ts';
import { createStorageClient, type StorageClient } from '../../processors/storage/client.ts';
import { chinaDate } from '../../rules/engine/time.ts';
import { compilePacks, PACKS } from '../../rules/packs/index.ts';
import { freePort } from '../support/ports.ts';

const KEY = 'replay-live-test-key-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'replay-live-'));
const input = join(dir, 'feed.ndjson');
const lines = (f: string) =>
  readFileSync(join(dir, 'replay', f), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

let store: StorageClient;
const query = async <T>(sql: string): Promise<T[]> =>
  (await (await store.client.query({ query: sql, format: 'JSONEachRow' })).json()) as T[];

beforeAll(async () => {
  // Days ending yesterday: ClickHouse drops rows older than a table's TTL at insert.
  const days = 21;
  const start = chinaDate(Date.now() - days * 86_400_000);
  const out: string[] = [];
  for await (const l of simulate({ seed: 3, days, start, institutions: 200 })) out.push(l);
  writeFileSync(input, `${out.join('\n')}\n`);
  await replay({
    input,
    out: join(dir, 'replay'),
    pseudonymKey: KEY,
    packs: compilePacks(),
    progress: false,
  });
  const config = loadConfig({
    YIBAO_ENV: 'test',
    YIBAO_PSEUDONYM_KEY: KEY,
    YIBAO_DATA_DIR: join(dir, 'data'),
    YIBAO_STATUS_PORT: String(await freePort()),
  });
  await runMonitor({ config, source: fileSource(input), print: () => {}, statusEveryMs: 60_000 });
  store = await createStorageClient(config);
}, 300_000);

describe('replay and the live monitor agree', () => {
  it('the same standings: every subject with the same pack, level and evaluated flag', async () => {
    const files = lines('standings.ndjson');
    const rows = await query<{
      subject_kind: string;
      subject_code: string;
      pack: string;
      level: string;
      evaluated: number | boolean;
    }>('SELECT subject_kind, subject_code, pack, level, evaluated FROM yibao.standings_current FINAL');
    expect(rows.length).toBe(files.length);
    const live = new Map(rows.map((r) => [`${r.subject_kind}:${r.subject_code}`, r]));
    for (const s of files) {
      const r = live.get(`${s.subject_kind}:${s.subject_code}`);
      expect(r, s.subject_code).toBeDefined();
      expect(r?.level || null, s.subject_code).toBe(s.level);
      expect(r?.pack || null, s.subject_code).toBe(s.pack);
      expect(Boolean(r?.evaluated), s.subject_code).toBe(s.evaluated);
    }
  });

  it('the same level changes, with their from, to and time', async () => {
    const files = lines('grade-changes.ndjson')
      .map((c) => `${c.subject_code}|${c.from ?? ''}|${c.to ?? ''}`)
      .sort();
    const rows = await query<{ k: string }>(
      "SELECT concat(subject_code, '|', `from`, '|', `to`) AS k FROM yibao.level_changes FINAL",
    );
    expect(files.length).toBeGreaterThan(20);
    expect(rows.map((r) => r.k).sort()).toEqual(files);
  });

  it('the same alerts, by id, rule and subject', async () => {
    const files = lines('alerts.ndjson')
      .map((a) => `${a.alert_id}|${a.rule}|${a.subject_code}`)
      .sort();
    const rows = await query<{ k: string }>(
      "SELECT concat(alert_id, '|', rule, '|', subject_code) AS k FROM yibao.alerts FINAL WHERE status = 'firing'",
    );
    expect(files.length).toBeGreaterThan(5);
    expect(rows.map((r) => r.k).sort()).toEqual(files);
  });

  it('the same inspection tasks and chain status', async () => {
    const tasks = lines('inspections.ndjson')
      .map((t) => t.task_id)
      .sort();
    const rows = await query<{ task_id: string }>('SELECT task_id FROM yibao.inspection_tasks FINAL');
    expect(rows.map((r) => r.task_id).sort()).toEqual(tasks);
    const chains = lines('chains.ndjson');
    const live = await query<{ chain_id: string; at_or_below_d: number; triggers: string[] }>(
      'SELECT chain_id, at_or_below_d, triggers FROM yibao.chain_status FINAL ORDER BY at DESC LIMIT 1 BY chain_id',
    );
    for (const c of chains)
      expect(live.find((l) => l.chain_id === c.chain_id)).toMatchObject({
        at_or_below_d: c.at_or_below_d,
        triggers: c.triggers,
      });
  });

  it('sampled rows keep their reasons and explanations', async () => {
    const [a] = await query<{ reasons: string; explanation: string; pack: string }>(
      "SELECT reasons, explanation, pack FROM yibao.alerts FINAL WHERE rule = 'peer_outlier' LIMIT 1",
    );
    if (a) {
      expect(JSON.parse(a.explanation)).toMatchObject({ indicator: 'fund_per_visit' });
      // The alert's own pack's early-warning article (none where no pack covers the division: pack '').
      const pack = PACKS.find((p) => p.id === a.pack);
      expect(JSON.parse(a.reasons)[0].article).toBe(pack?.early_warning.article);
    }
    const [c] = await query<{ reasons: string }>(
      "SELECT reasons FROM yibao.level_changes FINAL WHERE pack = 'chongqing-wushan' LIMIT 1",
    );
    expect(JSON.parse(c?.reasons ?? '[]').length).toBeGreaterThan(0);
  });
});
