/**
 * Runs the shipped deploy/coturn/turnserver.conf in real coturn on loopback for tests. Only
 * what a loopback test cannot have is changed: addresses and ports, TLS files, the secret;
 * `allowLoopbackPeers` adds the one exception that lets two local peers relay to each other
 * (without it the shipped denied-peer-ip rules refuse them, which a test also proves).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, freePort } from './nginx';

export const COTURN_CONF = path.join(REPO, 'deploy', 'coturn', 'turnserver.conf');

export interface RunningCoturn {
  port: number;
  urls: string[];
  log: string[];
  stop(): Promise<void>;
}

export interface CoturnTestOptions {
  port: number;
  secret: string;
  dir: string;
  allowLoopbackPeers: boolean;
  /** Also relay on ::1, so a client can ask for an IPv6 allocation and IPv6 peers (RFC 6156). */
  ipv6Relay?: boolean;
}

export function testConf(shipped: string, opts: CoturnTestOptions): string {
  const lines = shipped.split('\n').filter((l) => !/^(cert|pkey|external-ip|tls-listening-port|log-file)=/.test(l));
  let text = lines.join('\n');
  const swap = (from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`turnserver.conf: expected "${from}"`);
    text = text.replace(from, to);
  };
  swap('listening-port=3478', `listening-port=${opts.port}`);
  swap('static-auth-secret=CHANGE_ME_TURN_SECRET', `static-auth-secret=${opts.secret}`);
  text += [
    '',
    '# --- test overrides ---',
    'listening-ip=127.0.0.1',
    'relay-ip=127.0.0.1',
    ...(opts.ipv6Relay ? ['relay-ip=::1'] : []),
    'no-tls',
    'no-dtls',
    `pidfile=${opts.dir}/turnserver.pid`,
    `userdb=${opts.dir}/turndb`,
    'log-file=stdout',
    // coturn refuses loopback peers on its own too; lift that, so only the shipped
    // denied-peer-ip rules decide (and the one allowed-peer-ip exception below).
    'allow-loopback-peers',
    ...(opts.allowLoopbackPeers ? ['allowed-peer-ip=127.0.0.1'] : []),
    '',
  ].join('\n');
  return text;
}

export async function startCoturn(secret: string, allowLoopbackPeers = true, { ipv6Relay = false } = {}): Promise<RunningCoturn> {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshtalk-coturn-'));
  const port = await freePort();
  const conf = path.join(dir, 'turnserver.conf');
  writeFileSync(conf, testConf(readFileSync(COTURN_CONF, 'utf8'), { port, secret, dir, allowLoopbackPeers, ipv6Relay }));
  const log: string[] = [];
  const proc = spawn('turnserver', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (c: Buffer) => log.push(c.toString()));
  proc.stderr!.on('data', (c: Buffer) => log.push(c.toString()));
  const deadline = Date.now() + 10_000;
  await new Promise<void>((resolve, reject) => {
    const attempt = () => {
      if (proc.exitCode !== null) return reject(new Error(`turnserver exited: ${log.join('')}`));
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`turnserver did not listen: ${log.join('')}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
  return {
    port,
    urls: [`turn:127.0.0.1:${port}?transport=udp`, `turn:127.0.0.1:${port}?transport=tcp`],
    log,
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
