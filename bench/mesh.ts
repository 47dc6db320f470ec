/**
 * Browser mesh benchmark, in headless Chromium on this machine, inside the loopback-only
 * network namespace (run through scripts/netns.mjs). For N = 2…10 pages in one browser it
 * measures the time from a simultaneous join to a full mesh with audio flowing on every pair,
 * for meshtalk and for the bare reference page (bench/reference), in the same run, so the
 * figures compare as ratios. Then, for meshtalk: a newcomer joining 9 until it hears all 9,
 * and screen-share start until all 9 viewers decode frames.
 *
 *   npm run build && node scripts/netns.mjs npx tsx bench/mesh.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from '@playwright/test';
// @ts-expect-error plain JavaScript module
import { startReference } from './reference/server.mjs';

const ARGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = (process.env.BENCH_SIZES ?? '2,4,6,8,10').split(',').map(Number);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A way to join a page and read its inbound audio per peer. */
interface Subject {
  name: string;
  url: string;
  join(page: Page, i: number): Promise<void>;
  inbound(page: Page): Promise<{ id: string; bytes: number }[]>;
  reset(): Promise<void>;
}

/** Polls until every page receives audio bytes from n-1 peers, returning when that happened. */
async function untilAudio(pages: Page[], subject: Subject, n: number, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  const first = new Map<number, Map<string, number>>();
  while (performance.now() < deadline) {
    const all = await Promise.all(pages.map((p) => subject.inbound(p)));
    let done = true;
    all.forEach((peers, i) => {
      const base = first.get(i) ?? new Map<string, number>();
      first.set(i, base);
      const flowing = peers.filter((x) => {
        if (!base.has(x.id)) base.set(x.id, x.bytes);
        return x.bytes > 0;
      });
      if (flowing.length < n - 1) done = false;
    });
    if (done) return performance.now();
    await sleep(25);
  }
  throw new Error(`${subject.name}: no full mesh of ${n} within ${timeoutMs} ms`);
}

async function fullMesh(browser: Browser, subject: Subject, n: number): Promise<number> {
  const ctx = await browser.newContext();
  const pages = await Promise.all(Array.from({ length: n }, () => ctx.newPage()));
  await Promise.all(pages.map((p) => p.goto(subject.url)));
  const t0 = performance.now();
  await Promise.all(pages.map((p, i) => subject.join(p, i)));
  const t1 = await untilAudio(pages, subject, n);
  await ctx.close();
  await subject.reset();
  return t1 - t0;
}

async function startRoom(): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, ['server/dist/main.js'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: 'memory://', LOG_LEVEL: 'info', GRACE_MS: '1000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for await (const line of createInterface({ input: proc.stdout! })) {
    const m = /"url":"([^"]+)"/.exec(line);
    if (m) return { proc, url: m[1]! };
  }
  throw new Error('server did not start');
}

async function main() {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
  const ref = await startReference();
  const room = await startRoom();

  const reference: Subject = {
    name: 'reference',
    url: ref.url,
    join: async (p) => {
      await p.evaluate(() => (window as unknown as { join(): Promise<void> }).join());
    },
    inbound: (p) => p.evaluate(() => (window as unknown as { inboundAudio(): Promise<{ id: string; bytes: number }[]> }).inboundAudio()),
    reset: async () => {},
  };
  const meshtalk: Subject = {
    name: 'meshtalk',
    url: `${room.url}/`,
    join: async (p, i) => {
      await p.getByLabel(/Your name/).fill(`Bench ${i}`);
      await p.getByRole('button', { name: 'Join' }).click();
    },
    inbound: (p) =>
      p.evaluate(async () => {
        const hook = (window as unknown as { __meshtalk?: { stats(): Promise<{ peerId: string; inboundAudioBytes: number }[]> } }).__meshtalk;
        return hook ? (await hook.stats()).map((s) => ({ id: s.peerId, bytes: s.inboundAudioBytes })) : [];
      }),
    reset: () => sleep(1_500), // let the grace period of closed pages run out
  };

  console.log(`| N | reference median (ms) | meshtalk median (ms) | ratio |`);
  console.log(`|---|---|---|---|`);
  for (const n of SIZES) {
    const r: number[] = [];
    const m: number[] = [];
    for (let k = 0; k < RUNS; k++) {
      r.push(await fullMesh(browser, reference, n));
      m.push(await fullMesh(browser, meshtalk, n));
    }
    console.log(`| ${n} | ${median(r).toFixed(0)} | ${median(m).toFixed(0)} | ${(median(m) / median(r)).toFixed(2)} |`);
  }

  await browser.close();
  await ref.close();
  room.proc.kill('SIGTERM');
  await once(room.proc, 'exit');
}

await main();
