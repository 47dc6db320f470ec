/**
 * Why a join did not form a mesh: N people press Join together in meshtalk; when every page
 * hears every other, or after the wait, it prints per page how long its main thread stalled,
 * the Socket.IO heartbeats it saw and answered, how long the room server's main thread waited
 * for a CPU (from /proc/<pid>/schedstat), and, when the mesh is incomplete, every link's states
 * as each end sees them and the pages' warnings. Run inside the test namespace:
 *
 *   N=8 WAIT_MS=40000 node scripts/netns.mjs npx tsx bench/diagnose.ts
 */
import { readFileSync } from 'node:fs';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../scripts/chromium-args';
import { meshtalkStats, meshtalkSubject, sleep, startRoom, stopServer } from './subjects';

const N = Number(process.env.N ?? 8);
const WAIT_MS = Number(process.env.WAIT_MS ?? 40_000);

/** Installed before any page script: main-thread stalls and the engine.io heartbeat ("2" ping, "3" pong). */
function instrument() {
  const w = window as unknown as { __diag: { maxStallMs: number; stallsOver1s: number; pings: number[]; pongs: number[] } };
  w.__diag = { maxStallMs: 0, stallsOver1s: 0, pings: [], pongs: [] };
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    const stall = now - last - 100;
    last = now;
    w.__diag.maxStallMs = Math.max(w.__diag.maxStallMs, stall);
    if (stall > 1_000) w.__diag.stallsOver1s += 1;
  }, 100);
  const Native = WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (e: MessageEvent) => e.data === '2' && w.__diag.pings.push(Math.round(performance.now())));
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (data === '3') w.__diag.pongs.push(Math.round(performance.now()));
      super.send(data);
    }
  };
}

const room = await startRoom();
const subject = meshtalkSubject(room.url);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
const warnings: string[][] = [];
const pages: Page[] = [];
let t0 = performance.now();
for (let i = 0; i < N; i++) {
  const page = await (await browser.newContext()).newPage();
  await page.addInitScript(instrument);
  const mine: string[] = [];
  warnings.push(mine);
  page.on('console', (m) => m.type() !== 'log' && mine.push(`${((performance.now() - t0) / 1000).toFixed(1)} s ${m.type()}: ${m.text()}`));
  pages.push(page);
}
await Promise.all(pages.map((p) => p.goto(subject.url)));
await Promise.all(pages.map((p, i) => subject.prepare(p, i)));
const schedstat = () => readFileSync(`/proc/${room.proc.pid}/schedstat`, 'utf8').split(' ').map(Number);
const before = schedstat();
t0 = performance.now();
await Promise.all(pages.map((p) => subject.join(p)));
let complete = false;
while (!complete && performance.now() - t0 < WAIT_MS) {
  const heard = await Promise.all(pages.map(async (p) => (await subject.inbound(p)).filter((x) => x.bytes > 0).length));
  complete = heard.every((h) => h >= N - 1);
  if (!complete) await sleep(1_000);
}
const seconds = (performance.now() - t0) / 1000;
const after = schedstat();
console.log(complete ? `full mesh of ${N} after ${seconds.toFixed(1)} s` : `no full mesh of ${N} after ${seconds.toFixed(1)} s`);
console.log(`room server main thread: ran ${((after[0]! - before[0]!) / 1e9).toFixed(2)} s, waited for a CPU ${((after[1]! - before[1]!) / 1e9).toFixed(2)} s`);
const ids = await Promise.all(pages.map((p) => p.evaluate(() => (window as unknown as { __meshtalk: { snapshot(): { self: { id: string } | null } } }).__meshtalk.snapshot().self?.id ?? '')));
const who = (id: string) => `P${ids.indexOf(id)}`;
for (const [i, page] of pages.entries()) {
  const d = await page.evaluate(() => (window as unknown as { __diag: { maxStallMs: number; stallsOver1s: number; pings: number[]; pongs: number[] } }).__diag);
  console.log(`P${i}: main thread stalled up to ${Math.round(d.maxStallMs)} ms (${d.stallsOver1s} over 1 s); heartbeats seen ${d.pings.length}, answered ${d.pongs.length}`);
  if (complete) continue;
  const links = await meshtalkStats(page) as unknown as { peerId: string; state: string; signaling: string; ice: string; inboundAudioBytes: number; outboundAudioBytes: number }[];
  console.log('  ' + links.map((l) => `${who(l.peerId)} ${l.state}/${l.signaling}/${l.ice} in ${l.inboundAudioBytes} out ${l.outboundAudioBytes}`).join('\n  '));
  if (warnings[i]!.length) console.log('  ' + warnings[i]!.slice(0, 5).join('\n  '));
}
await browser.close();
await stopServer(room);
