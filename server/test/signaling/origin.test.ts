import { afterEach, describe, expect, it } from 'vitest';
import { connected, startServer, type TestServer } from '../support/server';

let server: TestServer;
afterEach(async () => {
  await server.close();
});

describe('WebSocket Origin check (cross-site WebSocket hijacking)', () => {
  it('refuses a foreign Origin by default and admits the same origin', async () => {
    server = await startServer();
    const evil = server.client({ origin: 'https://evil.example' });
    await expect(connected(evil)).rejects.toThrow();
    const same = server.client({ origin: server.url });
    await expect(connected(same)).resolves.toBeUndefined();
  });

  it('admits exactly the configured allow-list', async () => {
    server = await startServer({ ALLOWED_ORIGINS: 'https://talk.example.com' });
    await expect(connected(server.client({ origin: 'https://talk.example.com' }))).resolves.toBeUndefined();
    await expect(connected(server.client({ origin: server.url }))).rejects.toThrow();
  });
});
