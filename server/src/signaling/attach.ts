/**
 * The Socket.IO adapter around the pure Room: every inbound event goes through one
 * validate-and-ack helper (rate limit → zod → room → ack), and every room event becomes the
 * emits and database rows it implies. Identity comes from the socket's own session, never
 * from a payload.
 */
import type { Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import {
  ClientRequests,
  ErrorCode,
  describeIssues,
  type Ack,
  type AckError,
  type ClientEventName,
  type ClientResponses,
  type ClientToServerEvents,
  type IceServer,
  type ServerToClientEvents,
} from '@meshtalk/protocol';
import type { z } from 'zod';
import type { Room, RoomEvent } from '../room/Room';
import type { WriteOp } from '../store/types';
import { RateLimiter } from './RateLimiter';
import { rowsFor } from './persist';

export type MeshServer = Server<ClientToServerEvents, ServerToClientEvents>;
type MeshSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** Socket.IO room that holds every joined connection. */
const ROOM = 'room';
/** How often one socket's flood is mentioned in the log. */
const FLOOD_LOG_EVERY_MS = 10_000;

export interface IceGrant {
  iceServers: IceServer[];
  /** When the credentials expire (ms since the epoch), or null for credential-less servers. */
  expiresAt: number | null;
}

export interface SignalingObserver {
  /** An inbound event refused with this code. */
  rejected?(event: string, code: ErrorCode): void;
  /** A room event happened (after it was emitted and queued). */
  roomEvent?(event: RoomEvent): void;
  /** A validated stats report from a member. */
  stats?(participantId: string, report: z.output<typeof ClientRequests['stats:report']>, now: number): void;
}

export interface SignalingDeps {
  io: MeshServer;
  room: Room;
  enqueue: (op: WriteOp) => void;
  logger: Logger;
  now: () => number;
  newId: () => string;
  graceMs: number;
  rateLimit: { burst: number; perSec: number };
  iceFor: (participantId: string, now: number) => IceGrant;
  observer?: SignalingObserver;
}

export interface Signaling {
  /** Refuse new joins, tell everyone the server is going away, and close the room. */
  shutdown(): void;
  /** Applies room events produced outside a socket handler (e.g. by an admin action). */
  apply(events: RoomEvent[], emit?: boolean): void;
}

type Handler<E extends ClientEventName> = (
  payload: z.output<(typeof ClientRequests)[E]>,
  socket: MeshSocket,
) => Ack<ClientResponses[E]>;

const error = (code: ErrorCode, message: string, details?: Record<string, unknown>): { ok: false; error: AckError } => ({
  ok: false,
  error: details ? { code, message, details } : { code, message },
});

export function attachSignaling(deps: SignalingDeps): Signaling {
  const { io, room, logger, now } = deps;
  const graceTimers = new Set<NodeJS.Timeout>();
  const refreshTimers = new Map<string, NodeJS.Timeout>();
  let closing = false;

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      graceTimers.delete(t);
      fn();
    }, ms);
    t.unref();
    graceTimers.add(t);
  };

  /** Emits what each room event means to the sockets, and queues its rows. */
  function apply(events: RoomEvent[], emit = true): void {
    for (const event of events) {
      if (emit) announce(event);
      for (const op of rowsFor(event, deps.newId)) deps.enqueue(op);
      deps.observer?.roomEvent?.(event);
    }
  }

  function announce(event: RoomEvent): void {
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
          io.to(ROOM).emit('participant:updated', event.participant);
          break;
        case 'left':
          io.to(ROOM).emit('participant:left', { id: event.participant.id, reason: event.reason });
          clearRefresh(event.participant.id);
          logger.info({ participantId: event.participant.id, reason: event.reason }, 'participant left');
          break;
        case 'screen_changed':
          io.to(ROOM).emit('screen:changed', { screen: event.screen });
          break;
        case 'rejected_full':
          logger.info({ name: event.name }, 'join refused: room full');
          break;
        case 'session_opened':
        case 'session_phase':
          break;
      }
  }

  function clearRefresh(participantId: string) {
    const t = refreshTimers.get(participantId);
    if (t) clearTimeout(t);
    refreshTimers.delete(participantId);
  }

  /** Pushes fresh TURN credentials to a participant shortly before the current ones expire. */
  function scheduleRefresh(participantId: string, expiresAt: number | null) {
    clearRefresh(participantId);
    if (expiresAt === null) return;
    const lead = Math.max(5_000, (expiresAt - now()) * 0.2);
    const t = setTimeout(() => {
      refreshTimers.delete(participantId);
      const conn = room.connOf(participantId);
      if (!conn) return;
      const grant = deps.iceFor(participantId, now());
      io.to(conn).emit('ice:refresh', { iceServers: grant.iceServers, iceServersExpireAt: grant.expiresAt });
      scheduleRefresh(participantId, grant.expiresAt);
    }, Math.max(1_000, expiresAt - now() - lead));
    t.unref();
    refreshTimers.set(participantId, t);
  }

  const handlers: { [E in ClientEventName]: Handler<E> } = {
    'room:join': (p, socket) => {
      if (closing) return error(ErrorCode.shutting_down, 'the server is restarting; try again in a moment');
      const r = room.join({ connId: socket.id, name: p.name, participantId: p.participantId, resumeToken: p.resumeToken, muted: p.muted, now: now() });
      apply(r.events);
      if (!r.ok) return { ok: false, error: r.error };
      void socket.join(ROOM);
      const grant = deps.iceFor(r.data.self.id, now());
      scheduleRefresh(r.data.self.id, grant.expiresAt);
      return { ok: true, data: { ...r.data, iceServers: grant.iceServers, iceServersExpireAt: grant.expiresAt } };
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
      io.to(r.data.toConn).emit('signal:receive', {
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
      const members = new Set(room.participants().map((m) => m.id));
      const foreign = p.peers.find((peer) => peer.peerId === self.id || !members.has(peer.peerId));
      if (foreign) return error(ErrorCode.forbidden, 'a report may only cover your own links to current participants');
      deps.observer?.stats?.(self.id, p, now());
      return { ok: true, data: {} };
    },
  };

  io.on('connection', (socket: MeshSocket) => {
    const limiter = new RateLimiter(deps.rateLimit.burst, deps.rateLimit.perSec, now);
    // A flood is logged at most once per FLOOD_LOG_EVERY_MS per socket, not once per dropped message.
    let floodLoggedAt = -Infinity;
    let dropped = 0;
    const reject = (event: string, ack: (r: Ack<never>) => void, code: ErrorCode, message: string) => {
      deps.observer?.rejected?.(event, code);
      if (code !== ErrorCode.rate_limited) logger.info({ event, code, socket: socket.id }, 'input rejected');
      else {
        dropped += 1;
        if (now() - floodLoggedAt >= FLOOD_LOG_EVERY_MS) {
          logger.warn({ event, socket: socket.id, ip: socket.handshake.address, droppedSinceLastLine: dropped }, 'rate limit reached; dropping messages');
          floodLoggedAt = now();
          dropped = 0;
        }
      }
      ack(error(code, message));
    };

    // Every inbound packet passes here first: the rate limit covers unknown events too.
    socket.use(([event, ...args], next) => {
      const ack = typeof args.at(-1) === 'function' ? (args.at(-1) as (r: Ack<never>) => void) : () => {};
      if (!limiter.take()) return reject(String(event), ack, ErrorCode.rate_limited, 'too many messages; slow down');
      if (typeof event !== 'string' || !Object.hasOwn(ClientRequests, event)) {
        return reject(String(event).slice(0, 64), ack, ErrorCode.invalid_payload, 'unknown event');
      }
      next();
    });

    for (const name of Object.keys(ClientRequests) as ClientEventName[]) {
      socket.on(name, (...args: unknown[]) => {
        const ack = typeof args.at(-1) === 'function' ? (args.pop() as (r: Ack<unknown>) => void) : () => {};
        const parsed = ClientRequests[name].safeParse(args[0] ?? {});
        if (!parsed.success) return reject(name, ack, ErrorCode.invalid_payload, describeIssues(parsed.error));
        try {
          const result = (handlers[name] as Handler<typeof name>)(parsed.data as never, socket);
          if (!result.ok) deps.observer?.rejected?.(name, result.error.code);
          ack(result);
        } catch (err) {
          logger.error({ err, event: name }, 'handler failed');
          reject(name, ack, ErrorCode.internal, 'internal error');
        }
      });
    }

    socket.on('disconnect', (reason) => {
      const member = room.memberOf(socket.id);
      if (member) logger.info({ participantId: member.id, reason }, 'participant disconnected');
      // A deliberate client disconnect is a leave; anything else may be a network blip (R4).
      if (reason === 'client namespace disconnect') {
        apply(room.leave(socket.id, now()).events);
        return;
      }
      const r = room.disconnect(socket.id, now());
      apply(r.events);
      if (r.ok && r.data) {
        const { participantId, dropCount } = r.data;
        later(deps.graceMs, () => apply(room.expire(participantId, dropCount, now()).events));
      }
    });
  });

  return {
    apply,
    shutdown() {
      closing = true;
      for (const t of graceTimers) clearTimeout(t);
      for (const t of refreshTimers.values()) clearTimeout(t);
      graceTimers.clear();
      refreshTimers.clear();
      io.emit('room:closed', { reason: 'server_shutdown' });
      // Rows only: the clients keep their roster and peer connections, and resume after restart.
      apply(room.closeAll('server_shutdown', now()), false);
    },
  };
}
