/** Translates room events into the rows the write queue persists. */
import type { RoomEvent } from '../room/Room';
import type { WriteOp } from '../store/types';

export function rowsFor(event: RoomEvent, newId: () => string): WriteOp[] {
  const at = new Date(event.at);
  const ev = (type: Extract<WriteOp, { kind: 'event' }>['type'], participantId: string | null, detail: Record<string, unknown> = {}): WriteOp => ({
    kind: 'event',
    id: newId(),
    sessionId: event.sessionId,
    type,
    participantId,
    at,
    detail,
  });
  switch (event.type) {
    case 'session_opened':
      return [{ kind: 'session_open', id: event.sessionId, at }];
    case 'session_phase':
      return [{ kind: 'session_status', id: event.sessionId, status: event.phase, at, peakParticipants: event.peak }];
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
      return [ev(event.participant.muted ? 'muted' : 'unmuted', event.participant.id)];
    case 'screen_changed':
      return [ev(event.started ? 'screen_started' : 'screen_ended', event.participantId, event.screen ? { epoch: event.screen.epoch } : {})];
    case 'rejected_full':
      return event.sessionId ? [ev('room_full_rejected', null, { name: event.name })] : [];
  }
}
