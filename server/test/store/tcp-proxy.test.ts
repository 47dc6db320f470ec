/** The outage proxy itself: it forwards, cut() ends live connections and refuses new ones, restore() undoes it. */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

let echo: Server;
let proxy: TcpProxy;

beforeAll(async () => {
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  proxy = await startTcpProxy('127.0.0.1', (echo.address() as { port: number }).port);
});
afterAll(async () => {
  await proxy.close();
  await new Promise((r) => echo.close(r));
});

/** Connects through the proxy; resolves with what came back for `text`, or 'closed'. */
function roundTrip(text: string, socket: Socket = connect(proxy.port, '127.0.0.1')): Promise<string> {
  return new Promise((resolve) => {
    socket.on('error', () => {});
    socket.once('data', (d) => resolve(d.toString()));
    socket.once('close', () => resolve('closed'));
    socket.write(text);
  });
}

describe('tcp proxy', () => {
  it('forwards, cuts live and new connections, and restores', async () => {
    expect(proxy.via('postgres://u@db.example:5432/x?sslmode=disable')).toBe(`postgres://u@127.0.0.1:${proxy.port}/x?sslmode=disable`);
    const live = connect(proxy.port, '127.0.0.1');
    expect(await roundTrip('hello', live)).toBe('hello');
    expect(proxy.connections).toBe(1);

    const closed = new Promise((r) => live.once('close', r));
    proxy.cut();
    await closed;
    expect(proxy.connections).toBe(0);
    expect(await roundTrip('during the cut')).toBe('closed');

    proxy.restore();
    expect(await roundTrip('back')).toBe('back');
  });
});
