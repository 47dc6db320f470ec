/**
 * The two subjects the browser benchmarks compare, and what both need: the room server, the
 * bare reference page, polling for audio on every pair, and the CPU of every Chromium process.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Page } from '@playwright/test';
import { niced } from '../scripts/nice';

/** How long one measurement may take before it counts as never completed. */
export const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 60_000);
/** How often the harness reads every page's getStats: gently, the same for both subjects. */
export const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 200);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A way to join a page and read its inbound audio per peer. */
export interface Subject {
  name: string;
  url: string;
  /** Untimed: whatever a person does before pressing Join (type a name, let the mic open). */
  prepare(page: Page, i: number): Promise<void>;
  /** Timed from here: the join itself, started inside the page. */
  join(page: Page): Promise<void>;
  inbound(page: Page): Promise<{ id: string; bytes: number }[]>;
  /** Presses Share screen (untimed setup is done: the call is up). */
  share(page: Page): Promise<void>;
  /** The page's own id, as its peers know it. */
  selfId(page: Page): Promise<string>;
  /** Video frames this page has decoded from peer `id`. */
  framesFrom(page: Page, id: string): Promise<number>;
  /** Ends the measurement's call on these pages (before they close), so the next starts clean. */
  reset(pages: Page[]): Promise<void>;
}

/** Polls until every page receives audio bytes from n-1 peers, returning when that happened. */
export async function untilAudio(pages: Page[], subject: Subject, n: number, timeoutMs = TIMEOUT_MS): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let heard: number[] = [];
  while (performance.now() < deadline) {
    const all = await Promise.all(pages.map((p) => subject.inbound(p)));
    heard = all.map((peers) => peers.filter((x) => x.bytes > 0).length);
    if (heard.every((h) => h >= n - 1)) return performance.now();
    await sleep(POLL_MS);
  }
  throw new Error(`${subject.name}: no full mesh of ${n} within ${timeoutMs} ms (peers heard per page: ${heard.join(' ')})`);
}

/**
 * A server never shares its people's CPUs in a real call; here the browsers and the server share
 * two cores, and Chromium runs its WebRTC and audio threads at nice -8, so a server at nice 0
 * waits for its turn on a CPU (bench/diagnose.ts prints how long). BENCH_SERVER_NICE (e.g. -10,
 * as root) runs both subjects' servers at another priority, each in a session of its own so the
 * priority counts against the browser's (scripts/nice.ts); the default leaves them at 0.
 */
const SERVER_NICE = Number(process.env.BENCH_SERVER_NICE ?? 0);

/** Starts a server program on a free port, resolving with the URL from its `"url":"…"` log line. */
async function startServer(args: string[], env: Record<string, string> = {}): Promise<{ proc: ChildProcess; url: string }> {
  const [cmd, ...rest] = niced(SERVER_NICE, [process.execPath, ...args]);
  const proc = spawn(cmd!, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const m = /"url":"([^"]+)"/.exec(line);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', () => reject(new Error(`${args[0]} did not start`)));
  });
  return { proc, url };
}

/** The admin token of the bench's room server: reset() asks it who is still in the room. */
const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789';

/**
 * The built room server on a free port with an in-memory database, as shipped otherwise.
 * `clientDist`: serve another build of the client (an A/B of two builds in one sitting).
 */
export const startRoom = (clientDist?: string) =>
  startServer([...serverProfile(), 'server/dist/main.js'], {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: 'memory://',
    LOG_LEVEL: 'info',
    ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    ...(clientDist && { CLIENT_DIST: clientDist }),
  });

/** BENCH_SERVER_PROFILE=dir: the room server writes a CPU profile of its whole run there when it stops. */
const serverProfile = () => (process.env.BENCH_SERVER_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_SERVER_PROFILE] : []);

