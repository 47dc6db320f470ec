/**
 * Browser mesh benchmark, in headless Chromium on this machine, inside the loopback-only
 * network namespace (run through scripts/netns.mjs). For N = 2…10 pages in one browser it
 * measures the time from a simultaneous join to a full mesh with audio flowing on every pair,
 * for meshtalk and for the bare reference page (bench/reference), in the same run, so the
 * figures compare as ratios. Then a newcomer joining 9 until it hears all 9, screen-share start
 * until all 9 viewers decode frames (the reference adds its screen to every link and offers
 * again), and the CPU a settled call costs.
 *
 *   npm run bench -- mesh     (BENCH_RUNS, BENCH_SIZES, BENCH_PARTS, BENCH_NEWCOMER, BENCH_VIEWERS,
 *                             BENCH_TIMEOUT_MS, BENCH_CPU_SIZES, BENCH_THREADS=1 for CPU by thread, BENCH_TIMELINE=1 for each link's stamps,
 *                             BENCH_SERVER_NICE, BENCH_SHARE_SETTLE_MS, BENCH_REF_QUERY=?ptime=60 for the reference)
 *
 * BENCH_AB_DIST=/path/to/another/client/dist puts a second build of the client where the
 * reference was ("variant", its own room server): two builds measured alternately in one sitting.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../scripts/chromium-args';
import { markJoin, timelineLine, timelineScript } from './timeline';
import { chromiumThreadTicks, chromiumTicks, meshtalkSubject, POLL_MS, referenceSubject, sleep, startReferenceServer, startRoom, stopServer, TIMEOUT_MS, untilAudio, type Subject } from './subjects';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = (process.env.BENCH_SIZES ?? '2,4,6,8,10').split(',').map(Number);
/** People already in the room when the newcomer joins, and viewers of a share (9 in a full room). */
const NEWCOMER_OTHERS = Number(process.env.BENCH_NEWCOMER ?? 9);
const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 9);
/** How long the call runs before the presenter presses Share screen, ms. */
const SHARE_SETTLE_MS = Number(process.env.BENCH_SHARE_SETTLE_MS ?? 10_000);
/** Which parts to run: the full-mesh table, the newcomer and share figures, the CPU of a call. */
const PARTS = (process.env.BENCH_PARTS ?? 'mesh,newcomer,share,cpu').split(',');
/** Which subjects to run (both by default, alternately). */
const SUBJECTS = (process.env.BENCH_SUBJECTS ?? 'reference,meshtalk').split(',');
/** Call sizes whose steady-state CPU is measured. */
const CPU_SIZES = (process.env.BENCH_CPU_SIZES ?? '4,6').split(',').map(Number);
/** Also stamp every link's progress and print where each join's time went (bench/timeline.ts). */
const TIMELINE = process.env.BENCH_TIMELINE === '1';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
/**
 * One browser context per person, as people are: no shared storage, no shared renderer.
 * BENCH_CONTEXTS=shared puts every page in one context instead (how earlier figures were taken).
 */
async function openPage(browser: Browser): Promise<Page> {
  const page = process.env.BENCH_CONTEXTS === 'shared' ? await (browser.contexts()[0] ?? (await browser.newContext())).newPage() : await (await browser.newContext()).newPage();
  await page.addInitScript(gapProbe);
  if (TIMELINE) await page.addInitScript(timelineScript);
  return page;
}

/**
 * The longest time a page's main thread ran no 250 ms timer since the join, ms. A page that is
 * runnable but without a core for tens of seconds (e2e full room, 2026-12-07) measures the
 * scheduler, not the client: printed beside each join, for both subjects, so a "never" can be read.
 */
function gapProbe(): void {
  const w = window as unknown as { __longestGap: number };
  w.__longestGap = 0;
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    w.__longestGap = Math.max(w.__longestGap, now - last - 250);
    last = now;
  }, 250);
}

async function printGaps(label: string, pages: Page[]): Promise<void> {
  const gaps = await Promise.all(
    pages.map((p) => Promise.race([p.evaluate(() => (window as unknown as { __longestGap: number }).__longestGap), sleep(5_000).then(() => null)]).catch(() => null)),
  );
  console.error(`  ${label}: longest main-thread gap per page, s: ${gaps.map((g) => (g === null ? '?' : (g / 1000).toFixed(1))).join(' ')}`);
}

