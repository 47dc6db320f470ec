/**
 * Every statement the store runs, written once for both adapters (pg and PGlite) against a
 * tiny client interface. Writes are idempotent: inserts skip an id already present and updates
 * only move a row forward, so a batch retried after a lost commit writes nothing twice.
 */
import type { ChatCarryOver, ConnectionReportRow, EventRow, ParticipantRow, RoomMemory, SessionRow, SessionSummaryRow, StintEndReason, WriteOp } from './types';

export interface SqlClient {
  /** One statement with `$n` parameters, or (without parameters) a script of several. */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Runs `fn` inside BEGIN … COMMIT, rolling back on error. Nested calls join the outer one. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
}

/**
 * PostgreSQL rejects U+0000 in text and jsonb, and lone UTF-16 surrogates in jsonb. A row
 * carrying one would fail its batch on every retry and hold up the whole queue behind it, so
 * such characters are removed (NUL) or replaced (U+FFFD) before they get that far.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const text = (s: string): string => s.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\ufffd');
const maybeText = (s: string | null): string | null => (s === null ? null : text(s));
const cleanJson = (v: unknown): unknown => {
  if (typeof v === 'string') return text(v);
  if (Array.isArray(v)) return v.map(cleanJson);
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [text(k), cleanJson(x)]));
  }
  return v;
};
/** The detail as jsonb text; one that cannot be serialized (a cycle, a bigint) is recorded as such rather than failing forever. */
const json = (v: Record<string, unknown>): string => {
  try {
    return JSON.stringify(cleanJson(v));
  } catch {
    return JSON.stringify({ unserializable: true });
  }
};

type InsertKind = 'session_open' | 'participant_join' | 'event' | 'connection_report' | 'chat_message' | 'chat_thread';
type InsertOp = Extract<WriteOp, { kind: InsertKind }>;

/** Each insert kind: its statement head, the casts of its columns, and one op's parameters. */
const INSERTS: { [K in InsertKind]: { head: string; casts: string[]; params: (op: Extract<WriteOp, { kind: K }>) => unknown[] } } = {
  session_open: {
    head: `INSERT INTO room_sessions (id, status, created_at) VALUES`,
    casts: ['', `'waiting'`, ''],
    params: (op) => [op.id, op.at],
  },
  participant_join: {
    head: `INSERT INTO participants (id, session_id, participant_id, name, joined_at) VALUES`,
    casts: ['', '', '', '', ''],
    params: (op) => [op.id, op.sessionId, op.participantId, text(op.name), op.at],
  },
  event: {
    head: `INSERT INTO session_events (id, session_id, type, participant_id, at, detail) VALUES`,
    casts: ['', '', '', '', '', '::jsonb'],
    params: (op) => [op.id, op.sessionId, op.type, op.participantId, op.at, json(op.detail)],
  },
  connection_report: {
    head: `INSERT INTO connection_reports (id, session_id, from_id, to_id, at, state, connect_ms, candidate_type, rtt_ms, jitter_ms, loss_pct, in_kbps, out_kbps) VALUES`,
    casts: ['', '', '', '', '', '', '', '', '', '', '', '', ''],
    params: (op) => [
      op.id, op.sessionId, op.fromId, op.toId, op.at, text(op.state), op.connectMs, maybeText(op.candidateType),
      op.rttMs, op.jitterMs, op.lossPct, op.inKbps, op.outKbps,
    ],
  },
  chat_message: {
    head: `INSERT INTO chat_messages (id, session_id, seq, participant_id, name, at, text) VALUES`,
    casts: ['', '', '', '', '', '', ''],
    params: (op) => [op.id, op.sessionId, op.seq, op.participantId, text(op.name), op.at, text(op.text)],
  },
  chat_thread: {
    head: `INSERT INTO chat_threads (id, thread_id) VALUES`,
    casts: ['', ''],
    params: (op) => [op.id, op.threadId],
  },
};

const isInsert = (op: WriteOp): op is InsertOp => Object.hasOwn(INSERTS, op.kind);

