/**
 * A real PostgreSQL database for one test file: a fresh database on the server named by
 * TEST_DATABASE_URL, or, when that is unset, on a throwaway server this process starts from
 * PostgreSQL's own binaries (as the `postgres` user: PostgreSQL refuses to run as root).
 * Never a skip: a suite that did not run has not passed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, chmodSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

let throwaway: Promise<string> | null = null;
let throwawayProc: ChildProcess | null = null;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const dir = versions.map((v) => path.join(root, v, 'bin')).find((d) => existsSync(path.join(d, 'initdb')));
  if (!dir) throw new Error('TEST_DATABASE_URL is unset and no PostgreSQL binaries were found under /usr/lib/postgresql to start one');
  return dir;
}

async function startThrowaway(): Promise<string> {
  const bin = binDir();
  const dir = mkdtempSync(path.join(tmpdir(), 'meshtalk-pg-'));
  chmodSync(dir, 0o777);
  const asPostgres = process.getuid?.() === 0 ? (cmd: string, args: string[]) => ['runuser', ['-u', 'postgres', '--', cmd, ...args]] as const : (cmd: string, args: string[]) => [cmd, args] as const;
  const data = path.join(dir, 'data');
  const [initCmd, initArgs] = asPostgres(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  execFileSync(initCmd, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  const [cmd, args] = asPostgres(path.join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-h', '127.0.0.1', '-c', 'fsync=off']);
  throwawayProc = spawn(cmd, args, { stdio: 'ignore' });
  process.once('exit', () => {
    throwawayProc?.kill('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  for (let i = 0; i < 100; i++) {
    const c = new pg.Client(url);
    try {
      await c.connect();
      await c.end();
      return url;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('the throwaway PostgreSQL did not start');
}

/** The server to create test databases on. */
export function serverUrl(): Promise<string> {
  if (process.env.TEST_DATABASE_URL) return Promise.resolve(process.env.TEST_DATABASE_URL);
  throwaway ??= startThrowaway();
  return throwaway;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database for this test file. */
export async function withTestDatabase(): Promise<TestDatabase> {
  const base = await serverUrl();
  const name = `meshtalk_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client(base);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client(base);
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
