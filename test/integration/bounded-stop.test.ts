/**
 * Issue 16: with a row the store would not take, `run` stayed in `stopping` for minutes and had
 * to be killed. A stop is bounded now: with ClickHouse down for good, the monitor gives up after
 * YIBAO_SHUTDOWN_TIMEOUT_SECONDS, says how many rows of which table were left unconfirmed, and
 * ends `failed` (exit 1 from the CLI).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../processors/config.ts';
import { fileSource } from '../../processors/io/sources/ndjson.ts';
import { runMonitor } from '../../processors/run.ts';
import { type ClickHouseWithOutage, openChdbWithOutage } from '../support/clickhouse.ts';
import { recentFeed } from '../support/feed.ts';
import { freePort } from '../support/ports.ts';

const dir = mkdtempSync(join(tmpdir(), 'bounded-stop-'));
let store: ClickHouseWithOutage | undefined;
afterAll(async () => {
  if (store) store.down = false;
  await store?.close();
});

it('a stop the store never lets finish ends within the bound, naming the rows left', async () => {
  const feed = await recentFeed(5, 2);
  const input = join(dir, 'feed.ndjson');
  writeFileSync(input, `${feed.join('\n')}\n`);
  const cut = (store = await openChdbWithOutage());
  const lines: string[] = [];
  const started = performance.now();
  const final = await runMonitor({
    config: loadConfig({
      YIBAO_ENV: 'test',
      YIBAO_DATA_DIR: join(dir, 'data'),
      YIBAO_STATUS_PORT: String(await freePort()),
      YIBAO_SHUTDOWN_TIMEOUT_SECONDS: '3',
    }),
    storage: { client: store.client, kind: 'chdb', location: 'chDB, cut off', close: async () => {} },
    source: fileSource(input),
    json: true,
    statusEveryMs: 100,
    // The store goes down once the monitor runs (it migrates at start) and never comes back.
    print: (l) => {
      cut.down = true;
      lines.push(l);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  expect(final.state).toBe('failed');
  const said = lines.find((l) => l.includes('did not finish within 3 s'));
  expect(said).toMatch(
    /^yibao-monitor: the stop did not finish within 3 s \(YIBAO_SHUTDOWN_TIMEOUT_SECONDS\): \d+ rows not confirmed by the store \(.*indicator_snapshots \d+.*\); last error: .+\. The source was not committed past them: a restart reads them again\.$/,
  );
  expect(seconds).toBeLessThan(30);
}, 120_000);
