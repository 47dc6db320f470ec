/**
 * The composition root as a real process: configuration errors, probes, SIGTERM, and rows a
 * crash left open.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { io as connect } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index';
import { MIGRATIONS_DIR } from './store/contract';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const TSX = ['--import', 'tsx'];
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function dataDir() {
  const d = mkdtempSync(path.join(tmpdir(), 'meshtalk-main-'));
  dirs.push(d);
  return d;
}

async function start(env: Record<string, string>): Promise<{ proc: ChildProcess; url: string; lines: string[] }> {
  const proc = spawn(process.execPath, [...TSX, MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for await (const line of createInterface({ input: proc.stdout! })) {
    lines.push(line);
    const m = /"url":"([^"]+)"/.exec(line);
    if (m) {
      createInterface({ input: proc.stdout! }).on('line', (l) => lines.push(l));
      return { proc, url: m[1]!, lines };
    }
  }
  throw new Error(`server exited before listening: ${lines.join('\n')}`);
}

const exited = (proc: ChildProcess) => new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));

describe('server process', () => {
  it('[M5] refuses to start in production without PUBLIC_URL, in one line saying why', () => {
    const r = spawnSync(process.execPath, [...TSX, MAIN], { env: { ...process.env, NODE_ENV: 'production', DATA_DIR: 'memory://', PUBLIC_URL: '', ALLOWED_ORIGINS: '' }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^invalid configuration: PUBLIC_URL: required in production/);
  });

  it('refuses a bad configuration with one line naming the variable', () => {
    const r = spawnSync(process.execPath, [...TSX, MAIN], { env: { ...process.env, PORT: 'lots' }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^invalid configuration: PORT: /);
  });

  it('says in one line that its port is taken, and exits', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const { port } = taken.address() as AddressInfo;
    const r = spawnSync(process.execPath, [...TSX, MAIN], { env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: 'memory://' }, encoding: 'utf8', timeout: 60_000 });
    taken.close();
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`meshtalk failed to start: port ${port} is already in use on 127.0.0.1; set PORT to another (PORT=0 picks a free one)`);
  });

  it('is alive and ready on the embedded database, and stops cleanly on SIGTERM', async () => {
    const { proc, url, lines } = await start({ DATA_DIR: dataDir() });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
    expect(lines.some((l) => l.includes('admin page: http://127.0.0.1:'))).toBe(true);
    const c = connect(url, { transports: ['websocket'], reconnection: false });
    const closed = new Promise((r) => c.once('room:closed', r));
    await c.timeout(5000).emitWithAck('room:join', { name: 'Ann' });
    proc.kill('SIGTERM');
    expect(await closed).toEqual({ reason: 'server_shutdown' });
    expect(await exited(proc)).toBe(0);
    expect(lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    c.disconnect();
  });

  it('closes the rows a crash left open with reason server_restart at the next start', async () => {
    const dir = dataDir();
    const first = await start({ DATA_DIR: dir });
    const c = connect(first.url, { transports: ['websocket'], reconnection: false });
    await c.timeout(5000).emitWithAck('room:join', { name: 'Ann' });
    await new Promise((r) => setTimeout(r, 500)); // let the queue write the join
    first.proc.kill('SIGKILL');
    await exited(first.proc);
    c.disconnect();

    const second = await start({ DATA_DIR: dir });
    expect(second.lines.some((l) => l.includes('closed rows left open by the previous run'))).toBe(true);
    second.proc.kill('SIGTERM');
    await exited(second.proc);

    const store = await openStore({ dataDir: dir, migrationsDir: MIGRATIONS_DIR });
    const [session] = await store.listSessions(1);
    expect(session).toMatchObject({ status: 'ended', endReason: 'server_restart' });
    expect((await store.listParticipants(session!.id)).map((p) => p.leaveReason)).toEqual(['server_restart']);
    await store.close();
  });

  it('[R3][M4] keeps identities across a restart: the resume key is made once and kept in the database', async () => {
    const dir = dataDir();
    const joinAs = async (url: string, extra: Record<string, unknown> = {}) => {
      const c = connect(url, { transports: ['websocket'], reconnection: false });
      const ack = (await c.timeout(10_000).emitWithAck('room:join', { name: 'Ann', ...extra })) as { ok: boolean; data?: { self: { id: string }; resumeToken: string }; error?: { code: string } };
      c.disconnect();
      return ack;
    };
    const first = await start({ DATA_DIR: dir });
    const ann = await joinAs(first.url);
    first.proc.kill('SIGTERM');
    await exited(first.proc);
    const second = await start({ DATA_DIR: dir });
    const back = await joinAs(second.url, { participantId: ann.data!.self.id, resumeToken: ann.data!.resumeToken });
    expect(back.ok && back.data!.self.id).toBe(ann.data!.self.id);
    second.proc.kill('SIGTERM');
    await exited(second.proc);
    // SERVER_SECRET, when set, is the key instead: the stored one no longer vouches for Ann.
    const third = await start({ DATA_DIR: dir, SERVER_SECRET: 'c'.repeat(32) });
    const refused = await joinAs(third.url, { participantId: ann.data!.self.id, resumeToken: ann.data!.resumeToken });
    expect(refused.ok ? 'admitted' : refused.error!.code).toBe('forbidden');
    third.proc.kill('SIGTERM');
    await exited(third.proc);
  }, 120_000);

  it('turns the admin surface off in production without a token', async () => {
    const { proc, url, lines } = await start({ DATA_DIR: 'memory://', NODE_ENV: 'production', PUBLIC_URL: 'https://talk.example.com' });
    expect((await fetch(`${url}/api/admin/live`)).status).toBe(404);
    expect(lines.some((l) => l.includes('admin page'))).toBe(false);
    proc.kill('SIGTERM');
    await exited(proc);
  });
});
