/** The room's vocabulary: its commands' inputs, its results and the events it emits (SPEC.md). */
import type { ChatMessage, ErrorCode, HostChangeReason, JoinResponse, Knock, LeaveReason, Participant, ScreenState } from '@meshtalk/protocol';
import type { SessionStatus } from '@meshtalk/protocol/admin';

export type { LeaveReason, SessionStatus };
export type ConnId = string;

/** Who does a host action: a member (checked to be the host) or the admin, who is not a participant. */
export type Actor = { kind: 'member'; connId: ConnId } | { kind: 'admin' };
/** The actor as events record it: a participant id and name, or both null for the admin. */
export interface ActorView {
  id: string | null;
  name: string | null;
}
/** How a knock ended. */
export type KnockOutcome = 'admitted' | 'denied' | 'expired' | 'unlocked' | 'ended' | 'withdrawn';

/** What the room persists so that a restart brings back the same host and lock (SPEC.md P1). */
export interface RoomMemory {
  hostId: string | null;
  locked: boolean;
  /** Who was in the room, longest present first: they come back without knocking. */
  members: { id: string; joinedAt: number }[];
}

export type RoomEvent =
  /** `chatThread`: the session whose conversation this one carries on after a restart (C4). */
  | { type: 'session_opened'; sessionId: string; chatThread?: string; at: number }
  /** `endReason` when the session ended otherwise than by emptying (`ended_by_host`). */
  | { type: 'session_status'; sessionId: string; status: SessionStatus; peak: number; endReason?: string; at: number }
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
  | { type: 'hands_changed'; sessionId: string; hands: string[]; participantId: string; raised: boolean; by: string | null; left?: boolean; at: number }
  // The host and the door (SPEC.md A1–A6, K1–K5, E1).
  | { type: 'host_changed'; sessionId: string; hostId: string | null; hostName: string | null; reason: HostChangeReason; by: ActorView | null; at: number }
  | { type: 'muted_by_host'; sessionId: string; participant: Participant; by: ActorView; at: number }
  | { type: 'removed'; sessionId: string; participant: Participant; connId: ConnId | null; by: ActorView; at: number }
  /** `by` is null when the room unlocked itself because it emptied. */
  | { type: 'lock_changed'; sessionId: string; locked: boolean; by: ActorView | null; at: number }
  /** A knock before anyone is back after a restart has no session yet. */
  | { type: 'knocked'; sessionId: string | null; knock: Knock; connId: ConnId; at: number }
  | {
      type: 'knock_closed';
      sessionId: string | null;
      knock: Knock;
      connId: ConnId;
      outcome: KnockOutcome;
      by: ActorView | null;
      /** For `admitted`: the join's answer, for the adapter to send to the knocker. */
      join?: JoinResult;
      at: number;
    }
  /** Everyone leaves (each with a `left` event, reason `ended`); `connIds` are told so and closed. */
  | { type: 'ended_by_host'; sessionId: string; by: ActorView; connIds: ConnId[]; at: number }
  /** A member whose connection was down when it was removed, or the call ended, came back: tell it, and close it. */
  | { type: 'away_notice'; sessionId: null; connId: ConnId; reason: 'removed' | 'ended'; by: ActorView; at: number };

/** A participant as the room holds it. */
export interface Member {
  id: string;
  name: string;
  muted: boolean;
  joinedAt: number;
  token: string;
  /** The live connection, or null while the grace period runs. */
  connId: ConnId | null;
  /** Increments on every disconnect, so a stale grace expiry can be told apart (R4). */
  dropCount: number;
  /** The persisted stint of this member in the current session. */
  stintId: string;
}

export type RoomError = { code: ErrorCode; message: string; details?: Record<string, unknown> };
export type Result<T> = { ok: true; data: T; events: RoomEvent[] } | { ok: false; error: RoomError; events: RoomEvent[] };

export interface JoinCommand {
  connId: ConnId;
  name: string;
  participantId?: string | undefined;
  resumeToken?: string | undefined;
  muted?: boolean | undefined;
  now: number;
  /** Asked only when this join would knock at a locked room: false refuses it (`rate_limited`). */
  mayKnock?: () => boolean;
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
  /** The host and lock from before a restart (P1). */
  restore?: RoomMemory | null | undefined;
  /** Participants removed before (their tokens stay refused), oldest first. */
  removed?: readonly string[] | undefined;
  /** How long a knock waits (default HOST_LIMITS.knockTtlMs). */
  knockTtlMs?: number | undefined;
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
