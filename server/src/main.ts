/**
 * Composition root: the only place that reads the environment, opens connections and listens.
 * config → store (migrate, close rows a crash left open) → write queue → app → listen → drain on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { CHAT_LIMITS } from '@meshtalk/protocol';
import { loadConfig } from './config';
import { createApp } from './app';
import { createMetrics } from './admin/metrics';
import { createShedReport } from './admin/shed-report';
import { openStore } from './store/index';
import { WriteQueue } from './store/WriteQueue';
import { iceFromConfig } from './turn/credentials';
import { RESUME_KEY_NAME, newResumeKey } from './signaling/resume-tokens';
import { MAX_REMOVED } from './room/host';

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

async function main(): Promise<void> {
  const started = performance.now();
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`${loaded.message}\n`);
    process.exit(1);
  }
  const config = loaded.config;
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'meshtalk' }, redact: ['config.DATABASE_URL', 'config.ADMIN_TOKEN', 'config.METRICS_TOKEN', 'config.SERVER_SECRET', 'config.TURN_SECRET'] });

  // Works from both server/src/main.ts and the bundled server/dist/main.js.
  const clientDist = config.CLIENT_DIST === 'client/dist' ? here('../../client/dist') : config.CLIENT_DIST;

  const store = await openStore({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    // Unset: the store finds the repository's db/migrations itself (store/README.md).
    migrationsDir: config.MIGRATIONS_DIR,
    onPoolError: (err) => logger.warn({ err: err.message }, 'database connection lost; the pool replaces it'),
  });
  const applied = await store.migrate();
  if (applied.length) logger.info({ applied }, 'migrations applied');
  // Read before the rows are closed: the conversation people come back to after this restart.
  const carriedChat = await store.chatCarryOver(CHAT_LIMITS.historyMax);
  const closed = await store.closeOpen('server_restart', new Date());
  if (closed.sessions || closed.participants) logger.info(closed, 'closed rows left open by the previous run');
  // The host, lock and members the previous run kept, and whom it removed (SPEC.md P1, A6).
  const restore = { memory: await store.roomMemory(), removed: await store.removedParticipants(MAX_REMOVED) };
  if (restore.memory?.members.length) logger.info({ members: restore.memory.members.length, locked: restore.memory.locked }, 'room restored from the previous run');

  // Resume tokens are signed with a key that outlives the process: SERVER_SECRET, or one made at
  // the first start and kept in the database, so members keep their identities across restarts.
  const identityKey = config.SERVER_SECRET ?? (await store.serverSecret(RESUME_KEY_NAME, newResumeKey));

  // In development an admin token is made up and printed; in production none means no admin surface.
  const adminToken = config.ADMIN_TOKEN ?? (config.NODE_ENV === 'production' ? null : randomBytes(18).toString('base64url'));

  const metrics = createMetrics();
  // Rows shed by a full queue: counted at once, logged as one line per interval.
  let queue: WriteQueue | null = null;
  const shedReport = createShedReport({ metrics, logger, queue: () => queue });
  queue = new WriteQueue(store, {
    maxRows: config.WRITE_QUEUE_MAX_ROWS,
    maxBytes: config.WRITE_QUEUE_MAX_BYTES,
    onRetry: (err: unknown, attempt: number, delayMs: number) => {
      logger.warn({ err: err instanceof Error ? err.message : String(err), attempt, delayMs, depth: queue?.depth }, 'database write failed; retrying');
      metrics.queueRetries.inc();
    },
    onShed: (op, lowValue) => shedReport.onShed(op, lowValue),
  });
  const { httpServer, io, signaling } = createApp({
    config,
    store,
    enqueue: (op) => queue.enqueue(op),
    queueDepth: () => queue.depth,
    logger,
    clientDist,
    adminToken,
    identityKey,
    metricsToken: config.METRICS_TOKEN ?? null,
    iceFor: iceFromConfig(config),
    metrics,
    restore,
    carriedChat,
  });

  await new Promise<void>((resolve, reject) => {
    const refused = (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${config.PORT} is already in use on ${config.HOST}; set PORT to another (PORT=0 picks a free one)`) : err);
    httpServer.once('error', refused);
    httpServer.listen(config.PORT, config.HOST, () => {
      httpServer.off('error', refused);
      resolve();
    });
  });
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const shownHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  logger.info(
    { url: `http://${shownHost}:${port}`, port, store: store.kind, startupMs: Math.round(performance.now() - started) },
    'listening',
  );
  if (adminToken && !config.ADMIN_TOKEN) {
    // The token rides in the fragment, which browsers never send to a server or a log.
    process.stdout.write(`admin page: http://${shownHost}:${port}/admin#token=${adminToken}\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + 2_000);
    force.unref();
    httpServer.close();
    signaling.shutdown();
    await new Promise<void>((resolve) => io.close(() => resolve()));
    const drained = await queue.flush(config.SHUTDOWN_TIMEOUT_MS);
    if (!drained) logger.error({ depth: queue.depth }, 'database unreachable at shutdown; queued rows are lost');
    queue.stop();
    await store.close().catch(() => {});
    logger.info('stopped');
    process.exit(drained ? 0 : 1);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`meshtalk failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
