/** What each room event means to the connected sockets: the emits, and a log line where it matters. */
import type { Logger } from 'pino';
import type { Room, RoomEvent } from '../room/Room';
import { ROOM, type MeshServer, type Notify } from './types';

/** Targets one participant by id, whichever connection it has now. */
export function createNotifier(io: MeshServer, room: Room): Notify {
  return (participantId, event, payload) => {
    const conn = room.connOf(participantId);
    if (!conn) return false;
    // The typed emit cannot follow a generic event name; the Notify signature keeps callers exact.
    (io.to(conn).emit as (e: string, p: unknown) => boolean)(event, payload);
    return true;
  };
}

export function announce(io: MeshServer, logger: Logger, event: RoomEvent): void {
  switch (event.type) {
    case 'joined':
      io.to(ROOM).except(event.connId).emit('participant:joined', event.participant);
      logger.info({ participantId: event.participant.id, sessionId: event.sessionId }, 'participant joined');
      break;
    case 'resumed':
      if (event.replacedConnId) {
        const old = io.sockets.sockets.get(event.replacedConnId);
        old?.emit('room:closed', { reason: 'replaced' });
        old?.disconnect(true);
      }
      io.to(ROOM).except(event.connId).emit('participant:updated', event.participant);
      logger.info({ participantId: event.participant.id }, 'participant resumed');
      break;
    case 'disconnected':
    case 'muted':
    case 'unmuted':
      io.to(ROOM).emit('participant:updated', event.participant);
      break;
    case 'left':
      io.to(ROOM).emit('participant:left', { id: event.participant.id, reason: event.reason });
      logger.info({ participantId: event.participant.id, reason: event.reason }, 'participant left');
      break;
    case 'screen_changed':
      io.to(ROOM).emit('screen:changed', { screen: event.screen });
      break;
    case 'chat_message':
      io.to(ROOM).emit('chat:message', event.message);
      break;
    case 'hands_changed':
      io.to(ROOM).emit('hand:changed', { hands: event.hands });
      break;
    case 'rejected_full':
      // Logged as a tally with its row (attach.ts), not once per refusal.
      break;
    case 'session_opened':
    case 'session_status':
      break;
  }
}
