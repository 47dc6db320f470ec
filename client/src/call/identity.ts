/**
 * Who this tab is in the room: the participant id and secret resume token the server handed
 * out (the server issues both at the first join; the client never makes up an id). In a
 * browser they are kept per tab (sessionStorage), so a refresh resumes the same slot and a
 * second tab is a second person; elsewhere (Node) any store with the same three calls.
 */
import { ParticipantId, ResumeToken } from '@meshtalk/protocol';

const KEY = 'meshtalk.identity';

/** A stored identity the server could accept: anything else (an old or edited value) is none. */
function wellFormed(v: unknown): Identity | null {
  if (!v || typeof v !== 'object') return null;
  const id = ParticipantId.safeParse((v as Identity).participantId);
  const token = ResumeToken.safeParse((v as Identity).resumeToken);
  return id.success && token.success ? { participantId: id.data, resumeToken: token.data } : null;
}

export interface Identity {
  participantId: string;
  resumeToken: string;
}

export interface IdentityStore {
  load(): Identity | null;
  save(identity: Identity): void;
  clear(): void;
}

/** The identity kept in a Web Storage area (sessionStorage by default). */
export function webStorageIdentity(storage: () => Storage = () => sessionStorage): IdentityStore {
  return {
    load() {
      try {
        return wellFormed(JSON.parse(storage().getItem(KEY) ?? 'null'));
      } catch {
        return null;
      }
    },
    save(identity) {
      storage().setItem(KEY, JSON.stringify(identity));
    },
    clear() {
      storage().removeItem(KEY);
    },
  };
}

/** An identity kept in memory only: one process, one participant. */
export function memoryIdentity(): IdentityStore {
  let kept: Identity | null = null;
  return {
    load: () => kept,
    save: (identity) => void (kept = identity),
    clear: () => void (kept = null),
  };
}
