/**
 * Real coturn (deploy/coturn/turnserver.conf) on loopback, real Chromium, credentials minted by
 * the server's own function: two peers forced through the relay (iceTransportPolicy 'relay')
 * connect and carry audio and data; expired or wrongly signed credentials are refused by
 * coturn (401) and yield no relay candidate; the shipped denied-peer-ip rules refuse to relay
 * into private space. Runs inside the loopback-only namespace (npm run test:e2e).
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { iceServersFor, type TurnOptions } from '../server/src/turn/credentials';
import { startCoturn, type RunningCoturn } from '../deploy/test/support/coturn';
import { requireProgram } from './fixtures';

const hasCoturn = spawnSync('turnserver', ['-h']).error === undefined;
const SECRET = 'loopback-test-secret-0123456789';
const TTL_SEC = 600;

interface Gathered {
  types: string[];
  errors: number[];
}

interface CallResult {
  state: string;
  message: string | null;
  localType: string | null;
  remoteType: string | null;
  audioBytes: number;
}

/** One page, one RTCPeerConnection: which candidate types it gathers, and any TURN error codes. */
function gather(page: Page, iceServers: RTCIceServer[]): Promise<Gathered> {
  return page.evaluate(async (servers) => {
    const pc = new RTCPeerConnection({ iceServers: servers, iceTransportPolicy: 'relay' });
    const types: string[] = [];
    const errors: number[] = [];
    pc.addEventListener('icecandidate', (e) => {
      if (e.candidate?.type) types.push(e.candidate.type);
    });
    pc.addEventListener('icecandidateerror', (e) => errors.push((e as RTCPeerConnectionIceErrorEvent).errorCode));
    pc.createDataChannel('probe');
    await pc.setLocalDescription();
    await new Promise<void>((resolve) => {
      const done = () => pc.iceGatheringState === 'complete' && resolve();
      pc.addEventListener('icegatheringstatechange', done);
      done();
      setTimeout(resolve, 15_000);
    });
    pc.close();
    return { types, errors };
  }, iceServers);
}

