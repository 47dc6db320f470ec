/**
 * deploy/coturn/turnserver.conf as coturn reads it (key=value lines): time-limited credentials
 * only, no private peer reachable through the relay, quotas, no admin surface. The end-to-end
 * proof with real coturn and Chromium is e2e/turn.spec.ts.
 */
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COTURN_CONF, testConf } from './support/coturn';

const lines = readFileSync(COTURN_CONF, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const entries = lines.map((l) => {
  const at = l.indexOf('=');
  return at < 0 ? { key: l, value: '' } : { key: l.slice(0, at), value: l.slice(at + 1) };
});
const values = (key: string) => entries.filter((e) => e.key === key).map((e) => e.value);
const has = (key: string) => entries.some((e) => e.key === key);

/** An IPv4 or IPv6 address as one number (IPv4 in the ::ffff:0:0/96 space would differ; kept apart). */
function toBig(ip: string): { v: 4 | 6; n: bigint } {
  if (isIP(ip) === 4) return { v: 4, n: ip.split('.').reduce((acc, part) => (acc << 8n) + BigInt(part), 0n) };
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = toBig(v4[1]!).n;
    text = text.replace(v4[1]!, `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`);
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return { v: 6, n: groups.reduce((acc, g) => (acc << 16n) + BigInt(`0x${g || '0'}`), 0n) };
}

function denied(ip: string): boolean {
  const addr = toBig(ip);
  return values('denied-peer-ip').some((range) => {
    const [lo, hi = lo] = range.split('-') as [string, string?];
    const a = toBig(lo);
    const b = toBig(hi);
    return a.v === addr.v && a.n <= addr.n && addr.n <= b.n;
  });
}

describe('deploy/coturn/turnserver.conf', () => {
  it('accepts only time-limited credentials signed with the shared secret', () => {
    expect(has('use-auth-secret')).toBe(true);
    expect(values('static-auth-secret')).toEqual(['CHANGE_ME_TURN_SECRET']);
    expect(values('realm')).toHaveLength(1);
    expect(has('fingerprint')).toBe(true);
    // No static users, no long-term password file, no anonymous access.
    for (const key of ['user', 'lt-cred-mech', 'no-auth', 'userdb', 'static-auth-secret-file']) expect(has(key), key).toBe(false);
  });

  it('refuses to relay into private, loopback, link-local, metadata and multicast space', () => {
    const privateSpace = [
      '10.0.0.1', '10.255.255.255', '172.16.0.1', '172.31.255.254', '192.168.1.10', '127.0.0.1', '127.255.0.1',
      '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '239.255.255.250', '255.255.255.255',
      '::1', 'fd00::1', 'fc12:3456::1', 'fe80::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1', '64:ff9b::a00:1',
      // IPv4 spelt in IPv6 (compatible, translated), local-use NAT64, site-local, documentation.
      '::127.0.0.1', '::ffff:0:7f00:1', '64:ff9b:1::1', '64:ff9b:1:ffff::1', 'fec0::1', 'feff::1', '2001:db8::1', '2001:db8:ffff::1', '3fff::1',
    ];
    for (const ip of privateSpace) expect(denied(ip), ip).toBe(true);
    for (const ip of ['8.8.8.8', '35.191.1.1', '130.211.0.1', '172.32.0.1', '192.169.0.1', '2001:4860:4860::8888']) expect(denied(ip), ip).toBe(false);
    expect(has('no-multicast-peers')).toBe(true);
    // coturn reads a range starting at `::` as unbounded below: it would deny every peer.
    for (const range of values('denied-peer-ip')) expect(range, range).not.toMatch(/^::-/);
    expect(has('allow-loopback-peers')).toBe(false);
    expect(has('allowed-peer-ip')).toBe(false);
  });

  it('sets quotas sized for a ten-person mesh: one participant fits, one username is a small share of the whole', () => {
    const userQuota = Number(values('user-quota')[0]);
    const totalQuota = Number(values('total-quota')[0]);
    // A browser allocates one relay per peer connection and per TURN URL the server hands out.
    const configmap = readFileSync(new URL('../../k8s/base/configmap.yaml', import.meta.url), 'utf8');
    const urls = (/^\s*TURN_URLS:\s*(\S+)$/m.exec(configmap)?.[1] ?? '').split(',').filter(Boolean);
    expect(urls.length).toBeGreaterThan(0);
    const perParticipant = 9 * urls.length;
    expect(userQuota).toBeGreaterThanOrEqual(perParticipant);
    // Small enough that one username cannot hold the room's share: a few restarts' worth above the need.
    expect(userQuota).toBeLessThanOrEqual(perParticipant + 9);
    // The whole room at its quota fits, with headroom for reconnects; one username is a small part of it.
    expect(totalQuota).toBeGreaterThanOrEqual(10 * userQuota * 2);
    expect(userQuota / totalQuota).toBeLessThanOrEqual(0.05);
    expect(Number(values('max-bps')[0])).toBeGreaterThan(0);
  });

  it('has no admin CLI, no TLS 1.0/1.1, and does not advertise its version', () => {
    for (const key of ['no-cli', 'no-tlsv1', 'no-tlsv1_1', 'no-software-attribute']) expect(has(key), key).toBe(true);
    expect(values('cli-password')).toEqual([]);
  });

  it('relays on the UDP range the firewall rule in docs/deploy.md opens', () => {
    expect(values('min-port')).toEqual(['49152']);
    expect(values('max-port')).toEqual(['65535']);
    const doc = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
    expect(doc).toContain('udp:49152-65535');
    expect(doc).toMatch(/tcp:3478|3478/);
  });

  it('the test copy changes only addresses, ports, TLS files and the secret', () => {
    const shipped = readFileSync(COTURN_CONF, 'utf8');
    const copy = testConf(shipped, { port: 40000, secret: 's'.repeat(20), dir: '/tmp/x', allowLoopbackPeers: false });
    for (const range of values('denied-peer-ip')) expect(copy).toContain(`denied-peer-ip=${range}`);
    expect(copy).toContain('use-auth-secret');
    expect(copy).not.toContain('allowed-peer-ip');
  });
});
