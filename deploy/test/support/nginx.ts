/**
 * Runs the shipped nginx.conf in real nginx for tests: copied into a temp prefix with its
 * writable paths, listen port, document root and upstream line rewritten, nothing else.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../../..');
export const NGINX_CONF = path.join(REPO, 'nginx.conf');
/** The one line that names the server; tests point it at their own. */
export const UPSTREAM_LINE = 'server meshtalk-server:3000;';
/** The last of Google's load-balancer ranges in the `geo` that says whose X-Forwarded-For counts. */
export const GOOGLE_LB_LINE = '35.191.0.0/16   1;';

export interface NginxOptions {
  /** A loopback address that stands in for Google's load balancer (added beside its ranges). */
  googleLb?: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`nginx.conf: expected exactly one "${from}"`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

export interface NginxPrefix {
  dir: string;
  conf: string;
  port: number;
}

/** Writes a runnable copy of nginx.conf: upstream → 127.0.0.1:upstreamPort, root → `root`. */
export async function preparePrefix(upstreamPort: number, root: string, options: NginxOptions = {}): Promise<NginxPrefix> {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshtalk-nginx-'));
  const port = await freePort();
  let text = readFileSync(NGINX_CONF, 'utf8');
  text = text.replaceAll(' /tmp/', ` ${dir}/`);
  text = replaceOnce(text, UPSTREAM_LINE, `server 127.0.0.1:${upstreamPort};`);
  text = replaceOnce(text, 'listen 8080;', `listen 127.0.0.1:${port};`);
  text = replaceOnce(text, 'root /usr/share/nginx/html;', `root ${root};`);
  if (options.googleLb) text = replaceOnce(text, GOOGLE_LB_LINE, `${GOOGLE_LB_LINE}\n        ${options.googleLb}/32 1;`);
  // The image runs nginx unprivileged; as root here, keep the workers root too, so they can
  // read the test's private temp directories.
  if (process.getuid?.() === 0) text = `user root;\n${text}`;
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, text);
  return { dir, conf, port };
}

/** `nginx -t` on a prepared copy: exit code and what nginx said. */
export function nginxTest(prefix: NginxPrefix): { status: number | null; output: string } {
  // nginx opens /dev/stdout for the access log: give it a real file, not a socket.
  const r = spawnSync('nginx', ['-t', '-p', prefix.dir, '-c', prefix.conf, '-e', 'stderr'], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

export interface RunningNginx {
  url: string;
  port: number;
  /** The master process; its children are the workers. */
  pid: number;
  stderr: string[];
  stop(): Promise<void>;
}

function waitForPort(port: number, proc: ChildProcess, stderr: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (proc.exitCode !== null) return reject(new Error(`nginx exited: ${stderr.join('')}`));
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`nginx did not listen: ${stderr.join('')}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export async function startNginx(upstreamPort: number, root: string, options: NginxOptions = {}): Promise<RunningNginx> {
  const prefix = await preparePrefix(upstreamPort, root, options);
  const stderr: string[] = [];
  const proc = spawn('nginx', ['-p', prefix.dir, '-c', prefix.conf, '-e', 'stderr', '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  await waitForPort(prefix.port, proc, stderr);
  return {
    url: `http://127.0.0.1:${prefix.port}`,
    port: prefix.port,
    pid: proc.pid!,
    stderr,
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        // Fast shutdown: a graceful one (SIGQUIT) would wait for open WebSockets.
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(prefix.dir, { recursive: true, force: true });
    },
  };
}
