/**
 * A real PostgreSQL database for one test file.
 *
 *   const db = await withTestDatabase();   // { url, drop }
 *   ... openStore({ databaseUrl: db.url, dataDir: 'unused' }) ...
 *   await db.drop();                       // in afterAll
 *
 * The database is a fresh `meshtalk_t_<random>` on the server named by TEST_DATABASE_URL, so
 * test files running in parallel never see each other's rows. When TEST_DATABASE_URL is unset,
 * the first call in this process starts a throwaway server from PostgreSQL's own binaries
 * (/usr/lib/postgresql/<newest>/bin) in a temp folder, on a free loopback port, as the
 * `postgres` user when running as root (PostgreSQL refuses to run as root). A watchdog shell
 * stops that server and deletes its folder once this process is gone, however it ends.
 * Never a skip: a suite that did not run has not passed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface TestDatabase {
  /** postgres://… of the new, empty database. */
  url: string;
  /** Drops the database (disconnecting anyone still on it). */
  drop(): Promise<void>;
}

let throwaway: Promise<string> | null = null;

/** The server to create test databases on: TEST_DATABASE_URL, or this process's throwaway one. */
export function serverUrl(): Promise<string> {
  const configured = process.env.TEST_DATABASE_URL;
  if (configured) return Promise.resolve(configured);
  throwaway ??= startThrowaway();
  return throwaway;
}

/** A fresh, empty database for this test file. */
export async function withTestDatabase(): Promise<TestDatabase> {
  const base = await serverUrl();
  const name = `meshtalk_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await onServer(base, `CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function onServer(url: string, sql: string): Promise<void> {
  const c = new pg.Client(url);
  c.on('error', () => {});
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const dir = versions.map((v) => path.join(root, v, 'bin')).find((d) => existsSync(path.join(d, 'postgres')));
  if (!dir) throw new Error('TEST_DATABASE_URL is unset and no PostgreSQL binaries were found under /usr/lib/postgresql to start one');
  return dir;
}

/**
 * Runs the server under a shell that outlives nothing: it polls for this process, and when it
 * is gone (or the server died) stops the server and removes the folder. Arguments are passed
 * positionally, never spliced into the script.
 */
const SUPERVISOR = `
bin=$1 dir=$2 port=$3 parent=$4
"$bin/postgres" -D "$dir/data" -p "$port" -k "$dir" -h 127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off >"$dir/log" 2>&1 &
pg=$!
while [ -d "/proc/$parent" ] && kill -0 "$pg" 2>/dev/null; do sleep 0.5; done
kill -INT "$pg" 2>/dev/null
wait "$pg"
rm -rf "$dir"
`;

async function startThrowaway(): Promise<string> {
  const bin = binDir();
  const root = process.getuid?.() === 0;
  // As root the folder is made by, and belongs to, `postgres`, so its own watchdog can delete it.
  const asPostgres = (cmd: string, args: string[]): [string, string[]] => (root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  const dir = root
    ? execFileSync(...asPostgres('mktemp', ['-d', path.join(tmpdir(), 'meshtalk-pg-XXXXXX')]), { encoding: 'utf8' }).trim()
    : mkdtempSync(path.join(tmpdir(), 'meshtalk-pg-'));
  execFileSync(...asPostgres(path.join(bin, 'initdb'), ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']), {
    stdio: 'ignore',
  });
  const port = await freePort();
  const [cmd, args] = asPostgres('sh', ['-c', SUPERVISOR, 'sh', bin, dir, String(port), String(process.pid)]);
  const supervisor = spawn(cmd, args, { stdio: 'ignore', detached: true });
  supervisor.unref();

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await onServer(url, 'SELECT 1');
      return url;
    } catch (err) {
      if (Date.now() > deadline || supervisor.exitCode !== null) {
        let log = '';
        try {
          log = readFileSync(path.join(dir, 'log'), 'utf8');
        } catch {
          // The folder may already be gone.
        }
        throw new Error(`the throwaway PostgreSQL did not start: ${String(err)}\n${log}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
