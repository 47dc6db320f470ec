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

/** Mints the grant for a participant at a moment (ms since the epoch). */
export type IceFor = (participantId: string, now: number) => IceGrant;

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
  return (participantId, now) => {
    const grant = iceServersFor(participantId, turn, now);
    return { iceServers: [...stun, ...grant.iceServers], expiresAt: grant.expiresAt };
  };
}
