/**
 * The guard of the admin surface and of /metrics: a bearer token, compared in constant time.
 * A right token is always let through; wrong ones are counted per client address (the same
 * address the sockets' caps use, TRUST_PROXY_HOPS from the right of X-Forwarded-For), and past
 * the limit a wrong token gets 429 instead of 401. The throttle is not what keeps the door
 * shut (a token of 128 bits or more is, config.ts): it keeps guessing slow and visible, and it
 * can never lock the right token out, however many wrong ones share its address.
 * Guarded responses are never cacheable and carry no CORS headers.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export interface ThrottleOptions {
  /** Wrong tokens allowed per address within the window; past them a wrong token gets 429. */
  maxFailures: number;
  windowMs: number;
}

/** The most addresses whose wrong tokens are remembered (the oldest is forgotten first). */
const MAX_ADDRESSES = 10_000;

/** Wrong tokens per client address, shared by every guard (admin API and /metrics). */
export class FailureThrottle {
  readonly #failures = new Map<string, number[]>();
  readonly #opts: ThrottleOptions;
  readonly #now: () => number;

  constructor(opts: ThrottleOptions, now: () => number = Date.now) {
    this.#opts = opts;
    this.#now = now;
  }

  /** Seconds until `address` may be told 401 again, or 0 when it is not throttled. */
  retryAfter(address: string): number {
    const recent = this.#recent(address);
    if (recent.length < this.#opts.maxFailures) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.#opts.windowMs - this.#now()) / 1000));
  }

  fail(address: string): void {
    const recent = this.#recent(address);
    recent.push(this.#now());
    this.#failures.delete(address);
    this.#failures.set(address, recent);
    if (this.#failures.size > MAX_ADDRESSES) this.#failures.delete(this.#failures.keys().next().value!);
  }

  #recent(address: string): number[] {
    const t = this.#now();
    const kept = (this.#failures.get(address) ?? []).filter((at) => t - at < this.#opts.windowMs);
    if (kept.length) this.#failures.set(address, kept);
    else this.#failures.delete(address);
    return kept;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export interface GuardOptions {
  token: string;
  throttle: FailureThrottle;
  /** The client address of a request (behind the configured proxies). */
  addressOf: (req: Request) => string;
  /** Named in the 401 body: what the token is for. */
  realm: string;
}

export function bearerGuard(opts: GuardOptions) {
  const expected = digest(opts.token);
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Vary', 'Authorization');
    const header = req.get('authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    // The token first: a right one is never refused, whoever else guessed from its address.
    if (given && timingSafeEqual(digest(given), expected)) return next();
    const address = opts.addressOf(req);
    const wait = opts.throttle.retryAfter(address);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      res.status(429).json({ error: { code: 'rate_limited', message: 'too many wrong tokens from your address; wait and try again' } });
      return;
    }
    opts.throttle.fail(address);
    res.setHeader('WWW-Authenticate', `Bearer realm="meshtalk ${opts.realm}"`);
    res.status(401).json({ error: { code: 'unauthorized', message: `a valid ${opts.realm} token is required` } });
  };
}
