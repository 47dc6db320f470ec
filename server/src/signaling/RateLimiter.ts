/**
 * A token bucket per socket: `burst` tokens, refilled at `perSec`. Sized so a legitimate
 * 10-person join burst (offers, answers and trickled candidates to nine peers) never runs dry,
 * while a flood does within a fraction of a second.
 */
import { TokenBucket } from '../room/token-bucket';

export class RateLimiter {
  readonly #bucket: TokenBucket;
  readonly #now: () => number;

  constructor(burst: number, perSec: number, now: () => number) {
    this.#now = now;
    this.#bucket = new TokenBucket(burst, perSec, now());
  }

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    return this.#bucket.take(this.#now());
  }
}
