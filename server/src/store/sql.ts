/**
 * Every statement the store runs, written once for both adapters (pg and PGlite) against a
 * tiny client interface. Writes are idempotent by primary key, so a retried batch writes once.
 */
import type { EventRow, LeaveReason, ParticipantRow, SessionRow, WriteOp } from './types';

export interface SqlClient {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Runs `fn` inside BEGIN … COMMIT, rolling back on error. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
}

export async function applyOps(tx: SqlClient, ops: readonly WriteOp[]): Promise<void> {
  for (const op of ops) {
    switch (op.kind) {
      case 'session_open':
        await tx.query(`INSERT INTO room_sessions (id, status, created_at) VALUES ($1, 'waiting', $2) ON CONFLICT (id) DO NOTHING`, [op.id, op.at]);
        break;
      case 'session_status':
        await tx.query(
          `UPDATE room_sessions SET status = $2, peak_participants = GREATEST(peak_participants, $3),
             ended_at = CASE WHEN $2 = 'ended' THEN COALESCE(ended_at, $4) ELSE ended_at END,
             end_reason = CASE WHEN $2 = 'ended' THEN COALESCE(end_reason, 'empty') ELSE end_reason END
           WHERE id = $1 AND status <> 'ended'`,
          [op.id, op.status, op.peakParticipants, op.at],
        );
        break;
      case 'participant_join':
        await tx.query(
          `INSERT INTO participants (id, session_id, participant_id, name, joined_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
          [op.id, op.sessionId, op.participantId, op.name, op.at],
        );
        break;
      case 'participant_leave':
        await tx.query(`UPDATE participants SET left_at = $2, leave_reason = $3 WHERE id = $1 AND left_at IS NULL`, [op.id, op.at, op.reason]);
        break;
      case 'event':
        await tx.query(
          `INSERT INTO session_events (id, session_id, type, participant_id, at, detail) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
          [op.id, op.sessionId, op.type, op.participantId, op.at, JSON.stringify(op.detail)],
        );
        break;
      case 'connection_report':
        await tx.query(
          `INSERT INTO connection_reports (id, session_id, from_id, to_id, at, state, connect_ms, candidate_type, rtt_ms, jitter_ms, loss_pct, in_kbps, out_kbps)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING`,
          [op.id, op.sessionId, op.fromId, op.toId, op.at, op.state, op.connectMs, op.candidateType, op.rttMs, op.jitterMs, op.lossPct, op.inKbps, op.outKbps],
        );
        break;
    }
  }
}

export async function closeOpen(db: SqlClient, reason: LeaveReason, at: Date): Promise<{ sessions: number; participants: number }> {
  return db.transaction(async (tx) => {
    const p = await tx.query(`UPDATE participants SET left_at = $1, leave_reason = $2 WHERE left_at IS NULL RETURNING id`, [at, reason]);
    const s = await tx.query(`UPDATE room_sessions SET status = 'ended', ended_at = $1, end_reason = $2 WHERE status <> 'ended' RETURNING id`, [at, reason]);
    return { sessions: s.rows.length, participants: p.rows.length };
  });
}

const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const maybeDate = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));

export async function listSessions(db: SqlClient, limit: number): Promise<SessionRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT id, status, created_at, ended_at, end_reason, peak_participants FROM room_sessions ORDER BY created_at DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: String(r.id),
    status: r.status as SessionRow['status'],
    createdAt: date(r.created_at),
    endedAt: maybeDate(r.ended_at),
    endReason: (r.end_reason as string | null) ?? null,
    peakParticipants: Number(r.peak_participants),
  }));
}

export async function listParticipants(db: SqlClient, sessionId: string): Promise<ParticipantRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT id, session_id, participant_id, name, joined_at, left_at, leave_reason FROM participants WHERE session_id = $1 ORDER BY joined_at, id`,
    [sessionId],
  );
  return rows.map((r) => ({
    id: String(r.id),
    sessionId: String(r.session_id),
    participantId: String(r.participant_id),
    name: String(r.name),
    joinedAt: date(r.joined_at),
    leftAt: maybeDate(r.left_at),
    leaveReason: (r.leave_reason as string | null) ?? null,
  }));
}

export async function listEvents(db: SqlClient, sessionId: string): Promise<EventRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT id, seq, session_id, type, participant_id, at, detail FROM session_events WHERE session_id = $1 ORDER BY seq`,
    [sessionId],
  );
  return rows.map((r) => ({
    id: String(r.id),
    seq: Number(r.seq),
    sessionId: String(r.session_id),
    type: r.type as EventRow['type'],
    participantId: (r.participant_id as string | null) ?? null,
    at: date(r.at),
    detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as Record<string, unknown>,
  }));
}