/** Two relay-only peers in one page (the perfect-negotiation sample's trick), audio and a data channel. */
function relayCall(page: Page, a: RTCIceServer[], b: RTCIceServer[], timeoutMs: number): Promise<CallResult> {
  return page.evaluate(
    async ({ a, b, timeoutMs }) => {
      const pa = new RTCPeerConnection({ iceServers: a, iceTransportPolicy: 'relay' });
      const pb = new RTCPeerConnection({ iceServers: b, iceTransportPolicy: 'relay' });
      pa.addEventListener('icecandidate', (e) => void (e.candidate && pb.addIceCandidate(e.candidate)));
      pb.addEventListener('icecandidate', (e) => void (e.candidate && pa.addIceCandidate(e.candidate)));
      const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
      for (const track of mic.getTracks()) pa.addTrack(track, mic);
      const channel = pa.createDataChannel('chat');
      const received = new Promise<string>((resolve) => {
        pb.addEventListener('datachannel', (e) => e.channel.addEventListener('message', (m) => resolve(String(m.data))));
      });
      await pa.setLocalDescription();
      await pb.setRemoteDescription(pa.localDescription!);
      await pb.setLocalDescription();
      await pa.setRemoteDescription(pb.localDescription!);

      const deadline = Date.now() + timeoutMs;
      while (pa.connectionState !== 'connected' || pb.connectionState !== 'connected') {
        if (pa.connectionState === 'failed' || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const state = pa.connectionState;
      let message: string | null = null;
      let localType: string | null = null;
      let remoteType: string | null = null;
      let audioBytes = 0;
      if (state === 'connected') {
        await new Promise<void>((resolve) => (channel.readyState === 'open' ? resolve() : channel.addEventListener('open', () => resolve())));
        channel.send('hello through the relay');
        message = await Promise.race([received, new Promise<null>((r) => setTimeout(() => r(null), 5_000))]);
        // Let audio flow for a moment, then read what crossed.
        await new Promise((r) => setTimeout(r, 1_500));
        const stats = await pb.getStats();
        stats.forEach((s: { type: string; kind?: string; bytesReceived?: number }) => {
          if (s.type === 'inbound-rtp' && s.kind === 'audio') audioBytes += s.bytesReceived ?? 0;
        });
        const own = await pa.getStats();
        own.forEach((s: { type: string; selectedCandidatePairId?: string }) => {
          if (s.type !== 'transport' || !s.selectedCandidatePairId) return;
          const pair = own.get(s.selectedCandidatePairId) as { localCandidateId: string; remoteCandidateId: string };
          localType = (own.get(pair.localCandidateId) as { candidateType: string }).candidateType;
          remoteType = (own.get(pair.remoteCandidateId) as { candidateType: string }).candidateType;
        });
      }
      mic.getTracks().forEach((t) => t.stop());
      pa.close();
      pb.close();
      return { state, message, localType, remoteType, audioBytes };
    },
    { a, b, timeoutMs },
  );
}

/** The lines of coturn's log that explain a failed relay, for the assertion message. */
const coturnTrouble = (c: RunningCoturn) =>
  c.log
    .join('')
    .split('\n')
    .filter((l) => /error|forbid|denied|permission|peer/i.test(l))
    .slice(-30)
    .join('\n');

test.describe('TURN: our credentials against real coturn', () => {
  test.beforeAll(() => requireProgram(hasCoturn, 'coturn'));

  let coturn: RunningCoturn;
  let site: Server;
  let origin: string;
  let turn: TurnOptions;

  test.beforeAll(async () => {
    coturn = await startCoturn(SECRET);
    turn = { urls: coturn.urls, secret: SECRET, ttlSec: TTL_SEC };
    // A page from 127.0.0.1 is a secure context, so getUserMedia exists.
    site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>turn</title>'));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  });

  test.afterAll(async () => {
    await coturn?.stop();
    await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  });

  test('two relay-only peers connect with minted credentials; audio and data cross the relay', async ({ page }) => {
    await page.goto(origin);
    const now = Date.now();
    const a = iceServersFor('participant-a', turn, now).iceServers as RTCIceServer[];
    const b = iceServersFor('participant-b', turn, now).iceServers as RTCIceServer[];
    const result = await relayCall(page, a, b, 20_000);
    expect(result.state, coturnTrouble(coturn)).toBe('connected');
    expect(result.localType).toBe('relay');
    expect(result.remoteType).toBe('relay');
    expect(result.message).toBe('hello through the relay');
    expect(result.audioBytes).toBeGreaterThan(0);
  });

  test('valid credentials gather a relay candidate', async ({ page }) => {
    await page.goto(origin);
    const { types, errors } = await gather(page, iceServersFor('participant-a', turn, Date.now()).iceServers as RTCIceServer[]);
    expect(types).toContain('relay');
    expect(errors).toEqual([]);
  });

  test('expired credentials are refused: 401, no relay candidate', async ({ page }) => {
    await page.goto(origin);
    // Minted two lifetimes ago, so the expiry in the username has passed.
    const stale = iceServersFor('participant-a', turn, Date.now() - 2 * TTL_SEC * 1000);
    expect(stale.expiresAt).toBeLessThan(Date.now());
    const { types, errors } = await gather(page, stale.iceServers as RTCIceServer[]);
    expect(types).toEqual([]);
    expect(errors).toContain(401);
  });

  test('credentials signed with another secret are refused: 401, no relay candidate', async ({ page }) => {
    await page.goto(origin);
    const forged = iceServersFor('participant-a', { ...turn, secret: 'not-the-shared-secret-000000' }, Date.now());
    const { types, errors } = await gather(page, forged.iceServers as RTCIceServer[]);
    expect(types).toEqual([]);
    expect(errors).toContain(401);
  });

  test('a username whose expiry was pushed forward no longer matches its signature', async ({ page }) => {
    await page.goto(origin);
    const grant = iceServersFor('participant-a', turn, Date.now());
    const server = grant.iceServers[0]!;
    const [expiry, id] = String(server.username).split(':');
    const tampered = [{ ...server, username: `${Number(expiry) + 86_400}:${id}` }] as RTCIceServer[];
    const { types, errors } = await gather(page, tampered);
    expect(types).toEqual([]);
    expect(errors).toContain(401);
  });
});

test.describe('TURN: the shipped denied-peer-ip rules', () => {
  test.beforeAll(() => requireProgram(hasCoturn, 'coturn'));

  test('refuse to relay to a loopback peer (no way into private space through the relay)', async ({ page }) => {
    const coturn = await startCoturn(SECRET, false);
    const site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html>'));
    try {
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
      const turn = { urls: coturn.urls, secret: SECRET, ttlSec: TTL_SEC };
      const now = Date.now();
      // Allocation works (the candidate exists), but every permission to a 127.0.0.1 peer is refused.
      const { types } = await gather(page, iceServersFor('participant-a', turn, now).iceServers as RTCIceServer[]);
      expect(types).toContain('relay');
      const result = await relayCall(page, iceServersFor('a', turn, now).iceServers as RTCIceServer[], iceServersFor('b', turn, now).iceServers as RTCIceServer[], 8_000);
      expect(result.state).not.toBe('connected');
    } finally {
      await coturn.stop();
      await new Promise<void>((resolve) => site.close(() => resolve()));
    }
  });
});
