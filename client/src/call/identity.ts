/**
 * Who this tab is in the room: the participant id and secret resume token the server handed
 * out. In a browser they are kept per tab (sessionStorage), so a refresh resumes the same slot
 * and a second tab is a second person; elsewhere (Node) any store with the same three calls.
 */
const KEY = 'meshtalk.identity';

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
        const v = JSON.parse(storage().getItem(KEY) ?? 'null') as Identity | null;
        return v && typeof v.participantId === 'string' && typeof v.resumeToken === 'string' ? v : null;
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
