/**
 * Issue 16: after SIGKILL and a restart of `run --source file`, alerts.jsonl held 8 alerts twice
 * (the restart raised them again and the file was appended to). Each alert id and status is
 * written once across restarts, and a line cut off by the kill does not swallow the next one.
 */
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { AlertFileSink } from '../../../../processors/io/sinks/alert-file.ts';
import type { Alert } from '../../../../processors/outputs.ts';

const alert = (i: number, status: Alert['status'] = 'firing'): Alert => ({
  kind: 'alert',
  alert_id: `alert-${i}`,
  rule: 'amount_spike',
  severity: 'general',
  title: '信用风险预警',
  subject_kind: 'institution',
  subject_code: `H5101070000${i}`,
  division: '510107',
  pack: 'sichuan',
  raised_at: '2026-03-02T10:00:00+08:00',
  status,
  reasons: [],
  evidence: [],
});

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

it('a restart that raises the same alerts again writes each alert id and status once', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'alert-file-')), 'alerts.jsonl');
  const first = new AlertFileSink(path);
  await first.write([alert(1), alert(2), alert(1, 'resolved')]);
  await first.close();
  // Killed while writing alert 3: half a line at the end of the file.
  appendFileSync(path, '{"alert_id":"alert-3","stat');

  const restarted = new AlertFileSink(path);
  await restarted.write([alert(1), alert(2), alert(1, 'resolved'), alert(3), alert(2, 'resolved')]);
  await restarted.close();
  const ids = lines(path).flatMap((l) => {
    try {
      const a = JSON.parse(l) as Alert;
      return [`${a.alert_id}|${a.status}`];
    } catch {
      return [];
    }
  });
  expect(ids).toEqual([
    'alert-1|firing',
    'alert-2|firing',
    'alert-1|resolved',
    'alert-3|firing',
    'alert-2|resolved',
  ]);
  expect(lines(path)).toHaveLength(6); // the cut-off line stays, on a line of its own
});
