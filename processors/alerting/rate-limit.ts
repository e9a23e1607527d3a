/**
 * A token bucket per robot: `capacity` tokens, and each token spent comes back one `windowMs` after
 * it was spent. That is at most `capacity` messages in any window — the robots' own rule (WeCom and
 * DingTalk: 20 messages a minute per robot; DingTalk then blocks the robot for 10 minutes). A bucket
 * that refills continuously at capacity/window would let 2 × capacity through in its first window.
 */
import type { Clock } from './clock.ts';

export class TokenBucket {
  /** When each token still out was spent, oldest first. */
  #spent: number[] = [];
  #blockedUntil = Number.NEGATIVE_INFINITY;

  constructor(
    readonly capacity: number,
    readonly windowMs: number,
    private readonly clock: Clock,
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 1))
      throw new RangeError(`capacity ${capacity}: expected ≥ 1`);
    if (!(windowMs > 0)) throw new RangeError(`windowMs ${windowMs}: expected > 0`);
  }

  static perMinute(n: number, clock: Clock): TokenBucket {
    return new TokenBucket(n, 60_000, clock);
  }

  /** Tokens that can be spent now. */
  available(): number {
    const now = this.clock.now();
    if (now < this.#blockedUntil) return 0;
    this.#expire(now);
    return this.capacity - this.#spent.length;
  }

  /** Milliseconds until a token is available (0: now). */
  msUntilAvailable(): number {
    const now = this.clock.now();
    this.#expire(now);
    const blocked = Math.max(0, this.#blockedUntil - now);
    const refill = this.#spent.length < this.capacity ? 0 : this.#spent[0]! + this.windowMs - now;
    return Math.max(blocked, refill);
  }

  tryTake(): boolean {
    if (this.available() < 1) return false;
    this.#spent.push(this.clock.now());
    return true;
  }

  /** Waits for a token and spends it; false when `signal` aborted first. */
  async take(signal?: AbortSignal): Promise<boolean> {
    while (!this.tryTake()) {
      if (signal?.aborted) return false;
      await this.clock.sleep(Math.max(1, this.msUntilAvailable()), signal);
    }
    return !signal?.aborted;
  }

  /** The robot said "too fast" (HTTP 429, WeCom 45009, DingTalk 130101): nothing before `ms` from now. */
  blockFor(ms: number): void {
    this.#blockedUntil = Math.max(this.#blockedUntil, this.clock.now() + ms);
  }

  #expire(now: number): void {
    while (this.#spent.length > 0 && this.#spent[0]! + this.windowMs <= now) this.#spent.shift();
  }
}
