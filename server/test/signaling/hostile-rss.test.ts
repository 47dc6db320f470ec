/**
 * H3: 2,000 hostile sockets cost the server process little memory. The real server runs as its
 * own process (its RSS read from /proc), with its shipped defaults; the sockets come from 100
 * loopback addresses (127.0.1.1 … 127.0.1.100), 20 each: half announce a binary packet of ten
 * attachments and send nine 39 KB parts of it, half open the namespace and sit idle. Before the
 * fix every one was accepted and the half-sent packets were held (+488 MiB in the review).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { withTestDatabase, type TestDatabase } from '../support/postgres';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const procs: ChildProcess[] = [];
let db: TestDatabase | undefined;
afterAll(async () => {
  procs.forEach((p) => p.kill('SIGKILL'));
  await db?.drop();
});

async function start(env: Record<string, string>): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: 'memory://', LOG_LEVEL: 'info', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  procs.push(proc);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('server did not start')), 30_000);
    // Keep reading stdout for the whole run, or a full pipe would stall the server.
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const m = /"port":(\d+)/.exec(line);
      if (m && /"listening"/.test(line)) {
        clearTimeout(t);
        resolve({ proc, port: Number(m[1]) });
      }
    });
  });
}

const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** One hostile socket: open engine.io and the namespace, then either half-send a binary packet or idle. */
function hostile(port: number, localAddress: string, kind: 'binary' | 'idle', part: Buffer): Promise<WebSocket | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, { localAddress, headers: { origin: `http://127.0.0.1:${port}` } });
    const done = (v: WebSocket | null) => {
      clearTimeout(t);
      resolve(v);
    };
    const t = setTimeout(() => done(ws), 5_000);
    ws.on('error', () => done(null));
    ws.on('unexpected-response', () => done(null));
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '' : data.toString();
      if (text.startsWith('0')) ws.send('40');
      else if (text === '2') ws.send('3');
      else if (text.startsWith('40')) {
        if (kind === 'binary') {
          const placeholders = Array.from({ length: 10 }, (_, num) => ({ _placeholder: true, num }));
          ws.send(`4510-["room:join",${JSON.stringify({ name: 'x', parts: placeholders })}]`);
          for (let i = 0; i < 9; i++) ws.send(part);
        }
        done(ws);
      }
    });
  });
}

describe('[H3] 2,000 hostile sockets', () => {
  it('grow the server process by at most 64 MiB', { timeout: 120_000 }, async () => {
    // Real PostgreSQL, as deployed (the embedded database's WebAssembly heap would dwarf the figures).
    db = await withTestDatabase();
    const { proc, port } = await start({ DATABASE_URL: db.url });
    // Warm up: one ordinary page-load request and socket, so the baseline has the code paths loaded.
    await fetch(`http://127.0.0.1:${port}/healthz`);
    await hostile(port, '127.0.0.1', 'idle', Buffer.alloc(0)).then((ws) => ws?.close());
    await new Promise((r) => setTimeout(r, 1_000));
    const baseline = rssMiB(proc.pid!);

    const part = Buffer.alloc(39 * 1024, 7);
    const open: WebSocket[] = [];
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(proc.pid!))), 100);
    const started = Date.now();
    let attempted = 0;
    // 100 addresses × 20 sockets, in waves of 100, at most 60 s in all.
    for (let wave = 0; wave < 20 && Date.now() - started < 60_000; wave++) {
      const batch = await Promise.all(
        Array.from({ length: 100 }, (_, a) => hostile(port, `127.0.1.${a + 1}`, (wave + a) % 2 ? 'binary' : 'idle', part)),
      );
      attempted += batch.length;
      for (const ws of batch) if (ws) open.push(ws);
    }
    // Let the server take in whatever was sent.
    await new Promise((r) => setTimeout(r, 3_000));
    clearInterval(sampler);
    peak = Math.max(peak, rssMiB(proc.pid!));
    const growth = peak - baseline;
    for (const ws of open) ws.terminate();
    console.log(`hostile sockets: ${attempted} attempted, ${open.length} opened; server RSS ${baseline.toFixed(0)} MiB → peak ${peak.toFixed(0)} MiB (+${growth.toFixed(0)} MiB)`);
    expect(attempted).toBe(2_000);
    expect(growth).toBeLessThanOrEqual(64);
    proc.kill('SIGKILL');
  });
});
