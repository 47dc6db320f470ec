/**
 * The persistence port. The room never waits on it: every row goes through the WriteQueue,
 * which hands ordered batches of WriteOps to `Store.apply`. Every op carries an id generated
 * in-process, so applying the same op twice (a retry after a lost commit) writes it once.
 */

export const SessionStatus = { waiting: 'waiting', active: 'active', ended: 'ended' } as const;
export type SessionStatus = (typeof SessionStatus)[keyof typeof SessionStatus];

export const SessionEventType = {
  joined: 'joined',
  resumed: 'resumed',
  disconnected: 'disconnected',
  left: 'left',
  muted: 'muted',
  unmuted: 'unmuted',
  screen_started: 'screen_started',
  screen_ended: 'screen_ended',
  room_full_rejected: 'room_full_rejected',
  connection_succeeded: 'connection_succeeded',
  connection_failed: 'connection_failed',
  ice_restarted: 'ice_restarted',
  link_poor: 'link_poor',
} as const;
export type SessionEventType = (typeof SessionEventType)[keyof typeof SessionEventType];

export type LeaveReason = 'left' | 'timeout' | 'kicked' | 'server_shutdown' | 'server_restart';

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
  | { kind: 'participant_leave'; id: string; at: Date; reason: LeaveReason }
  | {
      kind: 'event';
      id: string;
      sessionId: string;
      type: SessionEventType;
      participantId: string | null;
      at: Date;
      detail: Record<string, unknown>;
    }
  | {
      kind: 'connection_report';
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
    };

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

export interface EventRow {
  id: string;
  sessionId: string;
  seq: number;
  type: SessionEventType;
  participantId: string | null;
  at: Date;
  detail: Record<string, unknown>;
}

export interface ConnectionReportRow {
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
  closeOpen(reason: LeaveReason, at: Date): Promise<{ sessions: number; participants: number }>;
  listSessions(limit: number): Promise<SessionRow[]>;
  listParticipants(sessionId: string): Promise<ParticipantRow[]>;
  listEvents(sessionId: string): Promise<EventRow[]>;
  close(): Promise<void>;
}
