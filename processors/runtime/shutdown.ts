/**
 * A bounded stop, shared by the monitor (`run`) and each stage process (`run --stage`): the work
 * of stopping (last outputs, flush, commit, close) gets YIBAO_SHUTDOWN_TIMEOUT_SECONDS; past it
 * the process says what the store did not confirm and ends failed, instead of hanging on a sink
 * that is away (issue 16: a stop said nothing for minutes).
 */

/** True when `work` finished within `ms`; false when the bound passed first (the work is left running). */
export async function withinBound(ms: number, work: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work().then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a stop that ran out of time left undone. */
export function unfinishedStop(
  seconds: number,
  sink: {
    unconfirmed_rows: number;
    unconfirmed_by_table: Readonly<Record<string, number>>;
    last_error: string | null;
  },
): string {
  const tables = Object.entries(sink.unconfirmed_by_table)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  return (
    `yibao-monitor: the stop did not finish within ${seconds} s (YIBAO_SHUTDOWN_TIMEOUT_SECONDS): ` +
    `${sink.unconfirmed_rows} rows not confirmed by the store${tables ? ` (${tables})` : ''}` +
    `${sink.last_error ? `; last error: ${sink.last_error}` : ''}. ` +
    'The source was not committed past them: a restart reads them again.'
  );
}
