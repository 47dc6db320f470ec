/**
 * Builds the HTTP server, Socket.IO and the room from what it is given. It never listens and
 * never reads the environment: `main.ts` does both, tests pass their own store and config.
 */
import { createServer, ServerResponse, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import express from 'express';
import { Server } from 'socket.io';
import type { Logger } from 'pino';
import { LIMITS } from '@meshtalk/protocol';
import type { Config } from './config';
import { Room, type CarriedChat } from './room/Room';
import { attachSignaling, createNotifier, type MeshServer, type SignalingAdapter } from './signaling/attach';
import { createAdminSide, type AdminSide } from './admin/index';
import { createMetrics, type Metrics } from './admin/metrics';
import type { RoomMemory, Store, WriteOp } from './store/types';
import { iceFromConfig, type IceFor } from './turn/credentials';
import { securityHeaders } from './http/security';
import { clientAddress } from './http/client-address';
import { originCheck } from './http/origin';
import { ConnectionGate, type Ticket } from './signaling/ConnectionGate';
import { jsonOnlyParser } from './signaling/json-parser';
import { newResumeKey, resumeTokens } from './signaling/resume-tokens';

export interface AppDeps {
  config: Config;
  store: Store;
  /** Where rows go; the room never awaits it. */
  enqueue: (op: WriteOp) => void;
  logger: Logger;
  /** Absolute path of the built client, served as a single-page app when present. */
  clientDist?: string;
  now?: () => number;
  iceFor?: IceFor;
  /** The Prometheus metrics, made by the composition root; a fresh set when absent (tests). */
  metrics?: Metrics;
  /** How often the health monitor decides pair attempts (default admin HEALTH_TICK_MS). */
  healthTickMs?: number;
  /** Rows waiting in the write queue, for metrics and the admin page. */
  queueDepth?: () => number;
  /** Token for /admin and /api/admin; null turns the admin surface off. */
  adminToken?: string | null;
  /**
   * The key resume tokens are signed with (signaling/resume-tokens.ts): kept across restarts by
   * the composition root, so members keep their identities. A fresh one when absent (tests).
   */
  identityKey?: string;
  /** Token for /metrics (Prometheus); null turns /metrics off. */
  metricsToken?: string | null;
  /** What the previous run kept (SPEC.md P1): the host, lock and members, and who was removed. */
  restore?: { memory: RoomMemory | null; removed: readonly string[] };
  /** The conversation the previous process's end cut off (store.chatCarryOver), handed back to its members (SPEC.md C4). */
  carriedChat?: CarriedChat | null;
}

export interface App {
  httpServer: HttpServer;
  io: MeshServer;
  room: Room;
  signaling: SignalingAdapter;
  admin: AdminSide;
  /** True when the store answers and every migration is applied. */
  ready(): Promise<boolean>;
}

/** How often refused handshakes are mentioned in the log, with their count. */
const REFUSAL_LOG_EVERY_MS = 10_000;

export function createApp(deps: AppDeps): App {
  const { config, store, logger } = deps;
  const now = deps.now ?? Date.now;
  const room = new Room({
    capacity: config.ROOM_CAPACITY,
    newId: randomUUID,
    tokenFor: resumeTokens(deps.identityKey ?? newResumeKey()),
    restore: deps.restore?.memory,
    removed: deps.restore?.removed,
    carriedChat: deps.carriedChat,
  });
  const gate = new ConnectionGate({ maxTotal: config.MAX_CONNECTIONS, maxPerAddress: config.MAX_CONNECTIONS_PER_ADDRESS });
  const tickets = new WeakMap<IncomingMessage, Ticket>();
  let refusedSinceLog = 0;
  let refusalLoggedAt = -Infinity;
  const noteRefusal = (req: IncomingMessage, reason: string) => {
    refusedSinceLog += 1;
    if (now() - refusalLoggedAt >= REFUSAL_LOG_EVERY_MS) {
      logger.warn({ reason, origin: req.headers.origin, host: req.headers.host, refusedSinceLastLine: refusedSinceLog }, 'socket refused');
      refusalLoggedAt = now();
      refusedSinceLog = 0;
    }
  };
  const checkOrigin = originCheck({ publicUrl: config.PUBLIC_URL, allowedOrigins: config.ALLOWED_ORIGINS, trustProxyHops: config.TRUST_PROXY_HOPS });
  // Socket.IO first, attached to the HTTP server below, so everything after can address participants.
  const io: MeshServer = new Server({
    maxHttpBufferSize: LIMITS.maxPacketBytes,
    serveClient: false,
    // The protocol is JSON: a packet announcing binary attachments closes the connection.
    parser: jsonOnlyParser,
    // An engine.io connection that never opens the namespace goes as soon as an unjoined socket would.
    connectTimeout: config.JOIN_TIMEOUT_MS,
    // Every new connection (handshake, after the Origin check below): the connection caps.
    allowRequest: (req, callback) => {
      const admitted = gate.admit(clientAddress(req, config.TRUST_PROXY_HOPS));
      if (!admitted.ok) {
        noteRefusal(req, admitted.message);
        return callback(admitted.message, false);
      }
      tickets.set(req, admitted.ticket);
      callback(null, true);
    },
    // A ping every 25 s (Socket.IO's), answered within HEARTBEAT_TIMEOUT_MS.
    pingTimeout: config.HEARTBEAT_TIMEOUT_MS,
  });
  const admin = createAdminSide({
    room,
    store,
    enqueue: deps.enqueue,
    newId: randomUUID,
    now,
    queueDepth: deps.queueDepth ?? (() => 0),
    thresholds: { poorPct: config.LOSS_POOR_PCT, badPct: config.LOSS_BAD_PCT },
    metrics: deps.metrics ?? createMetrics(),
    notify: createNotifier(io, room),
    healthTickMs: deps.healthTickMs,
  });

  const app = express();
  app.disable('x-powered-by');
  // Exactly the configured proxies, as for the sockets: req.ip is TRUST_PROXY_HOPS from the right.
  app.set('trust proxy', config.TRUST_PROXY_HOPS);
  app.use(securityHeaders());

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const ready = async (): Promise<boolean> => {
    const timeout = new Promise<false>((resolve) => setTimeout(resolve, 2_000, false).unref());
    const check = (async () => {
      await store.ping();
      return store.migrationsApplied();
    })().catch(() => false);
    return Promise.race([check, timeout]);
  };
  app.get('/readyz', async (_req, res) => {
    const ok = await ready();
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable' });
  });

  admin.mount(app, {
    adminToken: deps.adminToken ?? null,
    metricsToken: deps.metricsToken ?? null,
    addressOf: (req) => clientAddress(req, config.TRUST_PROXY_HOPS),
    // Signaling is attached below, before any request can arrive.
    hostAction: (event, payload) => signaling.hostAction(event, payload),
  });

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'no such endpoint' } });
  });

  const dist = deps.clientDist;
  if (dist && existsSync(path.join(dist, 'index.html'))) {
    // Hashed build assets never change; the page itself is always revalidated.
    app.use('/assets', express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '1y', fallthrough: false }));
    app.use(express.static(dist, { index: false, maxAge: 0 }));
    app.get(/^\/(?!socket\.io\/).*/, (req, res, next) => {
      if (!req.accepts('html')) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(dist, 'index.html'));
    });
  } else {
    app.get('/', (_req, res) => {
      res.type('text').send('meshtalk server is running; the client is not built (npm run build).');
    });
  }

  // Header time-outs are checked this often (Node's default, 30 s, would let a slow-loris live far longer).
  const httpServer = createServer({ connectionsCheckingInterval: Math.min(5_000, Math.ceil(config.HEADERS_TIMEOUT_MS / 4)) }, app);
  // Idle keep-alive connections stay open long (the load balancer reuses them); since Node 18
  // the header time-out runs only while a request is being received, so it can be short.
  httpServer.keepAliveTimeout = config.KEEP_ALIVE_TIMEOUT_MS;
  httpServer.headersTimeout = config.HEADERS_TIMEOUT_MS;
  httpServer.requestTimeout = Math.max(config.HEADERS_TIMEOUT_MS, 60_000);
  httpServer.maxConnections = config.HTTP_MAX_CONNECTIONS;

  io.attach(httpServer);
  // Every request of a session (handshake, each polling GET and POST, the upgrade), not only
  // the first: Host and Origin (http/origin.ts). Cross-site WebSocket hijacking and DNS rebinding.
  io.engine.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const verdict = checkOrigin(req);
    if (verdict.ok) return next();
    noteRefusal(req, verdict.reason);
    const body = JSON.stringify({ code: 4, message: verdict.reason });
    // An upgrade has no ServerResponse (engine.io passes a stand-in): answer on the socket itself.
    if (res instanceof ServerResponse) {
      res.writeHead(403, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    } else {
      req.socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    }
  });
  // An admitted handshake's place is held by its connection until that closes.
  io.engine.on('connection', (conn: { request: IncomingMessage; once(event: 'close', fn: () => void): void }) => {
    const ticket = tickets.get(conn.request);
    if (!ticket) return;
    ticket.claim();
    conn.once('close', () => ticket.release());
  });

  const signaling = attachSignaling({
    io,
    room,
    enqueue: deps.enqueue,
    logger,
    now,
    newId: randomUUID,
    graceMs: config.GRACE_MS,
    rateLimit: { burst: config.RATE_LIMIT_BURST, perSec: config.RATE_LIMIT_PER_SEC, disconnectAfter: config.RATE_LIMIT_DISCONNECT_AFTER },
    joinTimeoutMs: config.JOIN_TIMEOUT_MS,
    trustProxyHops: config.TRUST_PROXY_HOPS,
    iceFor: deps.iceFor ?? iceFromConfig(config),
    observer: admin.observer,
    periodic: admin.periodic,
    restored: !!deps.restore?.memory?.members.length,
  });

  return { httpServer, io, room, signaling, admin, ready };
}
