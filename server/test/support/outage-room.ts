/**
 * The real app over a real PostgreSQL that the test can cut off (proxied-store.ts), its rows
 * going through a real WriteQueue with short back-off: for the outage tests.
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { io as connect } from 'socket.io-client';
import { createApp, type App } from '../../src/app';
import { testConfig } from '../../src/config';
import { WriteQueue } from '../../src/store/WriteQueue';
import { openProxiedStore, type ProxiedStore } from './proxied-store';
import type { TestClient } from './server';

export interface OutageRoom {
  pg: ProxiedStore;
  queue: WriteQueue;
  app: App;
  url: string;
  /** Failed write attempts so far. */
  retries(): number;
  client(): TestClient;
  close(): Promise<void>;
}

export async function openOutageRoom(): Promise<OutageRoom> {
  const pg = await openProxiedStore();
  let retries = 0;
  const queue = new WriteQueue(pg.store, { initialDelayMs: 50, maxDelayMs: 500, onRetry: () => retries++ });
  const app = createApp({ config: testConfig(), store: pg.store, enqueue: (op) => queue.enqueue(op), queueDepth: () => queue.depth, logger: pino({ level: 'silent' }) });
  await new Promise<void>((r) => app.httpServer.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`;
  return {
    pg,
    queue,
    app,
    url,
    retries: () => retries,
    client: () => connect(url, { transports: ['websocket'], reconnection: false, forceNew: true }),
    async close() {
      app.signaling.shutdown();
      await new Promise<void>((r) => app.io.close(() => r()));
      queue.stop();
      await pg.close();
    },
  };
}
