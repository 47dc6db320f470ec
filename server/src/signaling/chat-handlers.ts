/** The handlers of chat and raised hands (validate → act → ack), beside the others in handlers.ts. */
import type { HandlerContext, Handlers } from './handlers';

export function chatHandlers(ctx: HandlerContext): Pick<Handlers, 'chat:send' | 'hand:raise' | 'hand:lower'> {
  const { room, now, apply } = ctx;
  return {
    'chat:send': (p, socket) => {
      const r = room.sendChat(socket.id, p.text, now());
      apply(r.events);
      return r.ok ? { ok: true, data: r.data } : { ok: false, error: r.error };
    },
    'hand:raise': (_p, socket) => {
      const r = room.raiseHand(socket.id, now());
      apply(r.events);
      return r.ok ? { ok: true, data: { hands: r.data } } : { ok: false, error: r.error };
    },
    'hand:lower': (p, socket) => {
      const r = room.lowerHand(socket.id, p.participantId, now());
      apply(r.events);
      return r.ok ? { ok: true, data: { hands: r.data } } : { ok: false, error: r.error };
    },
  };
}
