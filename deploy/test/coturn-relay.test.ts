/**
 * deploy/coturn/turnserver.conf in real coturn on loopback, asked directly over TURN (no
 * browser): which peers it will relay to (CreatePermission, IPv4 and IPv6 allocations) and how
 * many allocations one username may hold. The browser's view of the same server (credentials,
 * a relayed call) is e2e/turn.spec.ts.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COTURN_CONF, startCoturn, type RunningCoturn } from './support/coturn';
import { TurnClient, restCredentials } from './support/turn-client';

if (spawnSync('turnserver', ['-h']).error !== undefined) throw new Error('coturn is not installed: apt-get install -y coturn (.ci/run does this)');

const SECRET = 'deploy-test-secret-0123456789';
const setting = (key: string) => readFileSync(COTURN_CONF, 'utf8').match(new RegExp(`^${key}=(\\S+)$`, 'm'))?.[1];

/** Peers no relay of ours may reach, by the family of the allocation that asks for them. */
const DENIED = {
  4: ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '100.64.0.1', '169.254.169.254', '0.0.0.1', '198.18.0.1', '203.0.113.9'],
  6: [
    '::',
    '::1',
    '::7f00:1', // ::127.0.0.1, IPv4-compatible
    '::ffff:7f00:1', // ::ffff:127.0.0.1, IPv4-mapped
    '::ffff:0:7f00:1', // ::ffff:0:127.0.0.1, IPv4-translated (SIIT)
    '64:ff9b::a00:1', // NAT64 of 10.0.0.1
    '64:ff9b:1::1', // local-use NAT64
    'fec0::1', // site-local
    '2001:db8::1', // documentation
    '3fff::1', // documentation
    'fd00::1',
    'fe80::1',
  ],
} as const;
const PUBLIC = { 4: '8.8.8.8', 6: '2001:4860:4860::8888' } as const;

describe('deploy/coturn/turnserver.conf in real coturn', () => {
  let coturn: RunningCoturn;
  const clients: TurnClient[] = [];
  /** A fresh client 5-tuple; the same credentials object means the same username. */
  const client = (credentials: { username: string; password: string }) => {
    const c = new TurnClient({ host: '127.0.0.1', port: coturn.port }, credentials);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    // No loopback exception: only the shipped denied-peer-ip rules decide.
    coturn = await startCoturn(SECRET, false, { ipv6Relay: true });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await coturn?.stop();
  });

  it.each([4, 6] as const)('an IPv%i relay refuses every private, reserved and documentation peer (403) and permits a public one', async (family) => {
    const c = client(restCredentials(SECRET, `peer-check-v${family}`));
    expect(await c.allocate(family), coturn.log.join('')).toBe(0);
    const answers: Record<string, number> = {};
    for (const ip of [...DENIED[family], PUBLIC[family]]) answers[ip] = await c.createPermission(ip);
    expect(answers).toEqual({ ...Object.fromEntries(DENIED[family].map((ip) => [ip, 403])), [PUBLIC[family]]: 0 });
  });

  it('one username holds at most user-quota allocations (486 past it); another username still gets its own', async () => {
    const quota = Number(setting('user-quota'));
    const hoarder = restCredentials(SECRET, 'hoarder');
    const answers: number[] = [];
    for (let i = 0; i <= quota; i++) answers.push(await client(hoarder).allocate());
    expect({ granted: answers.filter((a) => a === 0).length, refused: answers.filter((a) => a !== 0) }).toEqual({ granted: quota, refused: [486] });
    expect(await client(restCredentials(SECRET, 'member')).allocate()).toBe(0);
  });
});