/**
 * One multi-row INSERT for a run of ops of one kind, rows in the run's order (so the events'
 * `seq` follows it). A literal cast (`'waiting'`) takes no parameter.
 */
async function insertRun(tx: SqlClient, ops: readonly InsertOp[]): Promise<void> {
  const spec = INSERTS[ops[0]!.kind] as { head: string; casts: string[]; params: (op: InsertOp) => unknown[] };
  const params: unknown[] = [];
  const rows = ops.map((op) => {
    const values = spec.params(op);
    let v = 0;
    const cells = spec.casts.map((cast) => {
      if (cast.startsWith("'")) return cast;
      params.push(values[v++]);
      return `$${params.length}${cast}`;
    });
    return `(${cells.join(', ')})`;
  });
  await tx.query(`${spec.head} ${rows.join(', ')} ON CONFLICT (id) DO NOTHING`, params);
}

/** Most rows in one INSERT: keeps the statement's parameters far below PostgreSQL's 65,535. */
const MAX_ROWS_PER_INSERT = 500;

export async function applyOps(tx: SqlClient, ops: readonly WriteOp[]): Promise<void> {
  for (let i = 0; i < ops.length; ) {
    const op = ops[i]!;
    if (isInsert(op)) {
      // Consecutive inserts of one kind become one statement; order across kinds is kept.
      let j = i + 1;
      while (j < ops.length && j - i < MAX_ROWS_PER_INSERT && ops[j]!.kind === op.kind) j++;
      await insertRun(tx, ops.slice(i, j) as InsertOp[]);
      i = j;
      continue;
    }
    i++;
    switch (op.kind) {
      case 'session_status':
        // An ended session stays ended (first end wins), and the peak only grows: both repeatable.
        await tx.query(
          `UPDATE room_sessions SET status = $2::text, peak_participants = GREATEST(peak_participants, $3::integer),
             ended_at = CASE WHEN $2::text = 'ended' THEN $4::timestamptz ELSE NULL END,
             end_reason = CASE WHEN $2::text = 'ended' THEN $5::text ELSE NULL END
           WHERE id = $1 AND status <> 'ended'`,
          [op.id, op.status, op.peakParticipants, op.at, text(op.endReason ?? 'empty')],
        );
        break;
      case 'participant_leave':
        await tx.query(`UPDATE participants SET left_at = $2, leave_reason = $3 WHERE id = $1 AND left_at IS NULL`, [op.id, op.at, op.reason]);
        break;
      case 'room_memory':
        // The newest memory wins; a retried older one never overwrites a newer one.
        await tx.query(
          `INSERT INTO room_state (id, host_id, locked, members, updated_at) VALUES (1, $1, $2, $3::jsonb, $4)
           ON CONFLICT (id) DO UPDATE SET host_id = EXCLUDED.host_id, locked = EXCLUDED.locked, members = EXCLUDED.members, updated_at = EXCLUDED.updated_at
           WHERE room_state.updated_at <= EXCLUDED.updated_at`,
          [op.memory.hostId, op.memory.locked, JSON.stringify(op.memory.members), op.at],
        );
        break;
      case 'participant_removed':
        await tx.query(
          `INSERT INTO removed_participants (participant_id, session_id, removed_at) VALUES ($1, $2, $3)
           ON CONFLICT (participant_id) DO UPDATE SET removed_at = EXCLUDED.removed_at, session_id = EXCLUDED.session_id`,
          [op.participantId, op.sessionId, op.at],
        );
        break;
    }
  }
}

/** Ends every session and closes every participant stint still open, in one transaction. */
export async function closeOpen(db: SqlClient, reason: StintEndReason, at: Date): Promise<{ sessions: number; participants: number }> {
  return db.transaction(async (tx) => {
    const p = await tx.query(`UPDATE participants SET left_at = $1, leave_reason = $2 WHERE left_at IS NULL RETURNING id`, [at, reason]);
    const s = await tx.query(`UPDATE room_sessions SET status = 'ended', ended_at = $1, end_reason = $2 WHERE status <> 'ended' RETURNING id`, [at, reason]);
    return { sessions: s.rows.length, participants: p.rows.length };
  });
}