/** How many people the room server holds now (the admin API's live view). */
async function inRoom(roomUrl: string): Promise<number> {
  const res = await fetch(new URL('/api/admin/live', roomUrl), { headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}` } });
  return ((await res.json()) as { participants: unknown[] }).participants.length;
}

/** The bare reference's relay and page (bench/reference), in its own process like the room server. */
export const startReferenceServer = () => startServer(['bench/reference/server.mjs']);

/** Stops a server started here. */
export async function stopServer(server: { proc: ChildProcess }): Promise<void> {
  if (server.proc.exitCode !== null) return;
  server.proc.kill('SIGTERM');
  await new Promise((r) => server.proc.once('exit', r));
}

/** A meshtalk page's links as its test hook reports them (client/src/call/debug.ts). */
export interface MeshtalkLink {
  peerId: string;
  state: string;
  signaling: string;
  ice: string;
  inboundAudioBytes: number;
  framesDecoded: number;
}

export const meshtalkStats = (p: Page) =>
  p.evaluate(async () => {
    const hook = (window as unknown as { __meshtalk?: { stats(): Promise<MeshtalkLink[]> } }).__meshtalk;
    return hook ? hook.stats() : [];
  });

/** A meshtalk page's own participant id. */
export const meshtalkSelfId = (p: Page) =>
  p.evaluate(() => (window as unknown as { __meshtalk: { snapshot(): { self: { id: string } } } }).__meshtalk.snapshot().self.id);

export function referenceSubject(url: string): Subject {
  return {
    name: 'reference',
    url,
    prepare: async () => {},
    join: async (p) => {
      await p.evaluate(() => (window as unknown as { join(): Promise<void> }).join());
    },
    inbound: (p) => p.evaluate(() => (window as unknown as { inboundAudio(): Promise<{ id: string; bytes: number }[]> }).inboundAudio()),
    share: (p) => p.evaluate(() => (window as unknown as { share(): Promise<void> }).share()),
    selfId: (p) => p.evaluate(() => (window as unknown as { selfId(): string }).selfId()),
    framesFrom: (p, id) => p.evaluate((id) => (window as unknown as { framesFrom(id: string): Promise<number> }).framesFrom(id), id),
    reset: async () => {},
  };
}

export function meshtalkSubject(roomUrl: string): Subject {
  return {
    name: 'meshtalk',
    url: `${roomUrl}/`,
    prepare: async (p, i) => {
      await p.getByLabel('Your name').fill(`Bench ${i}`);
      await p.waitForFunction(() => [...document.querySelectorAll('button')].some((b) => b.textContent?.trim() === 'Join' && !b.disabled));
    },
    join: (p) => p.evaluate(() => [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Join')!.click()),
    // The same reading as the reference's: getStats per link, inbound audio bytes summed.
    inbound: (p) => p.evaluate(() => (window as unknown as { __meshtalk: { inboundAudio(): Promise<{ id: string; bytes: number }[]> } }).__meshtalk.inboundAudio()),
    share: (p) => p.evaluate(() => [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Share screen')!.click()),
    selfId: meshtalkSelfId,
    framesFrom: async (p, id) => (await meshtalkStats(p)).find((s) => s.peerId === id)?.framesDecoded ?? 0,
    // Everyone presses Leave, as people do: their slots free at once, the grace period stays real.
    reset: async (pages) => {
      await Promise.all(
        pages.map((p) =>
          p
            .evaluate(() => [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Leave')?.click())
            .catch(() => undefined),
        ),
      );
      // A page too starved to send its leave holds its slot for the grace period: the next
      // measurement would meet a room still full of them. Wait until the room is empty.
      const deadline = performance.now() + 40_000;
      let left = await inRoom(roomUrl);
      while (left > 0 && performance.now() < deadline) {
        await sleep(500);
        left = await inRoom(roomUrl);
      }
      if (left > 0) {
        // Too starved even to leave: closing their pages ends their sockets, and the server's
        // grace period (20 s) then frees their slots. Wait for that too.
        console.error(`  reset: ${left} still in the room 40 s after Leave; closing their pages`);
        await Promise.all(pages.map((p) => p.context().close().catch(() => undefined)));
        const closedBy = performance.now() + 30_000;
        while (left > 0 && performance.now() < closedBy) {
          await sleep(500);
          left = await inRoom(roomUrl);
        }
        if (left > 0) console.error(`  reset: ${left} still in the room after their pages closed`);
      }
    },
  };
}

/** CPU time (user + system) of every Chromium process so far, in clock ticks (1/100 s). */
export function chromiumTicks(): number {
  let total = 0;
  const pids = execFileSync('pgrep', ['-f', 'chromium'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

/**
 * CPU ticks of every Chromium thread so far, keyed by process type and thread name
 * ("renderer WebRTC_W_and_N", "audio AudioProcessing"): where a call's CPU goes.
 */
export function chromiumThreadTicks(): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!cmd.split(' ')[0]!.includes('chromium')) continue;
      const type = /--utility-sub-type=(\w+)/.exec(cmd)?.[1] ?? /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser';
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/\d+$/, '');
        const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
        const key = `${type} ${name}`;
        out.set(key, (out.get(key) ?? 0) + Number(fields[11]) + Number(fields[12]));
      }
    } catch {
      // The process or thread ended meanwhile.
    }
  }
  return out;
}
