/**
 * Security headers for everything the server answers. nginx.conf sends the very same set in
 * front of the static client (deploy/test/nginx.test.ts compares the two), so a page gets the
 * same policy whether nginx or this server delivered it.
 */
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * A WebRTC single-page app: scripts, styles and fonts from our origin only; media elements play
 * MediaStreams and blobs; the socket goes to our own origin over ws(s). Nothing may frame us.
 */
const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'media-src': ["'self'", 'blob:', 'mediastream:'],
  'connect-src': ["'self'"],
  'worker-src': ["'self'", 'blob:'],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'self'"],
} as const;

/** The page needs the microphone and screen capture, from our own origin, and nothing else. */
export const PERMISSIONS_POLICY = 'camera=(), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()';

/** A Host header we are willing to echo into the policy: name or IPv4, optional port. */
const SAFE_HOST = /^[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;

/**
 * Our own WebSocket origin, for browsers whose `'self'` does not yet cover ws:/wss:. The page's
 * scheme decides which one is usable (an https page may not open ws:), so both are listed.
 */
export function socketOrigins(host: string | undefined): string {
  return host && SAFE_HOST.test(host) ? `wss://${host} ws://${host}` : '';
}

export function securityHeaders(): RequestHandler {
  const directives: Record<string, Array<string | ((req: IncomingMessage) => string)>> = {};
  for (const [name, values] of Object.entries(CSP_DIRECTIVES)) directives[name] = [...values];
  directives['connect-src']!.push((req) => socketOrigins(req.headers.host));

  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    xFrameOptions: { action: 'deny' },
    xDnsPrefetchControl: { allow: false },
    xPermittedCrossDomainPolicies: { permittedPolicies: 'none' },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Permissions-Policy', PERMISSIONS_POLICY);
    headers(req, res, next);
  };
}
