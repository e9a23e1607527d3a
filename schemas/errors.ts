/**
 * The one error catalogue of the monitor (STYLE.md §4). Every error the monitor raises on purpose
 * is a MonitorError with a code from this closed list, whether it can be retried, the context a
 * reader needs to act on it, and the underlying cause.
 */
export const ERROR_CODES = {
  SCHEMA_INVALID: { retriable: false, meaning: 'an input record does not match EVENTS.md' },
  CONFIG_INVALID: { retriable: false, meaning: 'an environment variable is unknown or has a bad value' },
  CONFIG_MISSING: { retriable: false, meaning: 'a required setting is not set' },
  PACK_INVALID: { retriable: false, meaning: 'a policy pack or its override fails its contract' },
  REPAIR_REJECTED: { retriable: false, meaning: 'a credit repair arrived before the seed allows it' },
  INPUT_UNREADABLE: { retriable: false, meaning: 'an input file cannot be opened or read' },
  SINK_UNAVAILABLE: { retriable: true, meaning: 'a sink (ClickHouse, alert bus, file) refused a write' },
  SOURCE_UNAVAILABLE: { retriable: true, meaning: 'a source (Kafka, JetStream) cannot be reached' },
  CHECKPOINT_CORRUPT: { retriable: false, meaning: 'a state snapshot fails its checksum or version' },
  INTERNAL: { retriable: false, meaning: 'a bug: an invariant of the monitor does not hold' },
} as const satisfies Record<string, { retriable: boolean; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class MonitorError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'MonitorError';
    this.code = code;
    this.retriable = ERROR_CODES[code].retriable;
    this.context = Object.freeze({ ...context });
  }
}

export function isMonitorError(err: unknown, code?: ErrorCode): err is MonitorError {
  return err instanceof MonitorError && (code === undefined || err.code === code);
}
