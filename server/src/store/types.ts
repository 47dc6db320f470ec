/**
 * The persistence port. The room never waits on it: every row goes through the WriteQueue,
 * which hands ordered batches of WriteOps to `Store.apply`. Every op carries an id generated
 * in-process, so applying the same op twice (a retry after a lost commit) writes it once.
 */

import type { LeaveReason } from '@meshtalk/protocol';
import type { SessionEventType, SessionStatus } from '@meshtalk/protocol/admin';
import type { CarriedChat, RoomMemory } from '../room/types';

export type { RoomMemory };

// The closed sets are defined once, in protocol/src/admin.ts (the admin page reads them too).
export type { SessionEventType, SessionStatus };

/** Why a stint ended: a leave reason of the room, or closed at start-up after a crash. */
export type StintEndReason = LeaveReason | 'server_restart';

/** A session event row as written; `seq` is assigned by the database. */
export interface SessionEvent {
  id: string;
  sessionId: string;
  type: SessionEventType;
  participantId: string | null;
  at: Date;
  detail: Record<string, unknown>;
}

/** One end's report about one link, as stored. */
export interface ConnectionReport {
  id: string;
  sessionId: string;
  fromId: string;
  toId: string;
  at: Date;
  state: string;
  connectMs: number | null;
  candidateType: string | null;
  rttMs: number | null;
  jitterMs: number | null;
  lossPct: number | null;
  inKbps: number | null;
  outKbps: number | null;
}

export type WriteOp =
  /** A new room session; it starts `waiting` (one person alone) and moves on with SessionStatus ops. */
  | { kind: 'session_open'; id: string; at: Date }
  | {
      kind: 'session_status';
      id: string;
      status: SessionStatus;
      at: Date;
      peakParticipants: number;
      /** Why an `ended` session ended (e.g. `server_shutdown`); defaults to `empty`. Ignored otherwise. */
      endReason?: string;
    }
  /** One stint of a participant in a session; `id` is the row id, `participantId` the stable identity. */
  | { kind: 'participant_join'; id: string; sessionId: string; participantId: string; name: string; at: Date }
  | { kind: 'participant_leave'; id: string; at: Date; reason: StintEndReason }
  | ({ kind: 'event' } & SessionEvent)
  | ({ kind: 'connection_report' } & ConnectionReport)
  /** One chat message; `seq` is its place in the conversation (lifecycle: never shed). */
  | { kind: 'chat_message'; id: string; sessionId: string; seq: number; participantId: string; name: string; at: Date; text: string }
  /** Session `id` carries on the conversation begun in session `threadId` (a restart cut it off). */
  | { kind: 'chat_thread'; id: string; threadId: string }
  /** The host, the lock and the members, replacing what was kept before (room_state; SPEC.md P1). */
  | { kind: 'room_memory'; id: string; memory: RoomMemory; at: Date }
  /** A participant the host removed: its resume token stays refused (SPEC.md A6). */
  | { kind: 'participant_removed'; id: string; participantId: string; sessionId: string; at: Date };

/** Builds the row of one session event (the one builder; every writer of events uses it). */
export function eventOp(
  newId: () => string,
  sessionId: string,
  type: SessionEventType,
  participantId: string | null,
  at: Date,
  detail: Record<string, unknown> = {},
): WriteOp {
  return { kind: 'event', id: newId(), sessionId, type, participantId, at, detail };
}

/** Session events that are telemetry rather than the room's history: shed first when the write queue is full. */
const LOW_VALUE_EVENTS: ReadonlySet<SessionEventType> = new Set<SessionEventType>(['room_full_rejected', 'ice_restarted']);

/**
 * Rows the write queue may shed when it is full: link reports, refused-join tallies and
 * ICE-restart events. Everything else (sessions, stints, joins, leaves, mute, screen, pair
 * outcomes) is the room's lifecycle and is kept.
 */
export function isSheddable(op: WriteOp): boolean {
  // Chat messages and threads are the room's lifecycle too: never shed.
  return op.kind === 'connection_report' || (op.kind === 'event' && LOW_VALUE_EVENTS.has(op.type));
}

export interface SessionRow {
  id: string;
  status: SessionStatus;
  createdAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  peakParticipants: number;
}

export interface ParticipantRow {
  id: string;
  sessionId: string;
  participantId: string;
  name: string;
  joinedAt: Date;
  leftAt: Date | null;
  leaveReason: string | null;
}

export interface EventRow extends SessionEvent {
  seq: number;
}

export type ConnectionReportRow = ConnectionReport;

/** A session with its connection outcomes counted (GET /api/admin/sessions). */
export interface SessionSummaryRow extends SessionRow {
  succeeded: number;
  failed: number;
  /** Mean `detail.rttMs` of the succeeded outcomes that carry one. */
  avgRttMs: number | null;
  /** Chat messages written in the session. */
  chatMessages: number;
}

/**
 * The conversation of the newest session when the previous process's end cut it off (its
 * last members left with `server_shutdown`, or a crash left them in): what a new process
 * hands back to those members when they return (SPEC.md C4).
 */
export type { CarriedChat as ChatCarryOver } from '../room/types';

export interface Store {
  readonly kind: 'pglite' | 'postgres';
  /** Applies pending db/migrations/*.sql in order, each inside a transaction. Returns the names applied. */
  migrate(): Promise<string[]>;
  /** True when every migration file has been applied. */
  migrationsApplied(): Promise<boolean>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  /** Writes a batch in one transaction, in order; ops already written (same id) are skipped. */
  apply(ops: readonly WriteOp[]): Promise<void>;
  /** Closes rows a crash left open: sessions → ended, participants → left, with `reason`. */
  closeOpen(reason: StintEndReason, at: Date): Promise<{ sessions: number; participants: number }>;
  listSessions(limit: number): Promise<SessionRow[]>;
  /** The newest sessions with their connection outcomes counted, in one query. */
  listSessionSummaries(limit: number): Promise<SessionSummaryRow[]>;
  listParticipants(sessionId: string): Promise<ParticipantRow[]>;
  listEvents(sessionId: string): Promise<EventRow[]>;
  /** The chat a restart cut off (read before `closeOpen`), with its last `limit` messages; null if there is none. */
  chatCarryOver(limit: number): Promise<CarriedChat | null>;
  /** The host, lock and members kept by the last run (SPEC.md P1), or null when none was kept. */
  roomMemory(): Promise<RoomMemory | null>;
  /** The participants removed most recently, oldest of them first, at most `limit`. */
  removedParticipants(limit: number): Promise<string[]>;
  /** The secret stored under `name`, made with `make` and stored the first time (server_secrets). */
  serverSecret(name: string, make: () => string): Promise<string>;
  close(): Promise<void>;
}
