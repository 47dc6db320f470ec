/**
 * The shipped nginx.conf in real nginx in front of the real built server, with the real built
 * client as its document root: people in a call entirely through nginx (page, assets,
 * Socket.IO over WebSocket, admin API), under nginx's security headers with no CSP violation.
 * Runs inside the loopback-only namespace (npm run test:e2e), after `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { expectAudioEverywhere, joinRoom, openPages, requireProgram, startRoomServer, stats, type RoomServer } from './fixtures';
import { REPO, startNginx, type RunningNginx } from '../deploy/test/support/nginx';

const hasNginx = spawnSync('nginx', ['-v']).status === 0;
const ADMIN_TOKEN = 'nginx-e2e-admin-token-0123456789';

/**
 * zod's feature probe: it tries `new Function('')` once, catches the refusal and parses without
 * code generation. The refusal is still reported. (`z.config({ jitless: true })` skips it.)
 */
const ZOD_EVAL_PROBE = /^script-src eval|Evaluating a string as JavaScript/;

/** Records every CSP violation the page reports, from before its first script runs. */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const console: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) console.push(m.text());
  });
  return async () =>
    [...console, ...(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []))].filter((v) => !ZOD_EVAL_PROBE.test(v));
}

test.describe('a call through nginx.conf', () => {
  test.beforeAll(() => requireProgram(hasNginx, 'nginx'));

  let server: RoomServer;
  let nginx: RunningNginx;

  test.beforeAll(async () => {
    server = await startRoomServer({ ADMIN_TOKEN });
    nginx = await startNginx(server.port, path.join(REPO, 'client', 'dist'));
  });

  test.afterAll(async () => {
    await nginx?.stop();
    await server?.stop();
  });

  test('three people hear each other with every byte of signaling through nginx, WebSocket included', async ({ browser }) => {
    const { context, pages } = await openPages(browser, 3);
    const sockets: string[] = [];
    const checks = await Promise.all(pages.map((p) => watchCsp(p)));
    const assets: Array<{ url: string; cache: string | undefined }> = [];
    let document: Record<string, string> = {};
    for (const p of pages) {
      p.on('websocket', (ws) => sockets.push(ws.url()));
      p.on('response', (r) => {
        const url = new URL(r.url());
        if (url.pathname.startsWith('/assets/')) assets.push({ url: r.url(), cache: r.headers()['cache-control'] });
        if (url.pathname === '/' && r.request().resourceType() === 'document') document = r.headers();
      });
    }
    await joinRoom(pages[0]!, nginx.url, 'Ann');
    await joinRoom(pages[1]!, nginx.url, 'Bob');
    await joinRoom(pages[2]!, nginx.url, 'Cid');
    for (const p of pages) await expect(p.getByTestId('tile')).toHaveCount(2);
    await expectAudioEverywhere(pages, 2);
    for (const p of pages) expect((await stats(p)).map((s) => s.state)).toEqual(['connected', 'connected']);

    // Signaling went over WebSocket to nginx's port, never to the server's own.
    expect(sockets.length).toBeGreaterThanOrEqual(3);
    for (const url of sockets) expect(url).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${nginx.port}/socket\\.io/`));
    // The page and its hashed assets came from nginx, with its headers and caching.
    expect(document['content-security-policy']).toContain(`connect-src 'self' wss://127.0.0.1:${nginx.port} ws://127.0.0.1:${nginx.port}`);
    expect(document['x-frame-options']).toBe('DENY');
    expect(document['cache-control']).toBe('no-cache');
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) expect(a.cache, a.url).toBe('public, max-age=31536000, immutable');
    // The real client runs under the policy without a single violation.
    for (const check of checks) expect(await check()).toEqual([]);
    await context.close();
  });

  test('a deep link gets the app (SPA fallback), and a reload rejoins through nginx', async ({ page }) => {
    const check = await watchCsp(page);
    await page.goto(`${nginx.url}/some/deep/link`);
    await expect(page.getByLabel('Your name')).toBeVisible();
    await joinRoom(page, nginx.url, 'Dee');
    await page.reload();
    await expect(page.getByRole('button', { name: 'Leave' }).or(page.getByLabel('Your name'))).toBeVisible();
    expect(await check()).toEqual([]);
  });

  test('the admin page and its API work through nginx; /metrics is not published', async ({ page }) => {
    const check = await watchCsp(page);
    const live = page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/api/admin/') && r.status() === 200);
    await page.goto(`${nginx.url}/admin#token=${ADMIN_TOKEN}`);
    const response = await live;
    expect(new URL(response.url()).port).toBe(String(nginx.port));
    expect(response.headers()['cache-control']).toBe('no-store');
    const metrics = await page.request.get(`${nginx.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(metrics.status()).toBe(404);
    expect(await check()).toEqual([]);
  });
});
