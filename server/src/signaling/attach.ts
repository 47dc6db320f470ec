/**
 * The Socket.IO adapter around the pure Room, put together: the socket wiring (wiring.ts) feeds
 * the handlers (handlers.ts); every room event they produce is announced to the sockets
 * (announce.ts), turned into rows (event-rows.ts) and shown to the observer; the timers
 * (timers.ts) run grace periods, TURN refreshes and periodic work.
 */
import { announce, createNotifier } from './announce';
import { REFUSED_JOINS_ROLLUP_MS, RefusedJoins, rowsFor } from './event-rows';
import { createHandlers, onDisconnect, type HandlerContext } from './handlers';
import { SignalingTimers } from './timers';
import { clientAddress } from '../http/client-address';
import type { SignalingAdapter, SignalingDeps } from './types';
import { wireSockets } from './wiring';
import type { RoomEvent } from '../room/Room';
import { HOST_LIMITS, SPEAKING_LIMITS } from '@meshtalk/protocol';
import { createHostSide } from './host';
import { KeyedLimiter } from './KeyedLimiter';

/** How often knocks nobody answered are closed (K5: they wait HOST_LIMITS.knockTtlMs). */
const KNOCK_SWEEP_MS = 5_000;

export type { MeshServer, Notify, Periodic, SignalingAdapter, SignalingDeps, SignalingObserver } from './types';
export { createNotifier } from './announce';

export function attachSignaling(deps: SignalingDeps): SignalingAdapter {
  const { io, room, logger, now } = deps;
  const timers = new SignalingTimers(now);
  const notify = createNotifier(io, room);
  let closing = false;
  const refused = new RefusedJoins();
  const writeRefused = () => {
    const rows = refused.take(deps.newId);
    for (const op of rows) {
      if (op.kind === 'event') logger.info({ count: op.detail.count, since: op.detail.firstAt }, 'joins refused: room full');
      deps.enqueue(op);
    }
  };

  // P1: the host, lock and members are written whenever they change (not at shutdown: the
  // restart comes back to them).
  let remembered = JSON.stringify(room.host.memory());
  const remember = () => {
    if (closing) return;
    const memory = room.host.memory();
    const text = JSON.stringify(memory);
    if (text === remembered) return;
    remembered = text;
    deps.enqueue({ kind: 'room_memory', id: deps.newId(), memory, at: new Date(now()) });
  };

  /** Emits what each room event means (unless `emit` is false), queues its rows, tells the observer. */
  function apply(events: RoomEvent[], emit = true): void {
    for (const event of events) {
      if (emit) {
        announce(io, logger, event);
        host.announce(event);
      }
      if (event.type === 'left') timers.clearRefresh(event.participant.id);
      if (event.type === 'rejected_full') for (const op of refused.add(event, deps.newId)) deps.enqueue(op);
      for (const op of rowsFor(event, deps.newId)) deps.enqueue(op);
      deps.observer?.roomEvent?.(event);
    }
    if (emit) remember();
  }

  const ctx: HandlerContext = {
    room,
    now,
    iceFor: deps.iceFor,
    notify,
    timers,
    graceMs: deps.graceMs,
    addressOf: (socket) => clientAddress(socket.request, deps.trustProxyHops ?? 0),
    observer: deps.observer,
    apply: (events) => apply(events),
    closing: () => closing,
    knockLimits: new KeyedLimiter({ burst: HOST_LIMITS.knockBurst, perSec: HOST_LIMITS.knocksPerMin / 60, now }),
    speakingLimits: new KeyedLimiter({ ...SPEAKING_LIMITS, maxKeys: 1_000, now }),
  };
  const host = createHostSide({ ...ctx, io, hostLimits: new KeyedLimiter({ burst: HOST_LIMITS.actionBurst, perSec: HOST_LIMITS.actionsPerSec, maxKeys: 1_000, now }) });
  wireSockets({
    io,
    room,
    logger,
    now,
    rateLimit: deps.rateLimit,
    joinTimeoutMs: deps.joinTimeoutMs,
    observer: deps.observer,
    handlers: createHandlers(ctx, host.handlers),
    disconnected: (socket, reason) => onDisconnect(ctx, socket, reason),
  });
  for (const p of deps.periodic ?? []) timers.every(p.everyMs, () => p.run());
  timers.every(deps.refusedJoinsEveryMs ?? REFUSED_JOINS_ROLLUP_MS, writeRefused);
  timers.every(deps.knockSweepMs ?? KNOCK_SWEEP_MS, () => apply(room.host.expireKnocks(now()).events));
  // P1: members from before a restart have a grace period to come back without knocking.
  if (deps.restored) timers.later(deps.graceMs, () => apply(room.host.endRestore(now()).events));

  return {
    notify,
    hostAction: (event, payload) => host.admin(event, payload),
    shutdown() {
      // The memory stays as the last change left it: the restart comes back to it (P1).
      closing = true;
      timers.clearAll();
      io.emit('room:closed', { reason: 'server_shutdown' });
      writeRefused();
      // Rows only: the clients keep their roster and peer connections, and resume after restart.
      apply(room.closeAll('server_shutdown', now()), false);
    },
  };
}