async function openJoined(browser: Browser, subject: Subject, n: number): Promise<{ pages: Page[]; ms: number }> {
  const pages = await Promise.all(Array.from({ length: n }, () => openPage(browser)));
  await Promise.all(pages.map((p) => p.goto(subject.url)));
  await Promise.all(pages.map((p, i) => subject.prepare(p, i)));
  const threadsBefore = process.env.BENCH_THREADS ? chromiumThreadTicks() : null;
  // Gaps from here on: the join, not the page's load.
  await Promise.all(pages.map((p) => p.evaluate(() => void ((window as unknown as { __longestGap: number }).__longestGap = 0))));
  if (TIMELINE) await markJoin(pages);
  const t0 = performance.now();
  await Promise.all(pages.map((p) => subject.join(p)));
  const t1 = await untilAudio(pages, subject, n).finally(async () => {
    if (threadsBefore) printThreads(`${subject.name} join of ${n}, CPU seconds by thread`, threadsBefore, 100);
    await printGaps(`${subject.name} join of ${n}`, pages);
    if (TIMELINE) console.error(`  ${subject.name} join of ${n}: ${await timelineLine(pages)}`);
  });
  return { pages, ms: t1 - t0 };
}

/**
 * One measurement: its figure, or null (and why, on stderr) when it failed or timed out. The
 * pages are closed and the subject reset either way, so the next run starts clean.
 */
async function measure(browser: Browser, subject: Subject, label: string, run: () => Promise<number>): Promise<number | null> {
  try {
    return await run();
  } catch (err) {
    console.error(`  ${label}: ${(err as Error).message}`);
    return null;
  } finally {
    await subject.reset(browser.contexts().flatMap((c) => c.pages()));
    for (const c of browser.contexts()) await c.close();
  }
}

/** Time from a simultaneous join of n pages to audio flowing on every pair; null if it never did. */
const fullMesh = (browser: Browser, subject: Subject, n: number) =>
  measure(browser, subject, `${subject.name} mesh of ${n}`, async () => (await openJoined(browser, subject, n)).ms);

/** A newcomer joins `others` people already talking: time until it hears every one of them. */
async function newcomer(browser: Browser, subject: Subject, others: number): Promise<number | null> {
  return measure(browser, subject, `${subject.name} newcomer`, async () => {
    await openJoined(browser, subject, others);
    const page = await openPage(browser);
    await page.goto(subject.url);
    await subject.prepare(page, others);
    const t0 = performance.now();
    await subject.join(page);
    return (await untilAudio([page], subject, others + 1)) - t0;
  });
}

/** One presenter and `viewers` others: time from pressing Share screen until every viewer decodes frames. */
async function shareToFrames(browser: Browser, subject: Subject, viewers: number): Promise<number | null> {
  return measure(browser, subject, `${subject.name} share`, async () => {
    const { pages } = await openJoined(browser, subject, viewers + 1);
    const [presenter, ...rest] = pages as [Page, ...Page[]];
    const presenterId = await subject.selfId(presenter);
    // People share in a call that has settled, not in the second its last link came up.
    await sleep(SHARE_SETTLE_MS);
    const t0 = performance.now();
    await subject.share(presenter);
    const deadline = t0 + TIMEOUT_MS;
    // When each viewer first decoded a frame, s: one late viewer or all of them late.
    const firstFrame: (number | null)[] = rest.map(() => null);
    for (;;) {
      const frames = await Promise.all(rest.map((v) => subject.framesFrom(v, presenterId)));
      frames.forEach((f, i) => (firstFrame[i] ??= f > 0 ? (performance.now() - t0) / 1000 : null));
      if (frames.every((f) => f > 0) || performance.now() > deadline) {
        console.error(`  ${subject.name} share to ${viewers}: first frame per viewer, s: ${firstFrame.map((x) => (x === null ? 'never' : x.toFixed(1))).join(' ')}`);
        if (frames.every((f) => f > 0)) return performance.now() - t0;
        throw new Error(`no frames at every viewer within ${TIMEOUT_MS} ms`);
      }
      await sleep(POLL_MS);
    }
  });
}

/** Percent of one core the browser uses for a settled call of n pages, over 20 s. */
async function steadyCpu(browser: Browser, subject: Subject, n: number): Promise<number | null> {
  return measure(browser, subject, `${subject.name} cpu`, async () => {
    await openJoined(browser, subject, n);
    await sleep(5_000);
    const before = chromiumTicks();
    const threadsBefore = chromiumThreadTicks();
    await sleep(20_000);
    const total = (chromiumTicks() - before) / 20;
    if (process.env.BENCH_THREADS) printThreads(`${subject.name} settled call of ${n}, % of one core by thread`, threadsBefore, 20);
    return total;
  });
}

