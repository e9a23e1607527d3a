/** Progress on a terminal for long work (stderr, only when it is a TTY, at most 4 times a second). */
export type Progress = { update(done: number, detail?: string): void; finish(detail?: string): void };

export function createProgress(
  label: string,
  total: number,
  enabled = process.stderr.isTTY === true,
): Progress {
  let last = 0;
  const started = Date.now();
  const render = (done: number, detail = '') => {
    const pct = total > 0 ? Math.min(100, (done / total) * 100).toFixed(1) : '?';
    const secs = (Date.now() - started) / 1000;
    process.stderr.write(`\r${label}: ${pct}% ${detail} (${secs.toFixed(1)} s)   `);
  };
  return {
    update(done, detail) {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 250) return;
      last = now;
      render(done, detail);
    },
    finish(detail) {
      if (!enabled) return;
      render(total, detail);
      process.stderr.write('\n');
    },
  };
}
