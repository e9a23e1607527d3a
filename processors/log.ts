/**
 * pino logger with personal data redacted: any `psn_no`, `certno`, `id_no` or insured
 * `subject_code` field at any depth is censored, and `raw` record text is never logged (it may
 * hold identifiers; dead letters keep it with identifiers pseudonymised instead).
 */
import { type Logger, pino } from 'pino';

export const REDACT_PATHS = [
  'psn_no',
  '*.psn_no',
  '*.*.psn_no',
  'certno',
  '*.certno',
  'id_no',
  '*.id_no',
  'raw',
  '*.raw',
  '*.*.raw',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { app: 'yibao-monitor' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination as never,
  );
}
