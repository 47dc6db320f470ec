/** What the Socket.IO adapter's parts share: the typed server and socket, and its dependencies. */
import type { Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import type { Ack, ClientRequests, Empty, ErrorCode, HostEventName, ServerEventName, ServerToClientEvents, ClientToServerEvents } from '@meshtalk/protocol';
import type { z } from 'zod';
import type { Room, RoomEvent } from '../room/Room';
import type { WriteOp } from '../store/types';
import type { IceFor } from '../turn/credentials';

export type MeshServer = Server<ClientToServerEvents, ServerToClientEvents>;
export type MeshSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** The Socket.IO room that holds every joined connection. */
export const ROOM = 'room';

/** Sends one server event to one participant's current connection; false if it has none. */
export type Notify = <E extends ServerEventName>(participantId: string, event: E, payload: Parameters<ServerToClientEvents[E]>[0]) => boolean;

export interface SignalingObserver {
  /** An inbound event refused with this code. */
  rejected?(event: string, code: ErrorCode): void;
  /** A room event happened (after it was emitted and queued). */
  roomEvent?(event: RoomEvent): void;
  /** A validated stats report from a member. */
  stats?(participantId: string, report: z.output<(typeof ClientRequests)['stats:report']>, now: number): void;
}

/** Work that runs on the adapter's clock, every `everyMs`, until shutdown. */
export interface Periodic {
  everyMs: number;
  run(): void;
}

export interface SignalingDeps {
  io: MeshServer;
  room: Room;
  enqueue: (op: WriteOp) => void;
  logger: Logger;
  now: () => number;
  newId: () => string;
  graceMs: number;
  /** Per-socket token bucket; past `disconnectAfter` dropped messages in 10 s the socket is closed. */
  rateLimit: { burst: number; perSec: number; disconnectAfter: number };
  /** A connection not in the room this long after it opened (or left) is closed. */
  joinTimeoutMs: number;
  /** Proxies in front of the sockets (the client address is that many hops right in X-Forwarded-For). */
  trustProxyHops?: number | undefined;
  iceFor: IceFor;
  observer?: SignalingObserver | undefined;
  periodic?: readonly Periodic[] | undefined;
  /** How often refused joins are written as one tally row (default 60 s). */
  refusedJoinsEveryMs?: number | undefined;
  /** How often unanswered knocks are closed (default 5 s). */
  knockSweepMs?: number | undefined;
  /** True when the room was built from a restart's memory (P1): its members get `graceMs` to come back. */
  restored?: boolean | undefined;
}

/** The server side of signaling as app.ts holds it (the browser side is client/src/signaling). */
export interface SignalingAdapter {
  notify: Notify;
  /** A host action by the admin (not a participant), as the admin API takes it. */
  hostAction(event: HostEventName, payload: unknown): Ack<Empty>;
  /** Refuse new joins, tell everyone the server is going away, close the room, stop every timer. */
  shutdown(): void;
}
