/**
 * The real stack for end-to-end tests: the built server as a child process on a free loopback
 * port, pages that join the room the way a person does, and media figures from getStats.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { niced } from '../scripts/nice';

export interface RoomServer {
  url: string;
  port: number;
  lines: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port (a restart). */
  restart(): Promise<void>;
}

/**
 * A program the test proves something with (nginx, coturn): missing, the test fails and says how
 * to install it. Skipping would report a pass for something never tried.
 */
export function requireProgram(found: boolean, what: string): void {
  if (!found) throw new Error(`${what} is not installed: apt-get install -y ${what} (.ci/run does this)`);
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

/** An admin token the e2e servers accept (≥ 128 bits, as the server requires). */
export const E2E_ADMIN_TOKEN = 'e2e-admin-token-0123456789';

/** GET on the admin API of a server started with E2E_ADMIN_TOKEN. */
export function adminFetch(server: { url: string }, path: string): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` } });
}

/**
 * One room server with the admin side on for the specs of this file: started before them,
 * stopped after. Read `.current` inside a test.
 */
export function adminRoomServer(): { current: RoomServer } {
  const server = { current: null as unknown as RoomServer };
  test.beforeAll(async () => {
    server.current = await startRoomServer({ ADMIN_TOKEN: E2E_ADMIN_TOKEN });
  });
  test.afterAll(async () => {
    await server.current.stop();
  });
  return server;
}

/**
 * The room server runs on a machine of its own in a deployment; here it shares two cores with
 * every browser and headless participant of a test. Chromium runs its WebRTC and audio threads
 * at nice -8, so a server left at 0 can wait tens of seconds for a core and miss Socket.IO's
 * heartbeats (bench/RESULTS.md, the 8-person join). Where we may (root), it runs at nice -10,
 * in a session of its own so that the nice counts against Chromium's (scripts/nice.ts).
 */
function serverCommand(): [string, string[]] {
  const [cmd, ...args] = niced(-10, [process.execPath, 'server/dist/main.js']);
  return [cmd!, args];
}

/**
 * Ten people's media on two cores starve the pages: a page's main thread was seen to run no
 * timer for 16 to 50 s at a time in the full room (2026-12-07, bench/RESULTS.md), while the
 * machine itself kept running (a real-time probe saw no pause). Socket.IO's 20 s heartbeat then
 * drops the page, and a page still stalled when its slot's grace runs out comes back as a new
 * participant with every link new. A person's own laptop is not shared with nine others: the
 * test servers give a page 60 s to answer the heartbeat (HEARTBEAT_TIMEOUT_MS).
 */
const E2E_HEARTBEAT_TIMEOUT_MS = '60000';

export async function startRoomServer(env: Record<string, string> = {}): Promise<RoomServer> {
  const port = await freePort();
  const lines: string[] = [];
  let proc: ChildProcess;
  const launch = async () => {
    proc = spawn(...serverCommand(), {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: 'memory://', GRACE_MS: '5000', HEARTBEAT_TIMEOUT_MS: E2E_HEARTBEAT_TIMEOUT_MS, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const rl = createInterface({ input: proc.stdout! });
    await new Promise<void>((resolve, reject) => {
      rl.on('line', (line) => {
        lines.push(line);
        if (line.includes('"msg":"listening"')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`server exited with ${code}: ${lines.slice(-5).join('\n')}`)));
    });
  };
  await launch();
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill(signal);
    await exited;
  };
  return { url: `http://127.0.0.1:${port}`, port, lines, stop, restart: launch };
}

export interface Stat {
  peerId: string;
  state: string;
  signaling: string;
  inboundAudioBytes: number;
  framesDecoded: number;
  /** Local UDP port of the selected candidate pair. */
  localPort: number | null;
  /** The cap on the audio sender of this link (none: null). */
  audioMaxBitrate: number | null;
  /** The video line's negotiated direction (null: none yet). */
  videoDirection: string | null;
}

export function stats(page: Page): Promise<Stat[]> {
  return page.evaluate(() => (window as unknown as { __meshtalk: { stats(): Promise<Stat[]> } }).__meshtalk.stats());
}

/** The participant id a joined page was given. */
export const selfId = (page: Page): Promise<string> =>
  page.evaluate(() => (window as unknown as { __meshtalk: { snapshot(): { self: { id: string } } } }).__meshtalk.snapshot().self.id);

export async function joinRoom(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(page.getByRole('button', { name: 'Leave' })).toBeVisible();
}

