/**
 * The socket wiring: every inbound packet passes the per-socket rate limit and the event-name
 * check, then the one validate-and-ack helper (zod → handler → typed ack). Bad input gets an
 * error ack and the socket stays up; a handler that throws is logged and answered `internal`.
 */
import type { Logger } from 'pino';
import { ClientRequests, ErrorCode, describeIssues, type Ack, type ClientEventName } from '@meshtalk/protocol';
import type { Room } from '../room/Room';
import { RateLimiter } from './RateLimiter';
import { error, type Handler, type Handlers } from './handlers';
import type { MeshServer, MeshSocket, SignalingObserver } from './types';

/** How often one socket's rejected input, and its flood, is mentioned in the log. */
const REJECT_LOG_EVERY_MS = 10_000;
/** A socket with more than `disconnectAfter` messages dropped within this window is closed. */
const FLOOD_WINDOW_MS = 10_000;

export interface WiringDeps {
  io: MeshServer;
  room: Room;
  logger: Logger;
  now: () => number;
  rateLimit: { burst: number; perSec: number; disconnectAfter: number };
  joinTimeoutMs: number;
  observer?: SignalingObserver | undefined;
  handlers: Handlers;
  disconnected(socket: MeshSocket, reason: string): void;
}

type AnyAck = (r: Ack<unknown>) => void;
const ackOf = (args: unknown[], take: boolean): AnyAck => {
  const last = args.at(-1);
  if (typeof last !== 'function') return () => {};
  if (take) args.pop();
  return last as AnyAck;
};

export function wireSockets(deps: WiringDeps): void {
  const { io, room, logger, now, observer } = deps;

  io.on('connection', (socket: MeshSocket) => {
    const limiter = new RateLimiter(deps.rateLimit.burst, deps.rateLimit.perSec, now);
    // Rejections are logged at most once per REJECT_LOG_EVERY_MS per socket and kind, with the
    // count since the last line, never once per message.
    const logged = { rejected: { at: -Infinity, n: 0 }, flood: { at: -Infinity, n: 0 } };
    const sampled = (kind: keyof typeof logged, line: () => void) => {
      const l = logged[kind];
      l.n += 1;
      if (now() - l.at < REJECT_LOG_EVERY_MS) return;
      line();
      l.at = now();
      l.n = 0;
    };
    const reject = (event: string, ack: AnyAck, code: ErrorCode, message: string) => {
      observer?.rejected?.(event, code);
      sampled('rejected', () => logger.info({ event, code, socket: socket.id, rejectedSinceLastLine: logged.rejected.n }, 'input rejected'));
      ack(error(code, message));
    };
    // Past the rate limit a message is dropped unanswered; a socket that keeps at it is closed.
    let drops: number[] = [];
    const drop = (event: string) => {
      observer?.rejected?.(event, ErrorCode.rate_limited);
      sampled('flood', () =>
        logger.warn({ event, socket: socket.id, ip: socket.handshake.address, droppedSinceLastLine: logged.flood.n }, 'rate limit reached; dropping messages'),
      );
      const t = now();
      drops.push(t);
      if (drops.length > deps.rateLimit.disconnectAfter) {
        drops = drops.filter((at) => t - at < FLOOD_WINDOW_MS);
        if (drops.length > deps.rateLimit.disconnectAfter && socket.connected) {
          logger.warn({ socket: socket.id, ip: socket.handshake.address, dropped: drops.length, windowMs: FLOOD_WINDOW_MS }, 'connection closed: stayed over its rate limit');
          socket.disconnect(true);
        }
      }
    };

    // A connection exists to be in the room: one that is not, this long after it opened or left, goes.
    let deadline: NodeJS.Timeout | null = null;
    const clearDeadline = () => {
      if (deadline) clearTimeout(deadline);
      deadline = null;
    };
    const syncDeadline = () => {
      // A knocker waits for the host (K2: its knock expires on its own).
      const waiting = () => room.memberOf(socket.id) !== null || room.host.isKnocking(socket.id);
      if (waiting()) return clearDeadline();
      deadline ??= setTimeout(() => {
        deadline = null;
        if (waiting()) return;
        logger.debug({ socket: socket.id }, 'connection closed: not in the room in time');
        socket.disconnect(true);
      }, deps.joinTimeoutMs).unref();
    };
    syncDeadline();
    // A protocol violation (a binary packet, a malformed frame): Socket.IO closes the connection
    // politely, reading on until the close handshake ends; the WebSocket is cut at once instead,
    // so whatever else the peer already sent is never read in.
    socket.on('error' as never, ((err: Error) => {
      logger.debug({ socket: socket.id, err: err.message }, 'connection closed: protocol violation');
      const transport = (socket.conn as unknown as { transport?: { socket?: { terminate?: () => void } } }).transport;
      transport?.socket?.terminate?.();
    }) as never);

    // Every inbound packet passes here first: the rate limit covers unknown events too.
    socket.use(([event, ...args], next) => {
      const ack = ackOf(args, false);
      if (!limiter.take()) return drop(typeof event === 'string' && Object.hasOwn(ClientRequests, event) ? event : 'unknown');
      if (typeof event !== 'string' || !Object.hasOwn(ClientRequests, event)) {
        return reject(String(event).slice(0, 64), ack, ErrorCode.invalid_payload, 'unknown event');
      }
      next();
    });

    for (const name of Object.keys(ClientRequests) as ClientEventName[]) {
      socket.on(name, (...args: unknown[]) => {
        const ack = ackOf(args, true);
        const parsed = ClientRequests[name].safeParse(args[0] ?? {});
        if (!parsed.success) return reject(name, ack, ErrorCode.invalid_payload, describeIssues(parsed.error));
        try {
          const result = (deps.handlers[name] as Handler<typeof name>)(parsed.data as never, socket);
          if (!result.ok) observer?.rejected?.(name, result.error.code);
          syncDeadline();
          ack(result);
        } catch (err) {
          logger.error({ err, event: name }, 'handler failed');
          reject(name, ack, ErrorCode.internal, 'internal error');
        }
      });
    }

    socket.on('disconnect', (reason) => {
      clearDeadline();
      const member = room.memberOf(socket.id);
      if (member) logger.info({ participantId: member.id, reason }, 'participant disconnected');
      deps.disconnected(socket, reason);
    });
  });
}
