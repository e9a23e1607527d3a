/**
 * A source is an async iterable of raw records. Backpressure is the iteration itself: the run loop
 * asks for the next record only after the previous one's outputs were accepted by the sinks.
 */
export type SourceRecord = {
  readonly raw: string | Buffer;
  readonly line?: number;
  readonly origin?: string;
  /** Source partition (Kafka `topic/partition`) for per-partition watermarks. */
  readonly partition?: string;
};
/**
 * Where a source partition stands, for event-time idleness: `reading` (records are waiting: it
 * holds the watermark back however long it is silent), `caught_up` (read to its end: may be
 * declared idle after a silence), `ended` (a bounded run read it to its end: holds nothing back).
 */
export type PartitionState = 'reading' | 'caught_up' | 'ended';

export type Source = {
  readonly name: string;
  /** The simulator: its timeline is its own, not bounded by the wall clock (event-time-bounds.ts). */
  readonly synthetic?: boolean;
  readonly records: AsyncIterable<SourceRecord>;
  /** The same records in the source's own batches, when it has them (read one or the other). */
  readonly batches?: AsyncIterable<readonly SourceRecord[]>;
  close?(): Promise<void>;
  /** Marks everything handed out so far as done; called only after the sinks have flushed. */
  commit?(): Promise<void>;
  /** Records waiting at the source (Kafka consumer lag), when the source knows. */
  lag?(): number;
  /** Ends the iteration soon (a signal arrived) without closing connections the run still needs. */
  stop?(): void;
  /** The partitions currently assigned to this reader (Kafka `topic/partition`). */
  partitions?(): readonly string[];
  /** Where an assigned partition stands (see PartitionState); without it every partition is `caught_up`. */
  partitionState?(partition: string): PartitionState;
};
