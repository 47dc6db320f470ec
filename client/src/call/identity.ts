/**
 * Who this tab is in the room: the participant id and secret resume token the server handed
 * out. Kept per tab (sessionStorage), so a refresh resumes the same slot and a second tab is a
 * second person.
 */
const KEY = 'meshtalk.identity';

export interface Identity {
  participantId: string;
  resumeToken: string;
}

export function loadIdentity(): Identity | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Identity | null;
    return v && typeof v.participantId === 'string' && typeof v.resumeToken === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function saveIdentity(identity: Identity): void {
  sessionStorage.setItem(KEY, JSON.stringify(identity));
}

export function clearIdentity(): void {
  sessionStorage.removeItem(KEY);
}
