/** Translates room events into the rows they imply; the adapter hands them to the write queue. */
import type { RoomEvent } from '../room/Room';
import { eventOp, type WriteOp } from '../store/types';

export function rowsFor(event: RoomEvent, newId: () => string): WriteOp[] {
  const at = new Date(event.at);
  const ev = (type: Parameters<typeof eventOp>[2], participantId: string | null, detail?: Record<string, unknown>) =>
    eventOp(newId, event.sessionId, type, participantId, at, detail);
  switch (event.type) {
    case 'session_opened':
      return [
        { kind: 'session_open', id: event.sessionId, at },
        ...(event.chatThread !== undefined ? [{ kind: 'chat_thread' as const, id: event.sessionId, threadId: event.chatThread }] : []),
      ];
    case 'session_status':
      return [{ kind: 'session_status', id: event.sessionId, status: event.status, at, peakParticipants: event.peak }];
    case 'joined':
      return [
        { kind: 'participant_join', id: event.stintId, sessionId: event.sessionId, participantId: event.participant.id, name: event.participant.name, at },
        ev('joined', event.participant.id, { name: event.participant.name, muted: event.participant.muted }),
      ];
    case 'resumed':
      return [ev('resumed', event.participant.id, { replacedConnection: event.replacedConnId !== null })];
    case 'disconnected':
      return [ev('disconnected', event.participant.id)];
    case 'left':
      return [{ kind: 'participant_leave', id: event.stintId, at, reason: event.reason }, ev('left', event.participant.id, { reason: event.reason })];
    case 'muted':
    case 'unmuted':
      return [ev(event.type, event.participant.id)];
    case 'screen_changed':
      return [ev(event.started ? 'screen_started' : 'screen_ended', event.participantId, event.screen ? { epoch: event.screen.epoch } : {})];
    case 'chat_message':
      return [
        { kind: 'chat_message', id: event.message.id, sessionId: event.sessionId, seq: event.seq, participantId: event.message.authorId, name: event.message.authorName, at, text: event.message.text },
      ];
    case 'hands_changed': {
      const detail = { ...(event.by !== null && { by: event.by }), ...(event.left && { reason: 'left' }) };
      return [ev(event.raised ? 'hand_raised' : 'hand_lowered', event.participantId, detail)];
    }
    case 'rejected_full':
      // Counted by RefusedJoins and written as one tally per interval, never one row each.
      return [];
  }
}

/** How often refused joins are written, as one `room_full_rejected` row with their count. */
export const REFUSED_JOINS_ROLLUP_MS = 60_000;

/**
 * Joins refused because the room was full, tallied per session: `take` returns the tally (one
 * row) and starts a new one. A refused join costs a counter, whatever the rate.
 */
export class RefusedJoins {
  #tally: { sessionId: string; count: number; firstAt: number; lastAt: number } | null = null;

  /** Counts one refusal; returns the previous session's tally row if the session changed. */
  add(event: Extract<RoomEvent, { type: 'rejected_full' }>, newId: () => string): WriteOp[] {
    const done = this.#tally && this.#tally.sessionId !== event.sessionId ? this.take(newId) : [];
    if (!event.sessionId) return done;
    this.#tally ??= { sessionId: event.sessionId, count: 0, firstAt: event.at, lastAt: event.at };
    this.#tally.count += 1;
    this.#tally.lastAt = event.at;
    return done;
  }

  /** The refusals counted since the last take, as one row (none if there were none). */
  take(newId: () => string): WriteOp[] {
    const t = this.#tally;
    this.#tally = null;
    if (!t) return [];
    return [eventOp(newId, t.sessionId, 'room_full_rejected', null, new Date(t.lastAt), { count: t.count, firstAt: new Date(t.firstAt).toISOString() })];
  }
}
