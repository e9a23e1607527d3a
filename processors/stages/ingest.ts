/**
 * The ingest step: raw record → decoded, pseudonymised event (or a dead letter) → the institution
 * stage, keyed by prefecture. Stateless apart from counters and, in distributed mode, each source
 * partition's newest event time, which it tells every institution instance (the watermark marks
 * a repartition needs: every downstream partition hears every source partition's progress).
 */
import { decodeWith } from '../../schemas/decode.ts';
import { keptRaw } from '../../schemas/kept-raw.ts';
import { parseTimestamp } from '../../schemas/primitives.ts';
import { createPseudonymiser, redactRaw } from '../../schemas/pseudonymise.ts';
import { DEFAULT_VALUE_BOUNDS, implausible } from '../../schemas/value-bounds.ts';
import type { TopologyOutput } from '../outputs.ts';
import {
  DEFAULT_EVENT_TIME_BOUNDS,
  type EventTimeBounds,
  mayBeOutOfBounds,
  outOfBounds,
} from './event-time-bounds.ts';
import { institutionStageKey } from './keys.ts';
import type { HandOver } from './messages.ts';

export type IngestCounters = { records_read: number; rejected: number; after_as_of: number };

export type IngestOrigin = { readonly line?: number; readonly source?: string; readonly partition?: string };

/** The origin of a record that names none (one constant, not an object per record). */
const NO_ORIGIN: IngestOrigin = Object.freeze({});

export class IngestStage {
  readonly counters: IngestCounters = { records_read: 0, rejected: 0, after_as_of: 0 };
  private readonly pseudonymise: ReturnType<typeof createPseudonymiser>;
  private readonly newest = new Map<string, number>();
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly options: {
      readonly pseudonymKey: string;
      readonly handOver: HandOver;
      readonly asOf?: number;
      /** Distributed mode: progress marks per source partition (see `flushMarks`). */
      readonly distributed?: boolean;
      readonly eventTime?: EventTimeBounds;
    },
  ) {
    this.pseudonymise = createPseudonymiser(options.pseudonymKey);
  }

  private deadLetter(
    raw: string | Buffer,
    origin: IngestOrigin,
    path: string,
    error: string,
  ): TopologyOutput[] {
    this.counters.rejected++;
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    return [
      {
        kind: 'rejected',
        ...(origin.line !== undefined && { line: origin.line }),
        ...keptRaw(raw, redactRaw(text, this.pseudonymise)),
        error,
        path,
        ...(origin.source !== undefined && { origin: origin.source }),
      },
    ];
  }

  /** One raw record: a dead letter out, or an event handed to the institution stage. Never throws. */
  process(raw: string | Buffer, origin: IngestOrigin = NO_ORIGIN): TopologyOutput[] {
    this.counters.records_read++;
    const r = decodeWith(raw, this.pseudonymise);
    if (!r.ok) return this.deadLetter(raw, origin, r.error.path, r.error.message);
    // Decode checked occurred_at with parseTimestamp, which reads a valid one as Date.parse does.
    const t = parseTimestamp(r.event.occurred_at);
    const bounds = this.options.eventTime ?? DEFAULT_EVENT_TIME_BOUNDS;
    const refused = mayBeOutOfBounds(bounds, t)
      ? outOfBounds(bounds, t, JSON.stringify(r.event.occurred_at))
      : undefined;
    if (refused) return this.deadLetter(raw, origin, 'occurred_at', refused);
    const bad = implausible(r.event, this.options.eventTime?.values ?? DEFAULT_VALUE_BOUNDS);
    if (bad) return this.deadLetter(raw, origin, bad.path, bad.message);
    const partition = origin.partition ?? '';
    if (this.options.asOf !== undefined && t > this.options.asOf) {
      this.counters.after_as_of++;
      return [];
    }
    // The parsed time goes along: the institution stage and the windows read it, not the text.
    this.options.handOver.send('institution', institutionStageKey(r.event), {
      kind: 'event',
      event: r.event,
      partition,
      t,
    });
    if (this.options.distributed && t > (this.newest.get(partition) ?? Number.NEGATIVE_INFINITY)) {
      this.newest.set(partition, t);
      this.pending.set(partition, t);
    }
    return [];
  }

  /** Distributed mode: the newest event time read on any source partition (−∞ before the first). */
  get newestEventTime(): number {
    let t = Number.NEGATIVE_INFINITY;
    for (const n of this.newest.values()) if (n > t) t = n;
    return t;
  }

  /** Distributed mode: every institution instance hears how far each source partition has come. */
  flushMarks(): void {
    for (const [partition, t] of this.pending)
      this.options.handOver.broadcast('institution', { kind: 'time', partition, t });
    this.pending.clear();
  }

  partition(partition: string, state: 'expected' | 'idle'): void {
    this.options.handOver.broadcast('institution', { kind: 'partition', partition, state });
  }

  /** Distributed end of a bounded run: these source partitions are read to their end. */
  end(partitions: readonly string[]): void {
    this.flushMarks();
    for (const p of partitions)
      this.options.handOver.broadcast('institution', {
        kind: 'end',
        from: p,
        t: this.newest.get(p) ?? Number.NEGATIVE_INFINITY,
      });
  }
}
