/**
 * A source is an async iterable of raw records. Backpressure is the iteration itself: the run loop
 * asks for the next record only after the previous one's outputs were accepted by the sinks.
 */
export type SourceRecord = {
  readonly raw: string | Buffer;
  readonly line?: number;
  readonly origin?: string;
};
export type Source = {
  readonly name: string;
  readonly records: AsyncIterable<SourceRecord>;
  close?(): Promise<void>;
};
