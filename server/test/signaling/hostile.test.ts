/**
 * H3: sockets are bounded. Binary attachments are refused (the protocol is JSON), a connection
 * that does not join in time is closed, connections are capped in all and per client address
 * (with a clear refusal in the handshake), and the client address is taken exactly
 * TRUST_PROXY_HOPS from the right of X-Forwarded-For.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { join, sleep, startServer, type TestClient, type TestServer } from '../support/server';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const closed = (c: TestClient, ms: number) =>
  new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`still connected after ${ms} ms`)), ms);
    c.once('disconnect', (reason) => {
      clearTimeout(t);
      resolve(reason);
    });
  });

/** Opens an engine.io handshake over HTTP long-polling, as a browser's first request does. */
const handshake = (url: string, headers: Record<string, string> = {}) => fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers });

describe('[H3] hostile sockets', () => {
  it('closes a connection that sends a binary packet, and keeps the others', async () => {
    server = await startServer();
    const [honest, hostile] = [server.client(), server.client()];
    expect((await join(honest, 'Ann')).ok).toBe(true);
    await new Promise<void>((r) => (hostile.connected ? r() : hostile.once('connect', () => r())));
    const gone = closed(hostile, 3_000);
    (hostile.emit as (event: string, payload: unknown) => void)('room:join', { name: 'Eve', blob: Buffer.alloc(1024) });
    expect(await gone).toBe('transport close');
    expect((await honest.timeout(3_000).emitWithAck('media:update', { muted: true })).ok).toBe(true);
  });

  it('tells each connection the heartbeat: a ping every 25 s, HEARTBEAT_TIMEOUT_MS to answer it', async () => {
    const open = async () => JSON.parse((await (await handshake(server.url)).text()).replace(/^0/, '')) as { pingInterval: number; pingTimeout: number };
    server = await startServer();
    expect(await open()).toMatchObject({ pingInterval: 25_000, pingTimeout: 20_000 });
    await server.close();
    server = await startServer({ HEARTBEAT_TIMEOUT_MS: '60000' });
    expect(await open()).toMatchObject({ pingInterval: 25_000, pingTimeout: 60_000 });
  });

  it('closes a connection that does not join within JOIN_TIMEOUT_MS, and after a leave; members stay', async () => {
    server = await startServer({ JOIN_TIMEOUT_MS: '1000' });
    const [idle, member, leaver] = [server.client(), server.client(), server.client()];
    const idleGone = closed(idle, 3_000);
    expect((await join(member, 'Ann')).ok).toBe(true);
    expect((await join(leaver, 'Bob')).ok).toBe(true);
    expect(await idleGone).toBe('io server disconnect');
    const leaverGone = closed(leaver, 3_000);
    expect((await leaver.timeout(3_000).emitWithAck('room:leave', {})).ok).toBe(true);
    expect(await leaverGone).toBe('io server disconnect');
    await sleep(1_200);
    expect(member.connected).toBe(true);
  });

  it('caps connections per client address with a clear refusal, and frees the place when one closes', async () => {
    server = await startServer({ MAX_CONNECTIONS_PER_ADDRESS: '3' });
    const first = [server.client(), server.client(), server.client()];
    for (const c of first) await new Promise<void>((r) => (c.connected ? r() : c.once('connect', () => r())));
    const refused = await handshake(server.url);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ message: 'too many connections from your address (at most 3)' });
    const extra = server.client();
    await expect(new Promise<void>((resolve, reject) => (extra.once('connect', () => resolve()), extra.once('connect_error', reject)))).rejects.toThrow();
    const freed = closed(first[0]!, 2_000);
    first[0]!.disconnect();
    await freed;
    // The server hears of the close a moment after the client: the place is free within a second.
    let status = 0;
    for (const end = Date.now() + 2_000; status !== 200 && Date.now() < end; await sleep(50)) status = (await handshake(server.url)).status;
    expect(status).toBe(200);
  });

  it('caps connections in all', async () => {
    server = await startServer({ MAX_CONNECTIONS: '2' });
    expect((await handshake(server.url)).status).toBe(200);
    expect((await handshake(server.url)).status).toBe(200);
    const refused = await handshake(server.url);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ message: 'server busy: too many connections (at most 2)' });
  });

  it('takes the client address exactly TRUST_PROXY_HOPS from the right of X-Forwarded-For', async () => {
    // No proxy trusted: a rotating X-Forwarded-For does not make new addresses.
    server = await startServer({ MAX_CONNECTIONS_PER_ADDRESS: '2' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await handshake(server.url, { 'x-forwarded-for': `10.0.0.${i}` })).status);
    expect(statuses).toEqual([200, 200, 403, 403]);
    await server.close();

    // One proxy (nginx): its entry, the rightmost, is the client; what the client wrote to its left is not.
    server = await startServer({ MAX_CONNECTIONS_PER_ADDRESS: '2', TRUST_PROXY_HOPS: '1' });
    const viaProxy = (client: string, forged: string) => handshake(server.url, { 'x-forwarded-for': `${forged}, ${client}` });
    expect((await viaProxy('203.0.113.7', '1.1.1.1')).status).toBe(200);
    expect((await viaProxy('203.0.113.7', '2.2.2.2')).status).toBe(200);
    expect((await viaProxy('203.0.113.7', '3.3.3.3')).status).toBe(403);
    expect((await viaProxy('203.0.113.8', '3.3.3.3')).status).toBe(200);
  });

  it('a real client can still connect and join after a polling start (no caps hit by the upgrade)', async () => {
    server = await startServer({ MAX_CONNECTIONS_PER_ADDRESS: '1' });
    const c: TestClient = connect(server.url, { reconnection: false, forceNew: true });
    try {
      const ack = await join(c, 'Ann');
      expect(ack.ok).toBe(true);
      await sleep(500);
      expect(c.connected).toBe(true);
      expect(c.io.engine.transport.name).toBe('websocket');
    } finally {
      c.disconnect();
    }
  });
});
