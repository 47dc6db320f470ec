/**
 * The address of the client behind a known number of proxies. Each proxy appends the address
 * it received the request from to X-Forwarded-For, so with `hops` trusted proxies in front of
 * the server the client is the `hops`-th address counted from the right (the socket's peer is
 * hop 0). Entries further left were written by the client itself and are never believed.
 * The same rule as Express's numeric `trust proxy`.
 */
import type { IncomingMessage } from 'node:http';

const normalise = (a: string): string => (a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a);

export function clientAddress(req: IncomingMessage, hops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (hops <= 0) return normalise(peer);
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .reverse();
  const chain = [peer, ...forwarded];
  return normalise(chain[Math.min(hops, chain.length - 1)]!);
}
