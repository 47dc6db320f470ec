/**
 * M2: the admin guard behind proxies. The client address is TRUST_PROXY_HOPS hops from the right
 * of X-Forwarded-For (the same rule as the sockets' caps), a right token always opens the door,
 * wrong tokens are throttled per client, and /metrics has a token of its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server';

let server: TestServer;
afterEach(async () => {
  await server.close();
});

const TOKEN = 'admin-token-for-tests-0123456789';
const METRICS = 'metrics-token-for-tests-9876543210';
const get = (path: string, token: string | null, xff?: string) =>
  fetch(`${server.url}${path}`, { headers: { ...(token && { authorization: `Bearer ${token}` }), ...(xff && { 'x-forwarded-for': xff }) } });

/** Eleven wrong tokens in a row: the statuses. The throttle allows ten per five minutes. */
async function guesses(xff: (i: number) => string | undefined): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) statuses.push((await get('/api/admin/live', `guess-${i}-xxxxxxxxxxxxxxxxxxxx`, xff(i))).status);
  return statuses;
}

describe('[M2] admin throttle', () => {
  it('a valid admin token is accepted while its address is throttled', async () => {
    server = await startServer({}, { adminToken: TOKEN });
    expect(await guesses(() => undefined)).toEqual([...Array(10).fill(401), 429]);
    expect((await get('/api/admin/live', TOKEN)).status).toBe(200);
    // The right token does not clear the wrong ones: guessing from here stays throttled.
    expect((await get('/api/admin/live', 'guess-again-xxxxxxxxxxxxxxxxxxxx')).status).toBe(429);
  });

  it('TRUST_PROXY_HOPS=0: a rotating X-Forwarded-For does not evade the throttle', async () => {
    server = await startServer({ TRUST_PROXY_HOPS: '0' }, { adminToken: TOKEN });
    expect(await guesses((i) => `203.0.113.${i + 1}`)).toEqual([...Array(10).fill(401), 429]);
  });

  it('TRUST_PROXY_HOPS=1: only the hop the proxy appended counts, whatever the client wrote before it', async () => {
    server = await startServer({ TRUST_PROXY_HOPS: '1' }, { adminToken: TOKEN });
    // A private address as the proxy's hop: the old rule trusted every private range and walked past it.
    expect(await guesses((i) => `203.0.113.${i + 1}, 10.0.0.7`)).toEqual([...Array(10).fill(401), 429]);
    // Another client behind the same proxy is not throttled by the first one's guesses.
    expect((await get('/api/admin/live', 'guess-x-xxxxxxxxxxxxxxxxxxxxxxxx', '10.0.0.8')).status).toBe(401);
    expect((await get('/api/admin/live', TOKEN, '203.0.113.99, 10.0.0.7')).status).toBe(200);
  });
});

describe('[M2] /metrics has its own token', () => {
  it('takes METRICS_TOKEN as a bearer token, and not the admin token', async () => {
    server = await startServer({}, { adminToken: TOKEN, metricsToken: METRICS });
    const ok = await get('/metrics', METRICS);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/^meshtalk_participants 0$/m);
    expect((await get('/metrics', TOKEN)).status).toBe(401);
    expect((await get('/metrics', null)).status).toBe(401);
    // ...and the metrics token opens nothing else.
    expect((await get('/api/admin/live', METRICS)).status).toBe(401);
  });

  it('is off (404) without METRICS_TOKEN, whatever the admin token', async () => {
    server = await startServer({}, { adminToken: TOKEN, metricsToken: null });
    const res = await get('/metrics', TOKEN);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'metrics are off (no METRICS_TOKEN)' } });
  });
});
