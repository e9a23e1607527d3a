/**
 * Where each assigned partition of a stage instance stands: the committed offset (below it a
 * re-read is a replay), the end offset at assignment (a bounded run ends there), the last offset
 * applied, the newest end known, lag, and the silence that may make a source partition idle.
 * Pure bookkeeping, no Kafka client: the stage runner feeds it what the consumer did, and asks it
 * what to tell (idle partitions, the end, lag, the offsets a checkpoint saves).
 *
 * Keys are `topic/partition`.
 */

export type IdleQuery = {
  /** A bounded run: a partition read to the end it had at assignment holds nothing back. */
  readonly stopAtEnd: boolean;
  /** Also by silence: caught up with its newest end and silent for `idleMs`. */
  readonly bySilence: boolean;
  readonly idleMs: number;
  readonly now: number;
};

export class StagePartitions {
  #keys: readonly string[] = [];
  #committed = new Map<string, bigint>();
  #endAtAssign = new Map<string, bigint>();
  /** The last offset applied (or one before the offset the instance was sought to). */
  readonly #position = new Map<string, bigint>();
  /** The newest end offset known (batches' high watermarks). */
  readonly #highWater = new Map<string, bigint>();
  readonly #lastSeen = new Map<string, number>();
  readonly #idleTold = new Set<string>();
  readonly #lag = new Map<string, number>();
  #rebuiltAt = 0;

  /** A new assignment: everything learnt of the previous one is dropped. */
  reset(
    keys: readonly string[],
    committed: ReadonlyMap<string, bigint>,
    endAtAssign: ReadonlyMap<string, bigint>,
    now: number,
  ): void {
    this.#keys = keys;
    this.#committed = new Map(committed);
    this.#endAtAssign = new Map(endAtAssign);
    this.#position.clear();
    this.#highWater.clear();
    this.#lastSeen.clear();
    this.#idleTold.clear();
    this.#lag.clear();
    this.#rebuiltAt = now;
  }

  /** Offsets below this were committed before the assignment: reading them again is a replay. */
  committed(k: string): bigint {
    return this.#committed.get(k) ?? 0n;
  }

  /** The instance reads `k` from `offset` on (a checkpoint's offset, or 0 for a rebuild). */
  seek(k: string, offset: bigint): void {
    this.#position.set(k, offset - 1n);
  }

  /** The record at `offset` of `k` was applied. */
  applied(k: string, offset: bigint): void {
    this.#position.set(k, offset);
  }

  /** A batch of `k` ended (its last record applied, if any); it takes part with its records again. */
  batchDone(k: string, lastOffset: bigint | undefined, highWatermark: bigint, now: number): void {
    this.#lastSeen.set(k, now);
    if (highWatermark > (this.#highWater.get(k) ?? 0n)) this.#highWater.set(k, highWatermark);
    if (lastOffset !== undefined) this.#lag.set(k, Math.max(0, Number(highWatermark - lastOffset - 1n)));
    this.#idleTold.delete(k);
  }

  /** The next offset the instance reads (where nothing was read: the committed offset). */
  nextOffset(k: string): bigint {
    const p = this.#position.get(k);
    return p !== undefined ? p + 1n : this.committed(k);
  }

  /** Lag at assignment: from where reading starts to the end offset then. */
  startLag(): void {
    for (const k of this.#keys)
      this.#lag.set(k, Math.max(0, Number((this.#endAtAssign.get(k) ?? 0n) - this.nextOffset(k))));
  }

  /**
   * Every assigned partition read to the end offset it had at assignment. Where nothing was read
   * the committed offset counts: ingest goes on from it, and a partition committed to its end
   * gets no batch at all. Judged by what was read alone, an ingest instance handed such a
   * partition by a late rebalance (another member crashing and rejoining) never ended — what we
   * take to have kept a kafka-parity staged run with two instances waiting for its whole 600 s
   * timeout after a consumer crash late in the run.
   */
  atEnd(): boolean {
    return this.#keys.every((k) => this.nextOffset(k) >= (this.#endAtAssign.get(k) ?? 0n));
  }

  /**
   * The partitions that stop holding the watermark back now (each told once until it delivers
   * again): in a bounded run one read to its end at assignment, at once (a finished split); with
   * `bySilence` one read to its newest end and silent for `idleMs`. Never one with records
   * waiting, however long silent.
   */
  takeIdle(q: IdleQuery): string[] {
    const idle: string[] = [];
    for (const k of this.#keys) {
      if (this.#idleTold.has(k)) continue;
      const next = this.nextOffset(k);
      const end = this.#endAtAssign.get(k) ?? 0n;
      const ended = q.stopAtEnd && next >= end;
      const caughtUp = next >= (this.#highWater.get(k) ?? end);
      const silent = q.now - (this.#lastSeen.get(k) ?? this.#rebuiltAt) > q.idleMs;
      if (!ended && !(q.bySilence && caughtUp && silent)) continue;
      this.#idleTold.add(k);
      idle.push(k);
    }
    return idle;
  }

  /** Time spent settling (sinks slow or down) is no partition's silence. */
  notSilentFor(ms: number): void {
    for (const [k, seen] of this.#lastSeen) this.#lastSeen.set(k, seen + ms);
  }

  /** The next offset of every assigned partition: what a checkpoint of the state saves. */
  offsets(): Record<string, string> {
    return Object.fromEntries(
      this.#keys.map((k) => [k, ((this.#position.get(k) ?? -1n) + 1n).toString()] as const),
    );
  }

  /** Records behind each assigned partition's end, as of its last batch. */
  lag(): Record<string, number> {
    return Object.fromEntries(this.#keys.map((k) => [k, this.#lag.get(k) ?? 0] as const));
  }
}
