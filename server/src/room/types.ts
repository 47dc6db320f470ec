/** The room's vocabulary: its commands' inputs, its results and the events it emits (SPEC.md). */
import type { ChatMessage, ErrorCode, JoinResponse, LeaveReason, Participant, ScreenState } from '@meshtalk/protocol';
import type { SessionStatus } from '@meshtalk/protocol/admin';

export type { LeaveReason, SessionStatus };
export type ConnId = string;

export type RoomEvent =
  /** `chatThread`: the session whose conversation this one carries on after a restart (C4). */
  | { type: 'session_opened'; sessionId: string; chatThread?: string; at: number }
  | { type: 'session_status'; sessionId: string; status: SessionStatus; peak: number; at: number }
  | { type: 'joined'; sessionId: string; stintId: string; participant: Participant; connId: ConnId; at: number }
  | {
      type: 'resumed';
      sessionId: string;
      participant: Participant;
      connId: ConnId;
      /** The connection this resume replaced, to be closed by the adapter. */
      replacedConnId: ConnId | null;
      at: number;
    }
  | { type: 'disconnected'; sessionId: string; participant: Participant; dropCount: number; at: number }
  | { type: 'left'; sessionId: string; stintId: string; participant: Participant; reason: LeaveReason; at: number }
  | { type: 'muted' | 'unmuted'; sessionId: string; participant: Participant; at: number }
  | { type: 'screen_changed'; sessionId: string; screen: ScreenState; participantId: string; started: boolean; at: number }
  | { type: 'rejected_full'; sessionId: string; name: string; at: number }
  /** `seq`: the message's place in the conversation (C1). */
  | { type: 'chat_message'; sessionId: string; message: ChatMessage; seq: number; at: number }
  /** `by`: who lowered someone else's hand; `left`: lowered because its owner left (Q3). */
  | { type: 'hands_changed'; sessionId: string; hands: string[]; participantId: string; raised: boolean; by: string | null; left?: boolean; at: number };

export type RoomError = { code: ErrorCode; message: string; details?: Record<string, unknown> };
export type Result<T> = { ok: true; data: T; events: RoomEvent[] } | { ok: false; error: RoomError; events: RoomEvent[] };

export interface JoinCommand {
  connId: ConnId;
  name: string;
  participantId?: string | undefined;
  resumeToken?: string | undefined;
  muted?: boolean | undefined;
  now: number;
}

/** The join ack without the ICE servers, which the adapter adds. */
export type JoinResult = Omit<JoinResponse, 'iceServers' | 'iceServersExpireAt'>;

export interface RoomOptions {
  capacity: number;
  /** Fresh unique ids (participant ids, session ids, row ids). */
  newId: () => string;
  /**
   * The resume token of a participant id: a keyed hash, so the room can tell a token it issued
   * for that id (before a restart too, while the key is kept) from any other.
   */
  tokenFor: (participantId: string) => string;
  /** The conversation a restart cut off, read from the database at start-up (C4). */
  carriedChat?: CarriedChat | null | undefined;
}

/** The chat of the session the previous process left (cut by its shutdown or crash). */
export interface CarriedChat {
  /** The session that conversation began in. */
  threadId: string;
  /** Who was still in it when the process went. */
  memberIds: readonly string[];
  /** Its last messages, oldest first, and the last one's place in it. */
  messages: readonly ChatMessage[];
  lastSeq: number;
}
