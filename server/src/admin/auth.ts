/**
 * The admin surface's guard: a bearer token, compared in constant time, with wrong attempts
 * throttled per client address. Admin responses are never cacheable and carry no CORS headers.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export interface ThrottleOptions {
  /** Wrong tokens allowed per address within the window before it is refused outright. */
  maxFailures: number;
  windowMs: number;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function adminGuard(token: string, throttle: ThrottleOptions, now: () => number = Date.now) {
  const expected = digest(token);
  const failures = new Map<string, number[]>();

  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Vary', 'Authorization');
    const addr = req.ip ?? 'unknown';
    const t = now();
    const recent = (failures.get(addr) ?? []).filter((at) => t - at < throttle.windowMs);
    if (recent.length >= throttle.maxFailures) {
      res.setHeader('Retry-After', String(Math.ceil((recent[0]! + throttle.windowMs - t) / 1000)));
      res.status(429).json({ error: { code: 'rate_limited', message: 'too many wrong tokens; wait and try again' } });
      return;
    }
    const header = req.get('authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (given && timingSafeEqual(digest(given), expected)) {
      failures.delete(addr);
      next();
      return;
    }
    recent.push(t);
    failures.set(addr, recent);
    if (failures.size > 10_000) failures.delete(failures.keys().next().value!);
    res.setHeader('WWW-Authenticate', 'Bearer realm="meshtalk admin"');
    res.status(401).json({ error: { code: 'unauthorized', message: 'a valid admin token is required' } });
  };
}
