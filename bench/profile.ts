/**
 * Where a page's time goes while N people join together: per page, the main thread's task,
 * script, layout and style time (CDP Performance metrics) from Join until `BENCH_SETTLE_MS`
 * after the full mesh, the CPU of every Chromium process, and (BENCH_CPU_PROFILE=1) the
 * JavaScript functions with the most self time on one page. Runs the bare reference and meshtalk
 * alternately in one browser, one context per person, like bench/mesh.ts.
 *
 *   node scripts/netns.mjs npx tsx bench/profile.ts   (BENCH_SIZES, BENCH_RUNS, BENCH_SETTLE_MS, BENCH_CPU_PROFILE,
 *   BENCH_TRACE, BENCH_SUBJECTS=reference,meshtalk, BENCH_PROFILE_FILE=/tmp/p to keep the .cpuprofile)
 */
import { writeFileSync } from 'node:fs';
import { chromium, type Browser, type CDPSession, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../scripts/chromium-args';
import { chromiumTicks, meshtalkSubject, referenceSubject, sleep, startReferenceServer, startRoom, stopServer, untilAudio, type Subject } from './subjects';

const SIZES = (process.env.BENCH_SIZES ?? '6').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 5_000);
const CPU_PROFILE = process.env.BENCH_CPU_PROFILE === '1';
/** Also record a trace of the browser and sum the first page's main-thread events by name. */
const TRACE = process.env.BENCH_TRACE === '1';
/** The trace's categories (BENCH_TRACE_CATEGORIES, comma-separated, e.g. adding webrtc,audio for WebRTC's own threads). */
const TRACE_CATEGORIES = (process.env.BENCH_TRACE_CATEGORIES ?? 'devtools.timeline,disabled-by-default-devtools.timeline').split(',');

type Metrics = Record<string, number>;

async function metrics(cdp: CDPSession): Promise<Metrics> {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

function topFunctions(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, top = Number(process.env.BENCH_TOP ?? 25)): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const file = n.callFrame.url.split('/').pop() ?? '';
    const key = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, ms]) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${k}`);
}

interface TraceEvent {
  name: string;
  ph: string;
  dur?: number;
  tid: number;
  pid: number;
  args?: { name?: string };
}

/** Self time of complete events on each renderer main thread, by event name, summed. */
function traceSummary(trace: { traceEvents: TraceEvent[] }, top = 20): string[] {
  const mainThreads = new Set(trace.traceEvents.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const total = new Map<string, number>();
  for (const e of trace.traceEvents) {
    if (e.ph !== 'X' || !e.dur || !mainThreads.has(`${e.pid}:${e.tid}`)) continue;
    total.set(e.name, (total.get(e.name) ?? 0) + e.dur / 1000);
  }
  return [...total.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${name}`);
}

async function run(browser: Browser, subject: Subject, n: number): Promise<void> {
  const pages: Page[] = [];
  for (let i = 0; i < n; i++) pages.push(await (await browser.newContext()).newPage());
  try {
    await Promise.all(pages.map((p) => p.goto(subject.url)));
    await Promise.all(pages.map((p, i) => subject.prepare(p, i)));
    const sessions = await Promise.all(pages.map((p) => p.context().newCDPSession(p)));
    await Promise.all(sessions.map((s) => s.send('Performance.enable')));
    if (CPU_PROFILE) {
      await sessions[0]!.send('Profiler.enable');
      await sessions[0]!.send('Profiler.setSamplingInterval', { interval: 500 });
      await sessions[0]!.send('Profiler.start');
    }
    if (TRACE) await browser.startTracing(pages[0], { categories: TRACE_CATEGORIES });
    const before = await Promise.all(sessions.map(metrics));
    const ticks0 = chromiumTicks();
    const t0 = performance.now();
    await Promise.all(pages.map((p) => subject.join(p)));
    let meshMs: number | null = null;
    try {
      meshMs = (await untilAudio(pages, subject, n)) - t0;
    } catch (err) {
      console.log(`  ${(err as Error).message}`);
    }
    await sleep(SETTLE_MS);
    const wall = (performance.now() - t0) / 1000;
    const cpu = (chromiumTicks() - ticks0) / 100;
    const after = await Promise.all(sessions.map(metrics));
    const sum = (k: string) => after.reduce((acc, m, i) => acc + (m[k]! - before[i]![k]!), 0);
    console.log(
      `${subject.name} N=${n}: mesh ${meshMs === null ? 'never' : `${meshMs.toFixed(0)} ms`}; over ${wall.toFixed(1)} s: ` +
        `chromium CPU ${cpu.toFixed(1)} s; main threads (sum of ${n} pages): task ${sum('TaskDuration').toFixed(2)} s, ` +
        `script ${sum('ScriptDuration').toFixed(2)} s, layout ${sum('LayoutDuration').toFixed(2)} s, style ${sum('RecalcStyleDuration').toFixed(2)} s`,
    );
    if (TRACE) {
      const raw = (await browser.stopTracing()).toString();
      if (process.env.BENCH_TRACE_FILE) writeFileSync(`${process.env.BENCH_TRACE_FILE}.${subject.name}.json`, raw);
      console.log(traceSummary(JSON.parse(raw) as { traceEvents: TraceEvent[] }).join('\n'));
    }
    if (CPU_PROFILE) {
      const { profile } = (await sessions[0]!.send('Profiler.stop')) as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
      if (process.env.BENCH_PROFILE_FILE) writeFileSync(`${process.env.BENCH_PROFILE_FILE}.${subject.name}.cpuprofile`, JSON.stringify(profile));
      console.log(topFunctions(profile).join('\n'));
    }
  } finally {
    await subject.reset(browser.contexts().flatMap((c) => c.pages()));
    for (const c of browser.contexts()) await c.close();
  }
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS] });
const ref = await startReferenceServer();
const room = await startRoom();
const only = process.env.BENCH_SUBJECTS?.split(',');
const subjects = [referenceSubject(`${ref.url}/`), meshtalkSubject(room.url)].filter((s) => !only || only.includes(s.name));
for (const n of SIZES) for (let k = 0; k < RUNS; k++) for (const s of subjects) await run(browser, s, n);
await browser.close();
await stopServer(ref);
await stopServer(room);
