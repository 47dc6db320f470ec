/**
 * The admin API as the page reads it: the response shapes are the protocol's
 * (@meshtalk/protocol/admin), parsed with zod on arrival; a fetch that carries the token.
 */
import type { z } from 'zod';
import { AdminError } from '@meshtalk/protocol/admin';

export type { LiveResponse as Live, PairView as LivePair, SessionDetail, SessionSummary } from '@meshtalk/protocol/admin';

export class Unauthorized extends Error {}

export async function adminFetch<S extends z.ZodType>(path: string, token: string, schema: S): Promise<z.output<S>> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  if (res.status === 401 || res.status === 429) throw new Unauthorized(res.status === 429 ? 'Too many wrong tokens; wait a few minutes.' : 'That token is not valid.');
  if (!res.ok) throw new Error(`The server answered ${res.status}.`);
  const parsed = schema.safeParse(await res.json());
  if (!parsed.success) throw new Error('The server answered in a shape this page does not know; reload it.');
  return parsed.data;
}

/** The token arrives in the URL fragment (never sent to the server) and is kept for the tab. */
export function initialToken(): string {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem('meshtalk.adminToken', fromHash);
    history.replaceState(null, '', location.pathname);
    return fromHash;
  }
  return sessionStorage.getItem('meshtalk.adminToken') ?? '';
}

/** A POST with the token and a JSON body; the server's error message when it refuses. */
export async function adminPost<S extends z.ZodType>(path: string, token: string, body: unknown, schema: S): Promise<z.output<S>> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    cache: 'no-store',
  });
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const refused = AdminError.safeParse(json);
    throw new Error(refused.success ? refused.data.error.message : `The server answered ${res.status}.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error('The server answered in a shape this page does not know; reload it.');
  return parsed.data;
}
