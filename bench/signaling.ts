/**
 * Signaling benchmark: start-up time to ready, join-ack and relay latency (p50/p99) for a full
 * room of scripted clients with and without a flooder, and server heap per connected socket.
 * Runs the built server (`npm run build` first) as a child process on a free loopback port.
 *
 *   npm run bench -- signaling
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, JoinResponse, ServerToClientEvents } from '@meshtalk/protocol';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const TOKEN = 'bench-admin-token-0123456789abcdef';

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

async function startServer(): Promise<{ proc: ChildProcess; url: string; readyMs: number }> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, ['server/dist/main.js'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: 'memory://', ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let url = '';
  for await (const line of createInterface({ input: proc.stdout! })) {
    const m = /"url":"([^"]+)"/.exec(line);
    if (m) {
      url = m[1]!;
      break;
    }
  }
  for (;;) {
    const r = await fetch(`${url}/readyz`).catch(() => null);
    if (r?.ok) break;
    await new Promise((res) => setTimeout(res, 10));
  }
  return { proc, url, readyMs: performance.now() - t0 };
}

function connect(url: string): Promise<Client> {
  const c: Client = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    c.once('connect', () => resolve(c));
    c.once('connect_error', reject);
  });
}

async function joinTimed(c: Client, name: string): Promise<{ ms: number; ack: Ack<JoinResponse> }> {
  const t = performance.now();
  const ack = (await c.timeout(10_000).emitWithAck('room:join', { name })) as Ack<JoinResponse>;
  return { ms: performance.now() - t, ack };
}

/** A server process of its own that reports its heap after a forced garbage collection. */
async function heapServer() {
  const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/heap-server.ts'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  const url = String((await lines.next()).value).split(' ')[1]!;
  return {
    url,
    async heap(): Promise<number> {
      proc.stdin!.write('heap\n');
      return Number(String((await lines.next()).value).split(' ')[1]);
    },
    stop: () => proc.kill('SIGTERM'),
  };
}

/** Join-ack latency over `rounds` rounds of `n` clients joining at once, then relay latency. */
async function measure(url: string, n: number, rounds: number, relaysPerPair: number) {
  const joins: number[] = [];
  const relays: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const clients = await Promise.all(Array.from({ length: n }, () => connect(url)));
    const results = await Promise.all(clients.map((c, i) => joinTimed(c, `bench ${i}`)));
    joins.push(...results.map((x) => x.ms));
    const ids = results.map((x) => (x.ack.ok ? x.ack.data.self.id : ''));
    if (r === rounds - 1) {
      // Every client sends to every other; the payload carries the send time.
      const pending: Promise<void>[] = [];
      clients.forEach((c) =>
        c.on('signal:receive', (s) => {
          const sent = Number(s.candidate?.candidate.split(' ')[1]);
          relays.push(performance.now() - sent);
        }),
      );
      for (let k = 0; k < relaysPerPair; k++) {
        clients.forEach((c, i) =>
          ids.forEach((to, j) => {
            if (i === j) return;
            const candidate = `bench ${performance.now()} udp 1 127.0.0.1 9 typ host`;
            pending.push(c.timeout(10_000).emitWithAck('signal:send', { to, candidate: { candidate, sdpMLineIndex: 0 } }).then(() => {}));
          }),
        );
        await Promise.all(pending.splice(0));
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    clients.forEach((c) => c.disconnect());
    await new Promise((res) => setTimeout(res, 50));
  }
  return { joins, relays };
}

async function main() {
  const { proc, url, readyMs } = await startServer();
  // The first start of a fresh in-memory database includes creating it and migrating.
  console.log(`server start → ready (node server/dist/main.js, embedded database in memory): ${fmt(readyMs)}`);

  const quiet = await measure(url, 10, 10, 5);
  console.log(`full room of 10, no flooder: join ack p50 ${fmt(pct(quiet.joins, 50))}, p99 ${fmt(pct(quiet.joins, 99))} (n=${quiet.joins.length}); relay p50 ${fmt(pct(quiet.relays, 50))}, p99 ${fmt(pct(quiet.relays, 99))} (n=${quiet.relays.length})`);

  // A flooder: one connection sending as fast as its socket allows, all through the measurement.
  const flooder = await connect(url);
  let flooding = true;
  let sent = 0;
  let limited = 0;
  const flood = (async () => {
    while (flooding) {
      const batch = Array.from({ length: 200 }, () =>
        flooder.timeout(10_000).emitWithAck('media:update', { muted: true }).then((a) => {
          sent++;
          if (!a.ok && a.error.code === 'rate_limited') limited++;
        }),
      );
      await Promise.all(batch);
    }
  })();
  const loud = await measure(url, 9, 10, 5);
  flooding = false;
  await flood;
  console.log(`9 honest + 1 flooder (${sent} messages, ${limited} rate-limited): join ack p50 ${fmt(pct(loud.joins, 50))}, p99 ${fmt(pct(loud.joins, 99))}; relay p50 ${fmt(pct(loud.relays, 50))}, p99 ${fmt(pct(loud.relays, 99))}`);
  flooder.disconnect();

  proc.kill('SIGTERM');
  await once(proc, 'exit');

  // Heap per connected socket: used heap after a full collection, before and after connecting.
  const hs = await heapServer();
  const warm = await Promise.all(Array.from({ length: 10 }, () => connect(hs.url)));
  const before = await hs.heap();
  const idle = await Promise.all(Array.from({ length: 500 }, () => connect(hs.url)));
  const afterIdle = await hs.heap();
  console.log(`server heap per connected socket (idle, 500 sockets): ${((afterIdle - before) / 500 / 1024).toFixed(1)} KiB`);
  idle.forEach((c) => c.disconnect());
  warm.forEach((c) => c.disconnect());
  await new Promise((res) => setTimeout(res, 300));
  const base = await hs.heap();
  const members = await Promise.all(Array.from({ length: 10 }, () => connect(hs.url)));
  await Promise.all(members.map((c, i) => joinTimed(c, `m${i}`)));
  const full = await hs.heap();
  console.log(`server heap per joined participant (full room of 10): ${((full - base) / 10 / 1024).toFixed(1)} KiB`);
  members.forEach((c) => c.disconnect());
  hs.stop();
}

await main();