// pg returns Date objects for timestamptz and strings for bigint; PGlite returns Dates and
// numbers. The readers below accept either.
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const maybeDate = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));
const maybeString = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const maybeNumber = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const SESSION_COLUMNS = `id, status, created_at, ended_at, end_reason, peak_participants`;

const sessionRow = (r: Record<string, unknown>): SessionRow => ({
  id: String(r.id),
  status: r.status as SessionRow['status'],
  createdAt: date(r.created_at),
  endedAt: maybeDate(r.ended_at),
  endReason: maybeString(r.end_reason),
  peakParticipants: Number(r.peak_participants),
});

/** The newest sessions first. */
export async function listSessions(db: SqlClient, limit: number): Promise<SessionRow[]> {
  const { rows } = await db.query(`SELECT ${SESSION_COLUMNS} FROM room_sessions ORDER BY created_at DESC, id LIMIT $1`, [limit]);
  return rows.map(sessionRow);
}

/**
 * The newest sessions first, each with its decided connection outcomes counted and the mean
 * RTT of its successes: one statement, however many sessions are listed.
 */
export async function listSessionSummaries(db: SqlClient, limit: number): Promise<SessionSummaryRow[]> {
  const { rows } = await db.query(
    `SELECT s.*, COALESCE(o.succeeded, 0) AS succeeded, COALESCE(o.failed, 0) AS failed, o.avg_rtt_ms,
            (SELECT count(*) FROM chat_messages c WHERE c.session_id = s.id) AS chat_messages
       FROM (SELECT ${SESSION_COLUMNS} FROM room_sessions ORDER BY created_at DESC, id LIMIT $1) s
       LEFT JOIN LATERAL (
         SELECT count(*) FILTER (WHERE e.type = 'connection_succeeded') AS succeeded,
                count(*) FILTER (WHERE e.type = 'connection_failed') AS failed,
                avg(CASE WHEN e.type = 'connection_succeeded' AND jsonb_typeof(e.detail -> 'rttMs') = 'number'
                         THEN (e.detail ->> 'rttMs')::double precision END) AS avg_rtt_ms
           FROM session_events e
          WHERE e.session_id = s.id AND e.type IN ('connection_succeeded', 'connection_failed')
       ) o ON true
      ORDER BY s.created_at DESC, s.id`,
    [limit],
  );
  return rows.map((r) => ({
    ...sessionRow(r),
    succeeded: Number(r.succeeded),
    failed: Number(r.failed),
    avgRttMs: maybeNumber(r.avg_rtt_ms),
    chatMessages: Number(r.chat_messages),
  }));
}

/**
 * The conversation of the newest session, if the previous process's end cut it off: someone was
 * still in it (a crash) or its last people left with `server_shutdown` or `server_restart`. Its
 * thread (the session it began in, when it already carried one on), who was in it, and the
 * thread's last `limit` messages, oldest first.
 */
export async function chatCarryOver(db: SqlClient, limit: number): Promise<ChatCarryOver | null> {
  const newest = await db.query<{ id: string; thread_id: string | null }>(
    `SELECT s.id, t.thread_id FROM room_sessions s LEFT JOIN chat_threads t ON t.id = s.id ORDER BY s.created_at DESC, s.id LIMIT 1`,
  );
  const session = newest.rows[0];
  if (!session) return null;
  const members = await db.query<{ participant_id: string }>(
    `SELECT DISTINCT participant_id FROM participants
      WHERE session_id = $1 AND (left_at IS NULL OR leave_reason IN ('server_shutdown', 'server_restart'))`,
    [session.id],
  );
  if (members.rows.length === 0) return null;
  const threadId = String(session.thread_id ?? session.id);
  const { rows } = await db.query(
    `SELECT id, seq, participant_id, name, at, text FROM chat_messages
      WHERE session_id = $1 OR session_id IN (SELECT id FROM chat_threads WHERE thread_id = $1)
      ORDER BY seq DESC LIMIT $2`,
    [threadId, limit],
  );
  const messages = rows.reverse();
  return {
    threadId,
    memberIds: members.rows.map((r) => String(r.participant_id)),
    messages: messages.map((r) => ({ id: String(r.id), authorId: String(r.participant_id), authorName: String(r.name), at: date(r.at).getTime(), text: String(r.text) })),
    lastSeq: messages.length ? Number(messages.at(-1)!.seq) : 0,
  };
}

