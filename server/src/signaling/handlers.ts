/**
 * One handler per client event, each validate → act → ack: the payload arrives parsed, the room
 * decides, the room's events are applied (emits, rows, observers), and the ack is returned.
 * Identity is the socket's own connection, never a payload field.
 */
import { ErrorCode, type Ack, type AckError, type ClientEventName, type ClientRequests, type ClientResponses, type HostEventName, type JoinResponse } from '@meshtalk/protocol';
import type { z } from 'zod';
import type { JoinResult, Room, RoomEvent } from '../room/Room';
import type { KeyedLimiter } from './KeyedLimiter';
import type { IceFor } from '../turn/credentials';
import type { SignalingTimers } from './timers';
import { chatHandlers } from './chat-handlers';
import { ROOM, type MeshSocket, type Notify, type SignalingObserver } from './types';

export type Handler<E extends ClientEventName> = (payload: z.output<(typeof ClientRequests)[E]>, socket: MeshSocket) => Ack<ClientResponses[E]>;
export type Handlers = { [E in ClientEventName]: Handler<E> };

export interface HandlerContext {
  room: Room;
  now: () => number;
  iceFor: IceFor;
  notify: Notify;
  timers: SignalingTimers;
  graceMs: number;
  /** The client address of a socket (behind the configured proxies). */
  addressOf(socket: MeshSocket): string;
  observer?: SignalingObserver | undefined;
  /** Emits, queues and observes what the room did. */
  apply(events: RoomEvent[]): void;
  /** True once shutdown began: joins are refused. */
  closing(): boolean;
  /** Knocks at a locked room, by client address (K2). */
  knockLimits: KeyedLimiter;
  /** Speaking changes, by participant id. */
  speakingLimits: KeyedLimiter;
}

export const error = (code: ErrorCode, message: string, details?: Record<string, unknown>): { ok: false; error: AckError } => ({
  ok: false,
  error: details ? { code, message, details } : { code, message },
});

/**
 * A connection took its seat (a join, or a knock the host admitted): into the Socket.IO room,
 * with its ICE servers, and fresh TURN credentials pushed shortly before they expire.
 */
export function welcome(ctx: HandlerContext, socket: MeshSocket, data: JoinResult): JoinResponse {
  const { now } = ctx;
  void socket.join(ROOM);
  const id = data.self.id;
  const grant = ctx.iceFor(id, now(), ctx.addressOf(socket));
  const refresh = (expiresAt: number | null) =>
    ctx.timers.scheduleRefresh(id, expiresAt, () => {
      const next = ctx.iceFor(id, now());
      return ctx.notify(id, 'ice:refresh', { iceServers: next.iceServers, iceServersExpireAt: next.expiresAt }) ? next : null;
    });
  refresh(grant.expiresAt);
  return { ...data, iceServers: grant.iceServers, iceServersExpireAt: grant.expiresAt };
}

export function createHandlers(ctx: HandlerContext, host: Pick<Handlers, HostEventName>): Handlers {
  const { room, now, apply } = ctx;

  return {
    'room:join': (p, socket) => {
      if (ctx.closing()) return error(ErrorCode.shutting_down, 'the server is restarting; try again in a moment');
      const mayKnock = () => ctx.knockLimits.take(ctx.addressOf(socket));
      const r = room.join({ connId: socket.id, name: p.name, participantId: p.participantId, resumeToken: p.resumeToken, muted: p.muted, now: now(), mayKnock });
      apply(r.events);
      if (!r.ok) return { ok: false, error: r.error };
      return { ok: true, data: welcome(ctx, socket, r.data) };
    },
    'room:leave': (_p, socket) => {
      const r = room.leave(socket.id, now());
      apply(r.events);
      void socket.leave(ROOM);
      return r.ok ? { ok: true, data: {} } : { ok: false, error: r.error };
    },
    'signal:send': (p, socket) => {
      const r = room.route(socket.id, p.to);
      if (!r.ok) return { ok: false, error: r.error };
      socket.to(r.data.toConn).emit('signal:receive', {
        from: r.data.from,
        ...(p.description !== undefined && { description: p.description }),
        ...(p.candidate !== undefined && { candidate: p.candidate }),
      });
      return { ok: true, data: {} };
    },
    'media:update': (p, socket) => {
      const r = room.setMuted(socket.id, p.muted, now());
      apply(r.events);
      return r.ok ? { ok: true, data: {} } : { ok: false, error: r.error };
    },
    'speaking:update': (p, socket) => {
      const self = room.memberOf(socket.id);
      if (!self) return error(ErrorCode.not_in_room, 'join the room first');
      if (!ctx.speakingLimits.take(self.id)) return error(ErrorCode.rate_limited, 'speaking changes too often');
      // Relayed, not kept: the next change corrects anyone who missed one. A muted person is
      // never speaking, whatever the client says.
      socket.to(ROOM).emit('participant:speaking', { id: self.id, speaking: p.speaking && !self.muted });
      return { ok: true, data: {} };
    },
    'screen:claim': (_p, socket) => {
      const r = room.claimScreen(socket.id, now());
      apply(r.events);
      return r.ok ? { ok: true, data: r.data } : { ok: false, error: r.error };
    },
    'screen:release': (p, socket) => {
      const r = room.releaseScreen(socket.id, p.epoch, now());
      apply(r.events);
      return r.ok ? { ok: true, data: {} } : { ok: false, error: r.error };
    },
    'stats:report': (p, socket) => {
      const self = room.memberOf(socket.id);
      if (!self) return error(ErrorCode.not_in_room, 'join the room first');
      // Peers are distinct (the schema) and current members other than the sender, so a report
      // never covers more than the configured capacity − 1 links.
      const members = new Set(room.participants().map((m) => m.id));
      const foreign = p.peers.find((peer) => peer.peerId === self.id || !members.has(peer.peerId));
      if (foreign) return error(ErrorCode.forbidden, 'a report may only cover your own links to current participants');
      ctx.observer?.stats?.(self.id, p, now());
      return { ok: true, data: {} };
    },
    ...chatHandlers(ctx),
    ...host,
  };
}

/** A socket went away: a deliberate client disconnect is a leave; anything else may be a network blip (R4). */
export function onDisconnect(ctx: HandlerContext, socket: MeshSocket, reason: string): void {
  const { room, now, apply } = ctx;
  if (reason === 'client namespace disconnect') {
    apply(room.leave(socket.id, now()).events);
    return;
  }
  const r = room.disconnect(socket.id, now());
  apply(r.events);
  if (r.ok && r.data) {
    const { participantId, dropCount } = r.data;
    ctx.timers.later(ctx.graceMs, () => apply(room.expire(participantId, dropCount, now()).events));
  }
}
