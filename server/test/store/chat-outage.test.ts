/**
 * PostgreSQL goes away while people chat: every message still reaches the room live, and once
 * the database is back each one is written exactly once, in the room's order (SPEC.md C1).
 */
import pino from 'pino';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import type { Ack, ChatMessage } from '@meshtalk/protocol';
import { createApp, type App } from '../../src/app';
import { testConfig } from '../../src/config';
import { WriteQueue } from '../../src/store/WriteQueue';
import { openProxiedStore, type ProxiedStore } from '../support/proxied-store';
import { collect, join, sleep, type TestClient } from '../support/server';

let pg: ProxiedStore;
let queue: WriteQueue;
let app: App;
let url: string;
let retries = 0;

beforeAll(async () => {
  pg = await openProxiedStore();
  queue = new WriteQueue(pg.store, { initialDelayMs: 50, maxDelayMs: 500, onRetry: () => retries++ });
  app = createApp({ config: testConfig(), store: pg.store, enqueue: (op) => queue.enqueue(op), queueDepth: () => queue.depth, logger: pino({ level: 'silent' }) });
  await new Promise<void>((r) => app.httpServer.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  app.signaling.shutdown();
  await new Promise<void>((r) => app.io.close(() => r()));
  queue.stop();
  await pg.close();
});

const client = (): TestClient => connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
const send = (c: TestClient, text: string) => c.timeout(3000).emitWithAck('chat:send', { text }) as Promise<Ack<ChatMessage>>;

describe('[C1] chat through a PostgreSQL outage', () => {
  it('delivers every message live while the database is cut off, and writes each exactly once when it is back', async () => {
    const [ann, bob, cid] = [client(), client(), client()];
    for (const [c, name] of [[ann, 'Ann'], [bob, 'Bob'], [cid, 'Cid']] as const) expect((await join(c, name)).ok).toBe(true);
    const seenByCid = collect(cid, 'chat:message');
    expect((await send(ann, 'before the cut')).ok).toBe(true);
    expect(await queue.flush(5000)).toBe(true);

    pg.proxy.cut();
    const during: Ack<ChatMessage>[] = [];
    for (let i = 0; i < 4; i++) {
      during.push(...(await Promise.all([send(ann, `ann ${i}`), send(bob, `bob ${i}`)])));
      await sleep(300);
    }
    expect(during.every((r) => r.ok)).toBe(true);
    // Live: Cid saw every message while nothing could be written.
    await expect.poll(() => seenByCid.length).toBe(9);
    expect(queue.depth).toBeGreaterThan(0);
    await expect.poll(() => retries).toBeGreaterThan(0);
    // A late joiner gets the history from the room, not from the unreachable database.
    const late = await join(client(), 'Dee');
    expect(late.ok && late.data.chat.map((m) => m.id)).toEqual(seenByCid.map((m) => m.id));

    pg.proxy.restore();
    expect(await queue.flush(15_000)).toBe(true);
    const { rows } = await pg.store.sql.query<{ id: string; seq: number; text: string }>(
      `SELECT id, seq, text FROM chat_messages WHERE session_id = $1 ORDER BY seq`,
      [app.room.sessionId],
    );
    expect(rows.map((r) => r.id)).toEqual(seenByCid.map((m) => m.id));
    expect(rows.map((r) => Number(r.seq))).toEqual(seenByCid.map((_, i) => i + 1));
    const { rows: all } = await pg.store.sql.query<{ n: string }>(`SELECT count(*) AS n FROM chat_messages`);
    expect(Number(all[0]!.n)).toBe(9);
    for (const c of [ann, bob, cid]) c.disconnect();
  });
});
