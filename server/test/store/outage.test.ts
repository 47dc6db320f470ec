/**
 * PostgreSQL goes away for a few seconds while people join, mute and leave: the room answers
 * throughout, and after the cut every event is in the database exactly once, in order.
 */
import pino from 'pino';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app';
import { testConfig } from '../../src/config';
import type { Store } from '../../src/store/types';
import { WriteQueue } from '../../src/store/WriteQueue';
import { openProxiedStore, type ProxiedStore } from '../support/proxied-store';
import { join, sleep, type TestClient } from '../support/server';
import type { TcpProxy } from '../support/tcp-proxy';
import { io as connect } from 'socket.io-client';

let pg: ProxiedStore;
let proxy: TcpProxy;
let store: Store;
let queue: WriteQueue;
let app: App;
let url: string;
let retries = 0;

beforeAll(async () => {
  pg = await openProxiedStore();
  ({ proxy, store } = pg);
  queue = new WriteQueue(store, { initialDelayMs: 50, maxDelayMs: 500, onRetry: () => retries++ });
  app = createApp({ config: testConfig(), store, enqueue: (op) => queue.enqueue(op), queueDepth: () => queue.depth, logger: pino({ level: 'silent' }) });
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

describe('a PostgreSQL outage', () => {
  it('leaves the room answering, and every event lands once, in order, when the database is back', async () => {
    const ann = client();
    const first = await join(ann, 'Ann');
    expect(first.ok).toBe(true);
    expect(await queue.flush(5000)).toBe(true);

    proxy.cut();
    const readyDuringCut = await fetch(`${url}/readyz`);
    const during: boolean[] = [];
    const people = Array.from({ length: 4 }, client);
    for (const [i, c] of people.entries()) during.push((await join(c, `P${i}`)).ok);
    for (const c of people) during.push((await c.timeout(3000).emitWithAck('media:update', { muted: true })).ok);
    during.push((await people[0]!.timeout(3000).emitWithAck('screen:claim', {})).ok);
    during.push((await people[0]!.timeout(3000).emitWithAck('screen:release', {})).ok);
    for (const c of people.slice(0, 2)) during.push((await c.timeout(3000).emitWithAck('room:leave', {})).ok);
    await sleep(2500);
    expect(during.every(Boolean)).toBe(true);
    expect(readyDuringCut.status).toBe(503);
    expect(queue.depth).toBeGreaterThan(0);
    expect(retries).toBeGreaterThan(0);

    proxy.restore();
    expect(await queue.flush(15_000)).toBe(true);

    const sessionId = app.room.sessionId!;
    const events = await store.listEvents(sessionId);
    const kinds = events.map((e) => `${e.type}:${e.participantId === null ? '-' : 'p'}`);
    expect(kinds.filter((k) => k === 'joined:p')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'muted:p')).toHaveLength(4);
    expect(kinds.filter((k) => k.startsWith('screen_'))).toEqual(['screen_started:p', 'screen_ended:p']);
    expect(kinds.filter((k) => k === 'left:p')).toHaveLength(2);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    // In order: the database's sequence follows the order things happened.
    const times = events.map((e) => e.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const stints = await store.listParticipants(sessionId);
    expect(stints).toHaveLength(5);
    expect(stints.filter((p) => p.leftAt !== null).map((p) => p.leaveReason)).toEqual(['left', 'left']);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    for (const c of [ann, ...people]) c.disconnect();
  });
});
