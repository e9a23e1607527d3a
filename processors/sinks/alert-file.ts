/** Alerts as JSON lines in a file (appended) and one readable line each on the console. */

import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Alert } from '../outputs.ts';

const MARK: Record<Alert['severity'], string> = { key: '重点', general: '一般', info: '提示' };

export function formatAlertLine(a: Alert): string {
  const what = a.explanation
    ? ` ${a.explanation.indicator}=${a.explanation.value} (阈值 ${a.explanation.threshold}, ${a.explanation.window})`
    : '';
  const why = a.reasons[0]?.detail ? ` — ${a.reasons[0].detail}` : '';
  return `[${a.raised_at}] ${a.status === 'resolved' ? '已解除' : MARK[a.severity]} ${a.rule} ${a.subject_kind}:${a.subject_code}${what}${why}`;
}

export class AlertFileSink {
  private readonly stream: WriteStream;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { flags: 'a', encoding: 'utf8' });
  }

  async write(alerts: readonly Alert[]): Promise<void> {
    for (const a of alerts) {
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