/**
 * Waits until the links between these pages have their idle video line (added once the mesh has
 * settled, one renegotiation per pair): from then on, nothing renegotiates unless something changes.
 */
export async function expectVideoLines(pages: Page[]): Promise<void> {
  const ids = await Promise.all(pages.map(selfId));
  for (const [i, p] of pages.entries()) {
    const others = ids.filter((_, j) => j !== i);
    await expect
      .poll(async () => (await stats(p)).filter((s) => others.includes(s.peerId) && s.videoDirection === 'sendrecv' && s.signaling === 'stable').length, { timeout: 60_000 })
      .toBe(others.length);
  }
}

/** Opens `n` pages in one context (one browser, like the benchmark). */
export async function openPages(browser: Browser, n: number): Promise<{ context: BrowserContext; pages: Page[] }> {
  const context = await browser.newContext();
  const pages = await Promise.all(Array.from({ length: n }, () => context.newPage()));
  return { context, pages };
}

/** One browser context per person, as people are: no shared storage, no shared renderer. */
export async function openPeople(browser: Browser, n: number): Promise<{ pages: Page[]; close: () => Promise<void> }> {
  const contexts = await Promise.all(Array.from({ length: n }, () => browser.newContext()));
  const pages = await Promise.all(contexts.map((c) => c.newPage()));
  return { pages, close: async () => void (await Promise.all(contexts.map((c) => c.close()))) };
}

/**
 * Waits until every page has `peers` connected links, each receiving audio that keeps growing;
 * from the `muted` participant ids no growth is asked (a muted person's sender sends nothing).
 * Growth is asked within GROWTH_WINDOW_MS, as long as a page may stall (E2E_HEARTBEAT_TIMEOUT_MS):
 * a stalled page answers no poll.
 */
const GROWTH_WINDOW_MS = 60_000;

export async function expectAudioEverywhere(pages: Page[], peers: number, timeout = 60_000, muted: readonly string[] = []): Promise<void> {
  const first = await Promise.all(
    pages.map(async (p, i) => {
      try {
        await expect
          .poll(async () => (await stats(p)).filter((s) => s.state === 'connected' && s.inboundAudioBytes > 0).length, { timeout, intervals: [3_000] })
          .toBe(peers);
      } catch (err) {
        // Say where the page is (refused, still joining, reconnecting) and what each link does.
        const alerts = await p.getByRole('alert').allInnerTexts().catch(() => []);
        const status = await p.getByRole('status').allInnerTexts().catch(() => []);
        const inLobby = await p.getByRole('button', { name: 'Join' }).isVisible().catch(() => false);
        const links = (await stats(p).catch(() => [] as Stat[])).map((s) => `${s.peerId}: ${s.state}, ${s.signaling}, ${s.inboundAudioBytes} bytes`);
        const where = [`alerts: ${JSON.stringify(alerts)}`, `status: ${JSON.stringify(status)}`, `Join shown: ${inLobby}`, `links (${links.length}):`, ...links];
        throw new Error(`page ${i + 1}: not ${peers} links with audio within ${timeout / 1000} s:\n${where.join('\n')}\n${String(err)}`, { cause: err });
      }
      return stats(p);
    }),
  );
  const grown = (before: Stat[], now: Stat[]) =>
    now.filter((s) => !muted.includes(s.peerId) && s.inboundAudioBytes > (before.find((f) => f.peerId === s.peerId)?.inboundAudioBytes ?? Infinity));
  await Promise.all(
    pages.map(async (p, i) => {
      const expected = first[i]!.filter((s) => !muted.includes(s.peerId));
      try {
        await expect.poll(async () => grown(first[i]!, await stats(p)).length, { timeout: GROWTH_WINDOW_MS, intervals: [500] }).toBe(expected.length);
      } catch (err) {
        // Say which links stopped, and in what state, so a failure names the pair.
        const now = await stats(p).catch(() => [] as Stat[]);
        const still = expected.filter((f) => !grown(first[i]!, now).some((s) => s.peerId === f.peerId));
        const where = still.map((f) => {
          const s = now.find((n) => n.peerId === f.peerId);
          return `${f.peerId}: ${f.inboundAudioBytes} → ${s ? `${s.inboundAudioBytes} bytes, ${s.state}` : 'no link'}`;
        });
        throw new Error(`page ${i + 1}: audio stopped growing on ${still.length} of ${expected.length} links within ${GROWTH_WINDOW_MS / 1000} s:\n${where.join('\n')}\n${String(err)}`, { cause: err });
      }
    }),
  );
}