/** A session's stints in the order they began. */
export async function listParticipants(db: SqlClient, sessionId: string): Promise<ParticipantRow[]> {
  const { rows } = await db.query(
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
    leaveReason: maybeString(r.leave_reason),
  }));
}

/** A session's events in the order they were written (seq), which is the order they happened. */
export async function listEvents(db: SqlClient, sessionId: string): Promise<EventRow[]> {
  const { rows } = await db.query(
    `SELECT id, seq, session_id, type, participant_id, at, detail FROM session_events WHERE session_id = $1 ORDER BY seq`,
    [sessionId],
  );
  return rows.map((r) => ({
    id: String(r.id),
    seq: Number(r.seq),
    sessionId: String(r.session_id),
    type: r.type as EventRow['type'],
    participantId: maybeString(r.participant_id),
    at: date(r.at),
    detail: (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as Record<string, unknown>,
  }));
}

/** A session's link reports, oldest first. */
export async function listConnectionReports(db: SqlClient, sessionId: string): Promise<ConnectionReportRow[]> {
  const { rows } = await db.query(
    `SELECT id, session_id, from_id, to_id, at, state, connect_ms, candidate_type, rtt_ms, jitter_ms, loss_pct, in_kbps, out_kbps
       FROM connection_reports WHERE session_id = $1 ORDER BY at, id`,
    [sessionId],
  );
  return rows.map((r) => ({
    id: String(r.id),
    sessionId: String(r.session_id),
    fromId: String(r.from_id),
    toId: String(r.to_id),
    at: date(r.at),
    state: String(r.state),
    connectMs: maybeNumber(r.connect_ms),
    candidateType: maybeString(r.candidate_type),
    rttMs: maybeNumber(r.rtt_ms),
    jitterMs: maybeNumber(r.jitter_ms),
    lossPct: maybeNumber(r.loss_pct),
    inKbps: maybeNumber(r.in_kbps),
    outKbps: maybeNumber(r.out_kbps),
  }));
}

/** The room as the last run left it (P1); members that do not parse are left out. */
export async function roomMemory(db: SqlClient): Promise<RoomMemory | null> {
  const { rows } = await db.query(`SELECT host_id, locked, members FROM room_state WHERE id = 1`);
  const r = rows[0];
  if (!r) return null;
  const raw: unknown = typeof r.members === 'string' ? JSON.parse(r.members) : r.members;
  const members = (Array.isArray(raw) ? raw : []).flatMap((m: { id?: unknown; joinedAt?: unknown }) =>
    typeof m?.id === 'string' && typeof m.joinedAt === 'number' ? [{ id: m.id, joinedAt: m.joinedAt }] : [],
  );
  return { hostId: maybeString(r.host_id), locked: r.locked === true, members };
}

/** The `limit` most recently removed participants, oldest of them first. */
export async function removedParticipants(db: SqlClient, limit: number): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT participant_id FROM (SELECT participant_id, removed_at FROM removed_participants ORDER BY removed_at DESC LIMIT $1) r ORDER BY removed_at`,
    [limit],
  );
  return rows.map((r) => String(r.participant_id));
}

/**
 * The secret kept under `name`: made by `make` and stored the first time, read back ever after.
 * Two servers starting at once agree on one (the first insert wins; the other reads it).
 */
export async function serverSecret(db: SqlClient, name: string, make: () => string): Promise<string> {
  await db.query(`INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, make()]);
  const { rows } = await db.query<{ value: string }>(`SELECT value FROM server_secrets WHERE name = $1`, [name]);
  return rows[0]!.value;
}
