/**
 * Time-limited TURN credentials in coturn's REST-API scheme (`use-auth-secret`): the server and
 * coturn share a secret, so the server can mint credentials that coturn checks on its own, with
 * no call between them. The username carries its expiry; coturn refuses it after that moment.
 *
 *   username   = "<expiry, unix seconds>:<participantId>"
 *   credential = base64(HMAC-SHA1(secret, username))
 */
import { createHmac } from 'node:crypto';
import type { IceServer } from '@meshtalk/protocol';

export interface TurnOptions {
  /** turn:/turns: URLs of one coturn deployment (all sharing `secret`). */
  urls: readonly string[];
  /** coturn's `static-auth-secret`. */
  secret: string;
  /** How long a minted credential is valid, seconds. */
  ttlSec: number;
}

/** The ICE servers handed to one participant, at join and in `ice:refresh`. */
export interface IceGrant {
  iceServers: IceServer[];
  /** When the credentials expire (ms since the epoch), or null for credential-less servers. */
  expiresAt: number | null;
}

/**
 * The grant for a participant at a moment (ms since the epoch), asked for by a client at
 * `address` (for the per-address minting limit; absent for refreshes the server pushes).
 */
export type IceFor = (participantId: string, now: number, address?: string) => IceGrant;

/** A grant of TURN credentials, which always expire. */
export type TurnGrant = IceGrant & { expiresAt: number };

/** coturn's default `rest-api-separator`. */
const SEPARATOR = ':';

export function turnUsername(participantId: string, expirySec: number): string {
  return `${expirySec}${SEPARATOR}${participantId}`;
}

export function turnCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/** Credentials for one participant, valid from `now` (ms since the epoch) for `ttlSec`. */
export function iceServersFor(participantId: string, options: TurnOptions, now: number): TurnGrant {
  if (options.urls.length === 0) throw new Error('iceServersFor: no TURN URLs');
  if (!Number.isInteger(options.ttlSec) || options.ttlSec <= 0) throw new Error('iceServersFor: ttlSec must be a positive integer');
  const expirySec = Math.floor(now / 1000) + options.ttlSec;
  const username = turnUsername(participantId, expirySec);
  return {
    iceServers: [{ urls: [...options.urls], username, credential: turnCredential(options.secret, username) }],
    expiresAt: expirySec * 1000,
  };
}

export interface IceSettings {
  STUN_URLS?: readonly string[] | undefined;
  TURN_URLS?: readonly string[] | undefined;
  TURN_SECRET?: string | undefined;
  TURN_TTL_SEC: number;
  /** New TURN usernames one client address may be given per minute (joins that reuse one are free). */
  TURN_MINTS_PER_MIN?: number | undefined;
}

/** A grant is handed out again while more than this share of its lifetime is left (the refresh comes at a fifth). */
const REUSE_WHILE_LEFT = 0.25;
/** Most participants whose grant is remembered; expired ones go first. */
const MAX_REMEMBERED = 10_000;

/** Per-address minting budget: a token bucket of `perMin` a minute, that many at once. */
class MintBudget {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(readonly perMin: number) {}

  take(address: string, now: number): boolean {
    const b = this.#buckets.get(address) ?? { tokens: this.perMin, at: now };
    b.tokens = Math.min(this.perMin, b.tokens + ((now - b.at) / 60_000) * this.perMin);
    b.at = now;
    this.#buckets.delete(address);
    if (b.tokens < 1) {
      this.#buckets.set(address, b);
      return false;
    }
    b.tokens -= 1;
    this.#buckets.set(address, b);
    // Full buckets carry no information: forget the oldest once there are many.
    if (this.#buckets.size > MAX_REMEMBERED) this.#buckets.delete(this.#buckets.keys().next().value!);
    return true;
  }
}

/**
 * What a participant is handed at join and in `ice:refresh`, from the server's configuration:
 * the STUN URLs (no credentials, never expire) and, with TURN configured, fresh credentials.
 */
export function iceFromConfig(settings: IceSettings): IceFor {
  const stun: IceServer[] = settings.STUN_URLS?.length ? [{ urls: [...settings.STUN_URLS] }] : [];
  const { TURN_URLS: urls, TURN_SECRET: secret } = settings;
  if (!urls?.length || !secret) return () => ({ iceServers: stun, expiresAt: null });
  const turn: TurnOptions = { urls, secret, ttlSec: settings.TURN_TTL_SEC };
  const ttlMs = settings.TURN_TTL_SEC * 1000;
  const granted = new Map<string, TurnGrant>();
  const budget = new MintBudget(settings.TURN_MINTS_PER_MIN ?? 10);
  return (participantId, now, address) => {
    // One username per participant while it has life left: a rejoin or a refresh does not mint.
    const held = granted.get(participantId);
    if (held && held.expiresAt - now > ttlMs * REUSE_WHILE_LEFT) return { iceServers: [...stun, ...held.iceServers], expiresAt: held.expiresAt };
    // A new one costs the asking address a token; without one the participant gets STUN only.
    if (address !== undefined && !budget.take(address, now)) return { iceServers: stun, expiresAt: null };
    const grant = iceServersFor(participantId, turn, now);
    granted.delete(participantId);
    granted.set(participantId, grant);
    if (granted.size > MAX_REMEMBERED) {
      for (const [id, g] of granted) if (g.expiresAt <= now || granted.size > MAX_REMEMBERED) granted.delete(id);
    }
    return { iceServers: [...stun, ...grant.iceServers], expiresAt: grant.expiresAt };
  };
}
