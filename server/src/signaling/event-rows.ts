/** Translates room events into the rows they imply; the adapter hands them to the write queue. */
import type { RoomEvent } from '../room/Room';
import { eventOp, type WriteOp } from '../store/types';

export function rowsFor(event: RoomEvent, newId: () => string): WriteOp[] {
  const at = new Date(event.at);
  const ev = (type: Parameters<typeof eventOp>[2], participantId: string | null, detail?: Record<string, unknown>) =>
    eventOp(newId, event.sessionId, type, participantId, at, detail);
  switch (event.type) {
    case 'session_opened':
      return [{ kind: 'session_open', id: event.sessionId, at }];
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
    case 'rejected_full':
      return event.sessionId ? [ev('room_full_rejected', null, { name: event.name })] : [];
  }
}
