/**
 * Token buckets by key (a client address, a participant id), at most `maxKeys` of them: the
 * least recently used key is forgotten first, so no amount of keys grows it past the cap.
 */
import { RateLimiter } from './RateLimiter';

export class KeyedLimiter {
  readonly #buckets = new Map<string, RateLimiter>();
  readonly #burst: number;
  readonly #perSec: number;
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(opts: { burst: number; perSec: number; maxKeys?: number; now: () => number }) {
    this.#burst = opts.burst;
    this.#perSec = opts.perSec;
    this.#maxKeys = opts.maxKeys ?? 10_000;
    this.#now = opts.now;
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one token from `key`'s bucket; false when it is empty. */
  take(key: string): boolean {
    const bucket = this.#buckets.get(key) ?? new RateLimiter(this.#burst, this.#perSec, this.#now);
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
    return bucket.take();
  }
}
