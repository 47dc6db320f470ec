/**
 * The client's one door to the server: the only module that imports socket.io-client. Every
 * inbound event is parsed with the protocol's schemas before anyone sees it; every request is
 * answered by its ack or by a `timeout` error.
 */
import { io, type Socket } from 'socket.io-client';
import {
  ServerEvents,
  type Ack,
  type ClientEventName,
  type ClientRequests,
  type ClientResponses,
  type ClientToServerEvents,
  type ServerEventName,
  type ServerToClientEvents,
} from '@meshtalk/protocol';
import type { z } from 'zod';

type Payload<E extends ServerEventName> = z.infer<(typeof ServerEvents)[E]>;
export type ConnectionEvent = 'connect' | 'disconnect';

export interface Signaling {
  readonly connected: boolean;
  request<E extends ClientEventName>(event: E, payload: z.input<(typeof ClientRequests)[E]>, timeoutMs?: number): Promise<Ack<ClientResponses[E]>>;
  /**
   * A request nobody waits on: no ack comes back (the server answers only requests that ask).
   * For signals: a join of ten relays hundreds, and an ack for each was as many packets again
   * for every page and for the server, with nothing acting on it.
   */
  send<E extends ClientEventName>(event: E, payload: z.input<(typeof ClientRequests)[E]>): void;
  on<E extends ServerEventName>(event: E, handler: (payload: Payload<E>) => void): void;
  onConnection(handler: (event: ConnectionEvent) => void): void;
  close(): void;
}

/**
 * `headers` are sent with every request of the connection where the runtime allows it (Node,
 * for a headless participant's Origin); a browser sets its own.
 */
export function connectSignaling(url: string | undefined = undefined, headers?: Record<string, string>): Signaling {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url ?? '', {
    transports: ['websocket', 'polling'],
    ...(headers && { extraHeaders: headers }),
    reconnectionDelay: 500,
    reconnectionDelayMax: 3_000,
  });
  const connectionHandlers: ((e: ConnectionEvent) => void)[] = [];
  let closed = false;
  socket.on('connect', () => connectionHandlers.forEach((h) => h('connect')));
  socket.on('disconnect', (reason) => {
    if (!closed) console.warn(`meshtalk: signaling lost (${reason})`);
    connectionHandlers.forEach((h) => h('disconnect'));
    // Socket.IO retries by itself except when the server ended the connection on purpose (a
    // restart that says goodbye first); unless this call is over, come back as for any drop.
    if (reason === 'io server disconnect') setTimeout(() => !closed && socket.connect(), 1_000);
  });

  return {
    get connected() {
      return socket.connected;
    },
    async request(event, payload, timeoutMs = 8_000) {
      try {
        // socket.io's typings cannot follow a generic event name; the protocol types both ends.
        const timed = socket.timeout(timeoutMs) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> };
        return (await timed.emitWithAck(event, payload)) as never;
      } catch {
        return { ok: false, error: { code: 'internal', message: 'no answer from the server' } } as never;
      }
    },
    send(event, payload) {
      // socket.io's typings cannot follow a generic event name; the protocol types both ends.
      (socket as unknown as { emit(e: string, p: unknown): void }).emit(event, payload);
    },
    on(event, handler) {
      const schema = ServerEvents[event];
      socket.on(event as never, ((raw: unknown) => {
        const parsed = schema.safeParse(raw);
        if (parsed.success) handler(parsed.data as never);
        else console.warn(`meshtalk: dropped a malformed ${event}`);
      }) as never);
    },
    onConnection(handler) {
      connectionHandlers.push(handler);
    },
    close() {
      closed = true;
      socket.disconnect();
    },
  };
}
