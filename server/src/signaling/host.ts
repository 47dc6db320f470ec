/**
 * The host's side of the adapter (protocol/src/host.ts, SPEC.md A1–A6, K1–K5, E1): the handlers
 * of the `host:*` events, the same actions for the admin API, and what the host's room events
 * mean to the sockets (the host's knock list, the removed and the ended told and closed, the
 * admitted knocker let in). Each action is rate-limited per actor and decided by the pure room.
 */
import { ErrorCode, HostRequests, describeIssues, type Ack, type Empty, type HostEventName, type RoomClosed } from '@meshtalk/protocol';
import type { z } from 'zod';
import type { Actor, Result, Room, RoomEvent } from '../room/Room';
import { error, welcome, type HandlerContext, type Handlers } from './handlers';
import type { KeyedLimiter } from './KeyedLimiter';
import { ROOM, type MeshServer } from './types';

type Payload<E extends HostEventName> = z.output<(typeof HostRequests)[E]>;

/** Each host event as a room command. */
const ACTIONS: { [E in HostEventName]: (room: Room, actor: Actor, p: Payload<E>, now: number) => Result<unknown> } = {
  'host:transfer': (room, actor, p, now) => room.host.transfer(actor, p.participantId, now),
  'host:mute': (room, actor, p, now) => room.host.mute(actor, p.participantId, now),
  'host:remove': (room, actor, p, now) => room.host.remove(actor, p.participantId, now),
  'host:lock': (room, actor, p, now) => room.host.lock(actor, p.locked, now),
  'host:admit': (room, actor, p, now) => room.host.admit(actor, p.knockId, now),
  'host:deny': (room, actor, p, now) => room.host.deny(actor, p.knockId, now),
  'host:end': (room, actor, _p, now) => room.host.end(actor, now),
};

export interface HostSide {
  handlers: Pick<Handlers, HostEventName>;
  /** The admin's host action (not a participant): the payload is parsed here. */
  admin(event: HostEventName, payload: unknown): Ack<Empty>;
  /** What one room event means to the sockets, beyond announce.ts. */
  announce(event: RoomEvent): void;
}

export function createHostSide(ctx: HandlerContext & { io: MeshServer; hostLimits: KeyedLimiter }): HostSide {
  const { io, room, now } = ctx;

  const run = <E extends HostEventName>(event: E, actor: Actor, limitKey: string, p: Payload<E>): Ack<Empty> => {
    if (!ctx.hostLimits.take(limitKey)) return error(ErrorCode.rate_limited, 'too many host actions; wait a moment');
    const r = ACTIONS[event](room, actor, p, now());
    ctx.apply(r.events);
    return r.ok ? { ok: true, data: {} } : { ok: false, error: r.error };
  };

  const forMember =
    <E extends HostEventName>(event: E) =>
    (p: Payload<E>, socket: Parameters<Handlers[E]>[1]): Ack<Empty> => {
      const self = room.memberOf(socket.id);
      if (!self) return error(ErrorCode.not_in_room, 'join the room first');
      return run(event, { kind: 'member', connId: socket.id }, self.id, p);
    };

  const handlers = Object.fromEntries((Object.keys(ACTIONS) as HostEventName[]).map((e) => [e, forMember(e)])) as unknown as Pick<Handlers, HostEventName>;

  const sendKnocks = () => {
    const hostId = room.host.view().hostId;
    if (hostId) ctx.notify(hostId, 'knock:list', { knocks: room.host.knocks() });
  };

  /** Tells a connection why it is out of the room, and closes it. */
  const close = (connId: string | null, payload: RoomClosed) => {
    const socket = connId === null ? undefined : io.sockets.sockets.get(connId);
    if (!socket) return;
    socket.emit('room:closed', payload);
    void socket.leave(ROOM);
    // After this tick, so the ack of the action that closed it (the host's own `host:end`) goes first.
    setImmediate(() => socket.disconnect(true));
  };

  return {
    handlers,
    admin(event, payload) {
      const parsed = HostRequests[event].safeParse(payload ?? {});
      if (!parsed.success) return error(ErrorCode.invalid_payload, describeIssues(parsed.error));
      return run(event, { kind: 'admin' }, 'admin', parsed.data as never);
    },
    announce(event) {
      switch (event.type) {
        case 'host_changed':
          io.to(ROOM).emit('room:host', { hostId: event.hostId, locked: room.host.view().locked, hostName: event.hostName, reason: event.reason });
          sendKnocks();
          break;
        case 'lock_changed':
          io.to(ROOM).emit('room:host', { ...room.host.view(), locked: event.locked, hostName: null, reason: null });
          break;
        case 'resumed':
          // The host is back on a new connection: the waiting list goes there.
          if (event.participant.id === room.host.view().hostId) sendKnocks();
          break;
        case 'muted_by_host':
          ctx.notify(event.participant.id, 'host:muted', { by: event.by.name });
          break;
        case 'removed':
          close(event.connId, { reason: 'removed', by: event.by.name });
          break;
        case 'ended_by_host':
          for (const connId of event.connIds) close(connId, { reason: 'ended', by: event.by.name });
          break;
        case 'away_notice':
          close(event.connId, { reason: event.reason, by: event.by.name });
          break;
        case 'knocked':
          sendKnocks();
          break;
        case 'knock_closed': {
          const socket = io.sockets.sockets.get(event.connId);
          if (socket && event.outcome === 'admitted' && event.join) {
            socket.emit('knock:answer', { admitted: true, join: welcome(ctx, socket, event.join) });
          } else if (socket && event.outcome !== 'admitted' && event.outcome !== 'withdrawn') {
            // Refused, expired, or the door opened (the client connects again and joins).
            socket.emit('knock:answer', { admitted: false, reason: event.outcome });
            socket.disconnect(true);
          }
          sendKnocks();
          break;
        }
        default:
          break;
      }
    },
  };
}
