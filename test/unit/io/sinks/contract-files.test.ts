/**
 * `run --out DIR` as a Sink (processors/io/sinks/contract-files.ts): outputs as they come, and
 * the standings and chains of the last state snapshot at close, as `replay` writes them at its end.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { standingLine } from '../../../../processors/cli/replay-lines.ts';
import { openContractFilesSink } from '../../../../processors/io/sinks/contract-files.ts';
import { ALERT, CHAIN, LEVEL_CHANGE, METRIC, STANDING } from '../../storage/fixtures.ts';

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

it('writes outputs as they come and the standings and chains of the last snapshot at close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'contract-files-'));
  const sink = await openContractFilesSink(dir);
  await sink.write([LEVEL_CHANGE, ALERT, { ...ALERT, alert_id: `${ALERT.alert_id}-r`, status: 'resolved' }]);
  const older = { ...STANDING, subject_code: 'H51010700099' };
  await sink.writeState!([{ kind: 'standing', standing: older }, METRIC]);
  await sink.writeState!([
    { kind: 'standing', standing: STANDING },
    { kind: 'chain_status', at: '2026-03-02T10:00:00+08:00', status: CHAIN },
    METRIC,
  ]);
  await sink.flush();
  await sink.close();
  expect(lines(join(dir, 'grade-changes.ndjson'))).toHaveLength(1);
  // alerts.ndjson holds alerts raised only (EVENTS.md).
  expect(lines(join(dir, 'alerts.ndjson')).map((a) => a.alert_id)).toEqual([ALERT.alert_id]);
  // The snapshot before the last is replaced, not added to.
  expect(lines(join(dir, 'standings.ndjson'))).toEqual([JSON.parse(JSON.stringify(standingLine(STANDING)))]);
  expect(lines(join(dir, 'chains.ndjson')).map((c) => c.chain_id)).toEqual([CHAIN.chain_id]);
  expect(sink.counts()['standings.ndjson']).toBe(1);
});
