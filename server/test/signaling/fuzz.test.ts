import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientRequests, ErrorCode } from '@meshtalk/protocol';
import { join, startServer, type TestClient, type TestServer } from '../support/server';

let server: TestServer;
let honestA: TestClient;
let honestB: TestClient;
let idA = '';
let idB = '';

beforeAll(async () => {
  // A generous limit, so the fuzz exercises validation rather than the rate limiter.
  server = await startServer({ RATE_LIMIT_BURST: '100000', RATE_LIMIT_PER_SEC: '100000', GRACE_MS: '100' });
  honestA = server.client();
  honestB = server.client();
  const a = await join(honestA, 'Ann');
  const b = await join(honestB, 'Bob');
  if (!a.ok || !b.ok) throw new Error('join failed');
  idA = a.data.self.id;
  idB = b.data.self.id;
});
afterAll(async () => {
  await server.close();
});

const events = Object.keys(ClientRequests) as (keyof typeof ClientRequests)[];
const codes = new Set<string>(Object.values(ErrorCode));

/** Payloads near the valid shapes (right keys, wrong or extreme values) and pure noise. */
const payload = fc.oneof(
  fc.anything({ maxDepth: 3, withBigInt: false }),
  fc.record(
    {
      name: fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), fc.constant('\u202e'), fc.integer()),
      participantId: fc.oneof(fc.uuid(), fc.string()),
      resumeToken: fc.oneof(fc.base64String({ minLength: 32, maxLength: 64 }), fc.string()),
      to: fc.oneof(fc.uuid(), fc.constant('self')),
      description: fc.oneof(fc.record({ type: fc.constantFrom('offer', 'answer', 'bogus'), sdp: fc.string({ maxLength: 200 }) }), fc.anything()),
      candidate: fc.oneof(fc.constant(null), fc.record({ candidate: fc.string({ maxLength: 100 }), sdpMLineIndex: fc.integer() })),
      muted: fc.oneof(fc.boolean(), fc.string()),
      epoch: fc.oneof(fc.integer(), fc.double()),
      peers: fc.array(fc.record({ peerId: fc.uuid(), state: fc.string(), rttMs: fc.double() }), { maxLength: 12 }),
      from: fc.uuid(),
      text: fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ minLength: 1990, maxLength: 2010 }), fc.constant('\u0000')),
    },
    { requiredKeys: [] },
  ),
);

describe('[V1] property-based fuzz of every event', () => {
  it('answers every random payload with a well-formed ack and keeps honest members served', async () => {
    const fuzzers = [server.client(), server.client()];
    await join(fuzzers[1]!, 'Fuzzer'); // one joined, one not
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...events), payload, fc.nat(1), async (event, body, who) => {
        const ack = (await fuzzers[who]!.timeout(5000).emitWithAck(event, body as never)) as { ok: boolean; error?: { code: string; message: string } };
        expect(typeof ack.ok).toBe('boolean');
        if (!ack.ok) {
          expect(codes.has(ack.error!.code)).toBe(true);
          expect(ack.error!.message).not.toMatch(/at .*\.ts|ZodError|TypeError/);
        }
      }),
      { numRuns: 400 },
    );
    for (const f of fuzzers) expect(f.connected).toBe(true);

    // The server is still up and the honest pair is still served.
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const got: unknown[] = [];
    honestB.on('signal:receive', (s) => got.push(s));
    const r = await honestA.timeout(3000).emitWithAck('signal:send', { to: idB, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMLineIndex: 0 } });
    expect(r.ok).toBe(true);
    await expect.poll(() => got).toHaveLength(1);
    const names = server.app.room.participants().map((p) => p.id);
    expect(names).toContain(idA);
    expect(names).toContain(idB);
    expect(server.app.room.size).toBeLessThanOrEqual(10);
  });
});
