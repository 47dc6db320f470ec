/**
 * Resume tokens as a keyed hash of the participant id: HMAC-SHA256(key, id), base64url (256
 * bits). The server keeps no list of tokens: whoever holds the key can tell the token it issued
 * for an id from any other, so an identity survives a restart as long as the key does (it is
 * SERVER_SECRET, or made once and kept in the database: main.ts). Without the key nobody can
 * make a token for an id, their own or another's.
 */
import { createHmac, randomBytes } from 'node:crypto';

export const RESUME_KEY_NAME = 'resume_token_key';

/** A fresh key, for the database to keep (or for a test or a process that keeps nothing). */
export const newResumeKey = (): string => randomBytes(32).toString('base64url');

export function resumeTokens(key: string): (participantId: string) => string {
  return (participantId) => createHmac('sha256', key).update(`meshtalk resume ${participantId}`).digest('base64url');
}
