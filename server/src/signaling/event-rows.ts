/** Translates room events into the rows they imply; the adapter hands them to the write queue. */
import type { ActorView, RoomEvent } from '../room/Room';
import { eventOp, type WriteOp } from '../store/types';

export function rowsFor(event: RoomEvent, newId: () => string): WriteOp[] {
  const at = new Date(event.at);
  // Knocks before anyone is back after a restart belong to no session: they leave no row.
  const sessionId = event.sessionId;
  if (sessionId === null) return [];
  const ev = (type: Parameters<typeof eventOp>[2], participantId: string | null, detail?: Record<string, unknown>) =>
    eventOp(newId, sessionId, type, participantId, at, detail);
  switch (event.type) {
    case 'session_opened':
      return [
        { kind: 'session_open', id: event.sessionId, at },
        ...(event.chatThread !== undefined ? [{ kind: 'chat_thread' as const, id: event.sessionId, threadId: event.chatThread }] : []),
      ];
    case 'session_status':
      return [{ kind: 'session_status', id: event.sessionId, status: event.status, at, peakParticipants: event.peak, ...(event.endReason && { endReason: event.endReason }) }];
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
    default:
      return hostRowsFor(event, ev, sessionId, at, newId);
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

type HostEvent = Extract<RoomEvent, { type: 'host_changed' | 'muted_by_host' | 'removed' | 'lock_changed' | 'knocked' | 'knock_closed' | 'ended_by_host' | 'away_notice' }>;
type Ev = (type: Parameters<typeof eventOp>[2], participantId: string | null, detail?: Record<string, unknown>) => WriteOp;

/** The host's actions and the door as rows: `by` is the actor's participant id (null: the admin), `byName` its name. */
function hostRowsFor(event: HostEvent, ev: Ev, sessionId: string, at: Date, newId: () => string): WriteOp[] {
  const by = (a: ActorView | null) => ({ by: a?.id ?? null, byName: a?.name ?? null });
  switch (event.type) {
    case 'host_changed':
      return [ev('host_changed', event.hostId, { reason: event.reason, name: event.hostName, ...by(event.by) })];
    case 'muted_by_host':
      return [ev('muted_by_host', event.participant.id, by(event.by))];
    case 'removed':
      return [
        ev('removed', event.participant.id, by(event.by)),
        { kind: 'participant_removed', id: newId(), participantId: event.participant.id, sessionId, at },
      ];
    case 'lock_changed':
      return [ev(event.locked ? 'locked' : 'unlocked', event.by?.id ?? null, { ...by(event.by), ...(event.by === null && { auto: 'empty' }) })];
    case 'knocked':
      return [ev('knocked', null, { knockId: event.knock.id, name: event.knock.name })];
    case 'knock_closed':
      // Expired, withdrawn and unlocked knocks leave no row: the door opened or nobody answered.
      if (event.outcome === 'admitted') return [ev('admitted', event.join?.self.id ?? null, { knockId: event.knock.id, name: event.knock.name, ...by(event.by) })];
      if (event.outcome === 'denied') return [ev('denied', null, { knockId: event.knock.id, name: event.knock.name, ...by(event.by) })];
      return [];
    case 'ended_by_host':
      return [ev('ended_by_host', event.by.id, by(event.by))];
    case 'away_notice':
      return [];
  }
}
