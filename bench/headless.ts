/**
 * What headless participants cost and how fast they fill a room, inside the loopback-only
 * network namespace (run through scripts/netns.mjs; `npm run bench -- headless`):
 *
 * 1. `npm run load` with 9 participants against the built server: once all 36 pairs carry audio
 *    and 5 s more have passed, the CPU (user + system, % of one core) and resident memory of
 *    the load process over 20 s; also its time from start to that full mesh.
 * 2. One real Chromium page and 9 headless participants joining at the same moment: the time
 *    until all 45 pairs carry audio (the page hears all 9, every headless end hears everyone).
 *
 *   BENCH_RUNS (3), BENCH_TIMEOUT_MS (120000), BENCH_PARTS (cost,mesh), BENCH_THREADS=1 (the
 *   load process's CPU by thread over the same window), BENCH_PTIME (20; the load's --ptime)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { startHeadless } from '../load/src/spawn';
import { CHROMIUM_ARGS } from '../scripts/chromium-args';
import { meshtalkSubject, sleep, startRoom, stopServer } from './subjects';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 120_000);
const PARTS = (process.env.BENCH_PARTS ?? 'cost,mesh').split(',');
const WINDOW_S = 20;
const PTIME = process.env.BENCH_PTIME ?? '20';

/** CPU ticks (1/100 s) of a process so far, and its resident memory in MiB now. */
function usage(pid: number): { ticks: number; rssMiB: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { ticks: Number(fields[11]) + Number(fields[12]), rssMiB: Number(rss) / 1024 };
}

/** CPU ticks of each thread of a process so far, by thread name (digits dropped). */
function threadTicks(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/\d+$/, '');
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
      out.set(name, (out.get(name) ?? 0) + Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (xs: (number | null)[], digits = 0) => {
  const ok = xs.filter((x): x is number => x !== null);
  const runs = xs.map((x) => (x === null ? 'never' : x.toFixed(digits))).join(', ');
  return ok.length ? `${median(ok).toFixed(digits)} (${runs})` : `never (${runs})`;
};

/** 9 headless participants settled: CPU % of one core and RSS (MiB, peak of 1 s samples) over WINDOW_S. */
async function cost(url: string): Promise<{ cpu: number; rss: number; meshMs: number } | null> {
  const run = startHeadless(['--url', url, '--participants', '9', '--seconds', '600', '--ptime', PTIME]);
  try {
    const t0 = performance.now();
    await run.until((p) => p.joined === 9 && p.pairs === 36 && p.withAudio === 36, TIMEOUT_MS, 'a full mesh of 9');
    const meshMs = performance.now() - t0;
    await sleep(5_000);
    const before = usage(run.pid);
    const threadsBefore = process.env.BENCH_THREADS ? threadTicks(run.pid) : null;
    let rss = before.rssMiB;
    for (let s = 0; s < WINDOW_S; s++) {
      await sleep(1_000);
      rss = Math.max(rss, usage(run.pid).rssMiB);
    }
    const after = usage(run.pid);
    if (threadsBefore) {
      const rows = [...threadTicks(run.pid)].map(([k, t]) => [k, (t - (threadsBefore.get(k) ?? 0)) / WINDOW_S] as const).filter(([, v]) => v >= 0.5);
      console.error(`  by thread, % of one core: ${rows.sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
    }
    const settled = run.progress;
    if (!settled || settled.withAudio !== 36) throw new Error(`the mesh did not hold: ${settled?.withAudio}/36 with audio`);
    return { cpu: (after.ticks - before.ticks) / WINDOW_S, rss, meshMs };
  } catch (err) {
    console.error(`  cost: ${(err as Error).message.slice(0, 300)}`);
    return null;
  } finally {
    await run.interrupt();
  }
}

/** One page and 9 headless participants joining together: ms until every one of the 45 pairs carries audio. */
async function mixedMesh(browser: Awaited<ReturnType<typeof chromium.launch>>, url: string): Promise<number | null> {
  const subject = meshtalkSubject(url);
  const context = await browser.newContext();
  const page = await context.newPage();
  let run: ReturnType<typeof startHeadless> | null = null;
  try {
    await page.goto(subject.url);
    await subject.prepare(page, 0);
    const t0 = performance.now();
    run = startHeadless(['--url', url, '--participants', '9', '--seconds', '600', '--ptime', PTIME]);
    await subject.join(page);
    const headless = run
      .until((p) => p.joined === 9 && p.pairs === 45 && p.withAudio === 45, TIMEOUT_MS, 'all 45 pairs with audio at the headless ends')
      .then(() => performance.now());
    const deadline = t0 + TIMEOUT_MS;
    let pageDone: number | null = null;
    while (pageDone === null && performance.now() < deadline) {
      const heard = (await subject.inbound(page)).filter((x) => x.bytes > 0).length;
      if (heard >= 9) pageDone = performance.now();
      else await sleep(200);
    }
    if (pageDone === null) throw new Error('the page did not hear all 9');
    return Math.max(pageDone, await headless) - t0;
  } catch (err) {
    console.error(`  mixed mesh: ${(err as Error).message.slice(0, 300)}`);
    return null;
  } finally {
    await subject.reset([page]);
    await run?.interrupt();
    await context.close();
  }
}

async function main() {
  const room = await startRoom();
  try {
    if (PARTS.includes('cost')) {
      const runs: ({ cpu: number; rss: number; meshMs: number } | null)[] = [];
      for (let k = 0; k < RUNS; k++) {
        runs.push(await cost(room.url));
        const r = runs.at(-1);
        console.error(`  9 headless, run ${k + 1}: ${r ? `${r.cpu.toFixed(0)} % CPU, ${r.rss.toFixed(0)} MiB, mesh in ${r.meshMs.toFixed(0)} ms` : 'failed'}`);
        await sleep(2_000);
      }
      console.log(`\n9 headless participants in one Node process, settled (median of ${RUNS} runs, every run in brackets)\n`);
      console.log('| figure | value |');
      console.log('|---|---|');
      console.log(`| CPU, % of one core over ${WINDOW_S} s | ${fmt(runs.map((r) => r?.cpu ?? null))} |`);
      console.log(`| resident memory, peak of 1 s samples (MiB) | ${fmt(runs.map((r) => r?.rss ?? null))} |`);
      console.log(`| start → all 36 pairs with audio (ms) | ${fmt(runs.map((r) => r?.meshMs ?? null))} |`);
    }
    if (PARTS.includes('mesh')) {
      const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
      const times: (number | null)[] = [];
      for (let k = 0; k < RUNS; k++) {
        times.push(await mixedMesh(browser, room.url));
        console.error(`  1 page + 9 headless, run ${k + 1}: ${times.at(-1)?.toFixed(0) ?? 'never'} ms`);
      }
      await browser.close();
      console.log(`\n1 Chromium page + 9 headless participants joining at once (median of ${RUNS} runs, ms)\n`);
      console.log('| figure | value |');
      console.log('|---|---|');
      console.log(`| join → all 45 pairs with audio | ${fmt(times)} |`);
    }
  } finally {
    await stopServer(room);
  }
}

await main();
