/**
 * `npm run load -- --url … --participants N --seconds S`: headless participants in one Node
 * process load-test a room (see load/src/LoadRun.ts and the README, "Load-testing a room").
 *
 * Exit codes: 0 every pair connected with audio in time; 1 the run failed (room full, pairs
 * not connected or silent, no relay); 2 bad arguments or audio file; 3 the room could not be
 * reached or refused us; 130 interrupted (Ctrl-C; everyone left first).
 */
import { readFileSync } from 'node:fs';
import { BROWSER_PTIME, parse, USAGE } from './args';
import { LoadRun, type Summary } from './LoadRun';
import { preflight } from './preflight';
import { progressLine, summaryText } from './report';
import { parseWav, type Pcm } from './wav';

const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, interrupted: 130 } as const;

const parsed = parse(process.argv.slice(2));
if (parsed.ok === 'help') {
  console.log(USAGE);
  process.exit(EXIT.ok);
}
const json = process.argv.includes('--json');
/** One clear line and the exit code; in --json, the same as an object. */
function fail(message: string, code: number): never {
  if (json) process.stdout.write(`${JSON.stringify({ type: 'error', message, exitCode: code })}\n`);
  else console.error(`load: ${message}`);
  process.exit(code);
}
if (!parsed.ok) fail(`${parsed.error}\n${json ? '' : 'try npm run load -- --help'}`.trim(), EXIT.usage);
const opts = parsed.options;

let audio: Pcm | null = null;
if (opts.audio) {
  let buf: Buffer;
  try {
    buf = readFileSync(opts.audio);
  } catch (err) {
    fail(`cannot read --audio ${opts.audio}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, EXIT.usage);
  }
  const wav = parseWav(buf);
  if ('error' in wav) fail(`--audio ${opts.audio}: ${wav.error}`, EXIT.usage);
  audio = wav;
}

const server = opts.url.origin;
const refused = await preflight(server, opts.origin);
if (refused) fail(refused, EXIT.unreachable);

// The call code warns on the console about what it recovers from (a late answer, a refused
// cap); here that would tear the progress line. Kept, bounded, and counted in the summary.
const warnings: string[] = [];
let warned = 0;
console.warn = (...args: unknown[]) => {
  warned += 1;
  warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  if (warnings.length > 20) warnings.shift();
};

const run = new LoadRun({ server, origin: opts.origin, names: opts.names, seconds: opts.seconds, relay: opts.relay, share: opts.share, audio, ptime: opts.ptime });
const tty = !json && process.stderr.isTTY;
let lastLine = 0;
run.onProgress((p) => {
  if (json) return void process.stdout.write(`${JSON.stringify({ type: 'progress', ...p })}\n`);
  if (tty) return void process.stderr.write(`\r\x1b[2K${progressLine(p)}`);
  // Not a terminal (a log, CI): a line every 5 s.
  if (p.elapsedMs - lastLine >= 5_000) {
    lastLine = p.elapsedMs;
    process.stderr.write(`${progressLine(p)}\n`);
  }
});

let interrupts = 0;
const onSignal = () => {
  interrupts += 1;
  // A second Ctrl-C does not wait for the others to leave.
  if (interrupts > 1) process.exit(EXIT.interrupted);
  if (!json) process.stderr.write('\nleaving the room…\n');
  run.interrupt();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

if (!json) console.error(`load: ${opts.names.length} participants joining ${opts.url.href} for ${opts.seconds} s${opts.relay ? ', relay only' : ''}${opts.share ? ', sharing a screen' : ''}${opts.ptime !== BROWSER_PTIME ? `, ${opts.ptime} ms packets` : ''}`);
const summary: Summary = await run.run();
const code = summary.interrupted ? EXIT.interrupted : summary.ok ? EXIT.ok : EXIT.failed;
if (json) process.stdout.write(`${JSON.stringify({ type: 'summary', ...summary, exitCode: code, warnings: { count: warned, last: warnings } })}\n`);
else {
  if (tty) process.stderr.write('\n');
  console.log(summaryText(summary));
  if (warned) console.log(`(${warned} warnings from the call code; the last: ${warnings.at(-1)})`);
}
// libwebrtc's threads are still up: exit now rather than wait for them (and for the crash some
// builds have when they are torn down at a natural exit).
process.exit(code);
