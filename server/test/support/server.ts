/**
 * Starts the real app (HTTP + Socket.IO + room) on 127.0.0.1 port 0 for integration tests, and
 * connects real socket.io-client clients to it.
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { io as connect, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, JoinResponse, ServerToClientEvents } from '@meshtalk/protocol';
import { createApp, type App, type AppDeps } from '../../src/app';
import { testConfig } from '../../src/config';
import type { Store, WriteOp } from '../../src/store/types';

export type TestClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A store that only answers health checks; integration tests of persistence use a real one. */
export function healthOnlyStore(): Store {
  const no = () => Promise.reject(new Error('not used in this test'));
  return {
    kind: 'pglite',
    migrate: async () => [],
    migrationsApplied: async () => true,
    ping: async () => {},
    apply: no,
    closeOpen: no,
    listSessions: no,
    listSessionSummaries: no,
    listParticipants: no,
    listEvents: no,
    roomMemory: no,
    removedParticipants: no,
    serverSecret: no,
    chatCarryOver: no,
    close: async () => {},
  };
}

export interface TestServer {
  url: string;
  app: App;
  /** Every row the room handed to the write queue, in order. */
  ops: WriteOp[];
  client(opts?: { origin?: string; host?: string; autoConnect?: boolean }): TestClient;
  close(): Promise<void>;
}

export async function startServer(
  env: Record<string, string> = {},
  deps: Partial<Omit<AppDeps, 'config'>> = {},
): Promise<TestServer> {
  const ops: WriteOp[] = [];
  const app = createApp({
    config: testConfig(env),
    store: healthOnlyStore(),
    enqueue: (op) => ops.push(op),
    logger: pino({ level: 'silent' }),
    ...deps,
  });
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = app.httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const clients: TestClient[] = [];
  return {
    url,
    app,
    ops,
    client(opts = {}) {
      const c: TestClient = connect(url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        autoConnect: opts.autoConnect ?? true,
        ...((opts.origin || opts.host) && { extraHeaders: { ...(opts.origin && { origin: opts.origin }), ...(opts.host && { host: opts.host }) } }),
      });
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.disconnect();
      app.signaling.shutdown();
      await new Promise<void>((resolve) => app.io.close(() => resolve()));
    },
  };
}

export const ACK_TIMEOUT = 5_000;

/** Joins and returns the ack, failing the test on a transport time-out. */
export async function join(c: TestClient, name: string, extra: Record<string, unknown> = {}): Promise<Ack<JoinResponse>> {
  return c.timeout(ACK_TIMEOUT).emitWithAck('room:join', { name, ...extra } as never) as Promise<Ack<JoinResponse>>;
}

/** Resolves with the next payload of `event`, or rejects after `ms`. */
export function next<E extends keyof ServerToClientEvents>(c: TestClient, event: E, ms = 3_000): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    c.once(event as never, ((payload: never) => {
      clearTimeout(t);
      resolve(payload);
    }) as never);
  });
}

/** Collects every payload of `event` from now on. */
export function collect<E extends keyof ServerToClientEvents>(c: TestClient, event: E): Parameters<ServerToClientEvents[E]>[0][] {
  const seen: Parameters<ServerToClientEvents[E]>[0][] = [];
  c.on(event as never, ((payload: never) => seen.push(payload)) as never);
  return seen;
}

export function connected(c: TestClient): Promise<void> {
  return new Promise((resolve, reject) => {
    if (c.connected) return resolve();
    c.once('connect', () => resolve());
    c.once('connect_error', reject);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
