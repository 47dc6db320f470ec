/**
 * A token bucket on a clock given by the caller: `burst` tokens, refilled at `perSec`. Pure, so
 * the room's per-person limits (chat, hands) and the adapter's per-socket limit share it.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;
  readonly #burst: number;
  readonly #perMs: number;

  constructor(burst: number, perSec: number, now: number) {
    this.#burst = burst;
    this.#perMs = perSec / 1000;
    this.#tokens = burst;
    this.#last = now;
  }

  /** Takes one token at time `now`; false when the bucket is empty. */
  take(now: number): boolean {
    // A clock that steps back refills nothing (and takes nothing away).
    this.#tokens = Math.min(this.#burst, this.#tokens + Math.max(0, now - this.#last) * this.#perMs);
    this.#last = Math.max(this.#last, now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
