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
export type Source = {
  readonly name: string;
  readonly records: AsyncIterable<SourceRecord>;
  close?(): Promise<void>;
  /** Marks everything handed out so far as done; called only after the sinks have flushed. */
  commit?(): Promise<void>;
  /** Records waiting at the source (Kafka consumer lag), when the source knows. */
  lag?(): number;
  /** Ends the iteration soon (a signal arrived) without closing connections the run still needs. */
  stop?(): void;
  /** The partitions currently assigned to this reader (Kafka `topic/partition`). */
  partitions?(): readonly string[];
};
