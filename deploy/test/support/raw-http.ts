/**
 * Raw TCP clients for the connection-limit tests: WebSocket handshakes that are then left idle,
 * and requests that drip their header, each from a chosen loopback source address (the whole of
 * 127.0.0.0/8 is loopback on Linux, so one machine can be many visitors).
 */
import { connect, type Socket } from 'node:net';

/** What an upgrade attempt got: an HTTP status (101 = open socket), or how the connection ended. */
export type Outcome = number | 'reset' | 'closed' | 'timeout';

export interface Attempt {
  outcome: Outcome;
  socket: Socket;
}

export interface UpgradeOptions {
  port: number;
  from: string;
  path?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * One request on a fresh connection from `from`: resolves with the response's status (once the
 * status line, or with `wholeHead` the whole head, has arrived) or how the connection ended.
 * The socket is destroyed unless `keep` says the outcome leaves it open.
 */
function exchange(
  port: number,
  from: string | undefined,
  request: string,
  opts: { timeoutMs: number; wholeHead: boolean; keep: (o: Outcome) => boolean },
): Promise<Attempt> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ...(from && { localAddress: from }) });
    let head = '';
    let settled = false;
    const done = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!opts.keep(outcome)) socket.destroy();
      resolve({ outcome, socket });
    };
    const timer = setTimeout(() => done('timeout'), opts.timeoutMs);
    socket.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'reset' : 'closed'));
    socket.on('close', () => done('closed'));
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (status && (!opts.wholeHead || head.includes('\r\n\r\n'))) done(Number(status[1]));
    });
  });
}

/** One WebSocket handshake; on 101 the socket stays open (and idle) until the caller ends it. */
export function upgrade({ port, from, path = '/socket.io/?EIO=4&transport=websocket', headers = {}, timeoutMs = 5_000 }: UpgradeOptions): Promise<Attempt> {
  const lines = [
    `GET ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return exchange(port, from, `${lines.join('\r\n')}\r\n\r\n`, { timeoutMs, wholeHead: true, keep: (o) => o === 101 });
}

/** Many upgrades, `batch` at a time (a burst of thousands would only test the listen backlog). */
export async function upgradeMany(specs: UpgradeOptions[], batch = 50): Promise<Attempt[]> {
  const out: Attempt[] = [];
  for (let i = 0; i < specs.length; i += batch) out.push(...(await Promise.all(specs.slice(i, i + batch).map(upgrade))));
  return out;
}

/** How many attempts ended each way, e.g. { 101: 30, 429: 1070 }. */
export function tally(attempts: Attempt[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of attempts) counts[String(a.outcome)] = (counts[String(a.outcome)] ?? 0) + 1;
  return counts;
}

export function closeAll(attempts: Attempt[]): void {
  for (const a of attempts) a.socket.destroy();
}

/** A plain GET from `from`: the status, or how the connection failed. */
export async function getFrom(port: number, from: string, path = '/', timeoutMs = 5_000): Promise<Outcome> {
  const request = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
  return (await exchange(port, from, request, { timeoutMs, wholeHead: false, keep: () => false })).outcome;
}

/**
 * A request whose header never ends: one more header line every `everyMs`. Resolves with how
 * long nginx kept the connection open (or `limitMs` if it never closed it).
 */
export function dripHeader(port: number, everyMs: number, limitMs: number): Promise<number> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect({ host: '127.0.0.1', port });
    let n = 0;
    const drip = setInterval(() => socket.write(`X-Drip-${n++}: ${'a'.repeat(8)}\r\n`), everyMs);
    const finish = () => {
      clearInterval(drip);
      clearTimeout(limit);
      socket.destroy();
      resolve(Date.now() - started);
    };
    const limit = setTimeout(finish, limitMs);
    socket.on('connect', () => socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`));
    socket.on('error', finish);
    socket.on('close', finish);
  });
}
