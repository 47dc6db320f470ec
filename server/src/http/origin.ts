/**
 * Who may talk to /socket.io/: checked on every request of a Socket.IO session (the handshake,
 * each long-polling GET and POST, the WebSocket upgrade), not only the first.
 *
 * - The Host header must name us. With PUBLIC_URL or ALLOWED_ORIGINS configured, it is the host
 *   (and port) of one of those origins. Without them (development), it is a loopback name
 *   (`localhost`, `*.localhost`) or an IP literal: names that no attacker's DNS can point at
 *   us, so a page that rebinds its own name to our address (DNS rebinding: Host and Origin both
 *   the attacker's) is refused even when its request carries no Origin (same-origin GETs don't).
 * - An Origin, when present, must be one of the allowed origins exactly (scheme, host and
 *   port), compared as the browser serialises it. Without configuration the one allowed origin
 *   is our own: the Host with our scheme, which is http unless a trusted proxy
 *   (TRUST_PROXY_HOPS > 0) forwarded another in X-Forwarded-Proto.
 * - Requests without Origin come from programs, not pages (browsers always send it on
 *   cross-origin requests and WebSockets), and pass on the Host check alone.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export type Verdict = { ok: true } | { ok: false; reason: 'host not allowed' | 'origin not allowed' };

export interface OriginOptions {
  /** The room's public address (PUBLIC_URL): its origin is allowed and its host is ours. */
  publicUrl?: string | undefined;
  /** Further origins allowed to open a socket (ALLOWED_ORIGINS); their hosts count as ours too. */
  allowedOrigins?: readonly string[] | undefined;
  /** Proxies in front of the server: above 0, X-Forwarded-Proto says our scheme. */
  trustProxyHops: number;
}

/** A Host header we can reason about: a name, IPv4 or bracketed IPv6, and an optional port. */
const HOST = /^(?<name>[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(?<port>[0-9]{1,5}))?$/;

/** Loopback names and IP literals: no foreign DNS name can arrive with one of these. */
function rebindingProof(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name.startsWith('[')) return isIP(name.slice(1, -1)) === 6;
  return isIP(name) === 4;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function originCheck(opts: OriginOptions): (req: IncomingMessage) => Verdict {
  const configured = [...(opts.publicUrl ? [opts.publicUrl] : []), ...(opts.allowedOrigins ?? [])];
  const origins = new Set(configured.map((o) => new URL(o).origin));
  const hosts = new Set(configured.map((o) => new URL(o).host));

  /** Our scheme as the browser sees it. */
  const scheme = (req: IncomingMessage): string => {
    if (opts.trustProxyHops <= 0) return 'http';
    const forwarded = header(req, 'x-forwarded-proto')?.split(',').at(-1)?.trim().toLowerCase();
    return forwarded === 'https' ? 'https' : 'http';
  };

  return (req) => {
    const host = header(req, 'host')?.toLowerCase() ?? '';
    const m = HOST.exec(host);
    if (!m) return { ok: false, reason: 'host not allowed' };
    const origin = header(req, 'origin');
    if (configured.length) {
      if (!hosts.has(host)) return { ok: false, reason: 'host not allowed' };
      return origin === undefined || origins.has(origin) ? { ok: true } : { ok: false, reason: 'origin not allowed' };
    }
    if (!rebindingProof(m.groups!.name!)) return { ok: false, reason: 'host not allowed' };
    if (origin === undefined) return { ok: true };
    let own: string;
    try {
      own = new URL(`${scheme(req)}://${host}`).origin;
    } catch {
      return { ok: false, reason: 'host not allowed' };
    }
    return origin === own ? { ok: true } : { ok: false, reason: 'origin not allowed' };
  };
}
