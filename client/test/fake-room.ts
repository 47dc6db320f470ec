/** The people and the join answer a fake server gives the client's core in unit tests. */
import type { JoinResponse, Participant } from '@meshtalk/protocol';

/** A participant id that reads as its number. */
export const id = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const person = (n: number, over: Partial<Participant> = {}): Participant => ({ id: id(n), name: `Person ${n}`, muted: false, joinedAt: 1, connected: true, ...over });

/** `room:join`'s answer: `self` in a room with `participants`, nothing else going on. */
export function joinAnswer(self: Participant, participants: Participant[], over: Partial<JoinResponse> = {}): JoinResponse {
  return {
    self,
    resumeToken: 'a'.repeat(43),
    participants,
    screen: null,
    iceServers: [],
    iceServersExpireAt: null,
    resumed: false,
    chat: [],
    hands: [],
    host: { hostId: null, locked: false },
    ...over,
  };
}