/** With BENCH_THREADS: where the CPU went since `before`, per thread kind, divided by `per`. */
function printThreads(label: string, before: Map<string, number>, per: number): void {
  const rows = [...chromiumThreadTicks()].map(([k, t]) => [k, (t - (before.get(k) ?? 0)) / per] as const).sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, v]) => sum + v, 0);
  console.error(`  ${label}: total ${total.toFixed(1)}; ${rows.slice(0, 14).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
}

const fmt = (xs: (number | null)[]) => {
  const ok = xs.filter((x): x is number => x !== null);
  const failed = xs.length - ok.length;
  return ok.length ? `${median(ok).toFixed(0)}${failed ? ` (${failed} of ${xs.length} never completed)` : ''}` : `never (${xs.length} tries)`;
};

async function main() {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS.filter((a) => !(process.env.BENCH_DROP_ARGS ?? '').split(',').includes(a)) });
  const ref = await startReferenceServer();
  const room = await startRoom();

  const variantRoom = process.env.BENCH_AB_DIST ? await startRoom(process.env.BENCH_AB_DIST) : null;
  const reference = variantRoom
    ? { ...meshtalkSubject(variantRoom.url), name: 'variant' }
    : referenceSubject(`${ref.url}/${process.env.BENCH_REF_QUERY ?? ''}`);
  const meshtalk = meshtalkSubject(room.url);

  if (PARTS.includes('mesh')) await meshTable(browser, reference, meshtalk);
  if (PARTS.includes('newcomer') || PARTS.includes('share')) await newcomerTable(browser, reference, meshtalk);
  if (PARTS.includes('cpu')) {
    console.log(`\nCPU of a settled call, all Chromium processes, % of one core over 20 s\n`);
    console.log(`| N | reference | meshtalk |`);
    console.log(`|---|---|---|`);
    for (const n of CPU_SIZES) {
      const r = SUBJECTS.includes('reference') ? await steadyCpu(browser, reference, n) : null;
      const m = SUBJECTS.includes('meshtalk') ? await steadyCpu(browser, meshtalk, n) : null;
      console.log(`| ${n} | ${r === null ? '–' : r.toFixed(0)} | ${m === null ? '–' : m.toFixed(0)} |`);
    }
  }

  await browser.close();
  await stopServer(ref);
  await stopServer(room);
  if (variantRoom) await stopServer(variantRoom);
}

async function meshTable(browser: Browser, reference: Subject, meshtalk: Subject) {
  console.log(`Full mesh: simultaneous join until audio flows on every pair (median of ${RUNS} runs, ms)\n`);
  console.log(`| N | ${reference.name} | meshtalk | ratio |`);
  console.log(`|---|---|---|---|`);
  for (const n of SIZES) {
    const r: (number | null)[] = [];
    const m: (number | null)[] = [];
    for (let k = 0; k < RUNS; k++) {
      if (SUBJECTS.includes('reference')) r.push(await fullMesh(browser, reference, n));
      if (SUBJECTS.includes('meshtalk')) m.push(await fullMesh(browser, meshtalk, n));
      console.error(`  N = ${n}, run ${k + 1}: ${reference.name} ${r.at(-1)?.toFixed(0) ?? '–'} ms, meshtalk ${m.at(-1)?.toFixed(0) ?? '–'} ms`);
    }
    const rs = r.filter((x): x is number => x !== null);
    const ms = m.filter((x): x is number => x !== null);
    const ratio = rs.length && ms.length ? (median(ms) / median(rs)).toFixed(2) : '–';
    console.log(`| ${n} | ${fmt(r)} | ${fmt(m)} | ${ratio} |`);
  }
}

async function newcomerTable(browser: Browser, reference: Subject, meshtalk: Subject) {
  console.log(`\nNewcomer joining ${NEWCOMER_OTHERS} people until it hears all of them; share start until ${VIEWERS} viewers decode frames (median of ${RUNS} runs, ms)\n`);
  const nr: (number | null)[] = [];
  const nm: (number | null)[] = [];
  const sh: (number | null)[] = [];
  const sr: (number | null)[] = [];
  const share = PARTS.includes('share');
  for (let k = 0; k < RUNS; k++) {
    if (PARTS.includes('newcomer')) {
      if (SUBJECTS.includes('reference')) nr.push(await newcomer(browser, reference, NEWCOMER_OTHERS));
      if (SUBJECTS.includes('meshtalk')) nm.push(await newcomer(browser, meshtalk, NEWCOMER_OTHERS));
    }
    if (share && SUBJECTS.includes('reference')) sr.push(await shareToFrames(browser, reference, VIEWERS));
    if (share && SUBJECTS.includes('meshtalk')) sh.push(await shareToFrames(browser, meshtalk, VIEWERS));
    console.error(`  run ${k + 1}: newcomer reference ${nr.at(-1)?.toFixed(0) ?? '–'} ms, meshtalk ${nm.at(-1)?.toFixed(0) ?? '–'} ms; share reference ${sr.at(-1)?.toFixed(0) ?? '–'} ms, meshtalk ${sh.at(-1)?.toFixed(0) ?? '–'} ms`);
  }
  console.log(`| figure | reference | meshtalk |`);
  console.log(`|---|---|---|`);
  console.log(`| newcomer hears ${NEWCOMER_OTHERS} | ${fmt(nr)} | ${fmt(nm)} |`);
  console.log(`| share start → ${VIEWERS} viewers decode frames | ${fmt(sr)} | ${fmt(sh)} |`);
}

await main();
