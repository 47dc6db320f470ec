/**
 * A token bucket per socket: `burst` tokens, refilled at `perSec`. Sized so a legitimate
 * 10-person join burst (offers, answers and trickled candidates to nine peers) never runs dry,
 * while a flood does within a fraction of a second.
 */
export class RateLimiter {
  #tokens: number;
  #last: number;
  readonly #burst: number;
  readonly #perMs: number;
  readonly #now: () => number;

  constructor(burst: number, perSec: number, now: () => number) {
    this.#burst = burst;
    this.#perMs = perSec / 1000;
    this.#now = now;
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    const t = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (t - this.#last) * this.#perMs);
    this.#last = t;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
