/**
 * Alerts as JSON lines in a file (appended, each alert id and status once across restarts) and
 * one readable line each on the console. `alertFileSink` is the Sink of <YIBAO_DATA_DIR>/alerts.jsonl.
 */

import { once } from 'node:events';
import {
  appendFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  type WriteStream,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config } from '../../config.ts';
import type { Alert } from '../../outputs.ts';
import { alertsOf, type Sink } from './sink.ts';

const MARK: Record<Alert['severity'], string> = { key: '重点', general: '一般', info: '提示' };

export function formatAlertLine(a: Alert): string {
  const what = a.explanation
    ? ` ${a.explanation.indicator}=${a.explanation.value} (阈值 ${a.explanation.threshold}, ${a.explanation.window})`
    : '';
  const why = a.reasons[0]?.detail ? ` — ${a.reasons[0].detail}` : '';
  return `[${a.raised_at}] ${a.status === 'resolved' ? '已解除' : MARK[a.severity]} ${a.rule} ${a.subject_kind}:${a.subject_code}${what}${why}`;
}

/** The (alert id, status) pairs a file already holds; a line cut off by a crash is skipped. */
function writtenIn(path: string): Set<string> {
  const seen = new Set<string>();
  if (!existsSync(path)) return seen;
  const text = readFileSync(path, 'utf8');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const a = JSON.parse(line) as { alert_id?: unknown; status?: unknown };
      if (typeof a.alert_id === 'string') seen.add(`${a.alert_id}|${String(a.status)}`);
    } catch {
      // the last line of a process killed mid-write: not an alert that was written
    }
  }
  // A cut-off last line is ended, so the next alert starts a line of its own.
  if (text.length > 0 && !text.endsWith('\n')) appendFileSync(path, '\n');
  return seen;
}

export class AlertFileSink {
  private readonly stream: WriteStream;
  /**
   * What the file holds already: a restart re-reads a file source or the Kafka records after
   * the last commit and raises the same alerts again (issue 16 found 8 alerts twice after a
   * SIGKILL); they are written once. Alert ids are unique per occurrence, so this drops nothing new.
   */
  private readonly written: Set<string>;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.written = writtenIn(path);
    this.stream = createWriteStream(path, { flags: 'a', encoding: 'utf8' });
  }

  async write(alerts: readonly Alert[]): Promise<void> {
    for (const a of alerts) {
      const key = `${a.alert_id}|${a.status}`;
      if (this.written.has(key)) continue;
      this.written.add(key);
      const { kind: _kind, ...line } = a;
      if (!this.stream.write(`${JSON.stringify(line)}\n`)) await once(this.stream, 'drain');
    }
  }

  /**
   * Resolves once everything written so far has reached the file (the kernel): a process killed
   * after this loses none of it. Called before input offsets are committed.
   */
  async flush(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.stream.write('', (err) => (err ? reject(err) : resolve())),
    );
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

/** Where every processor of a data directory appends its alerts. */
export function alertsFilePath(config: Config): string {
  return resolve(config.YIBAO_DATA_DIR, 'alerts.jsonl');
}

/** The alert file as a Sink: the alerts among the outputs, nothing else. */
export function alertFileSink(path: string): Sink & { readonly path: string } {
  const file = new AlertFileSink(path);
  return {
    name: 'alert_file',
    path,
    async write(outputs) {
      const alerts = alertsOf(outputs);
      if (alerts.length > 0) await file.write(alerts);
    },
    flush: () => file.flush(),
    close: () => file.close(),
  };
}
