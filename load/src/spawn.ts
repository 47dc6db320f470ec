/**
 * The load CLI as a child process, followed through its --json lines: for the end-to-end tests
 * and the benchmark, which need the headless participants in a process of their own (its CPU
 * and memory are then the CLI's alone, and libwebrtc's threads end with it).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { niced } from '../../scripts/nice';
import type { Progress, Summary } from './LoadRun';

export const LOAD_CLI = path.resolve(import.meta.dirname, '../dist/main.js');

export type SummaryLine = Summary & { type: 'summary'; exitCode: number; warnings: { count: number; last: string[] } };
export type ErrorLine = { type: 'error'; message: string; exitCode: number };

export interface HeadlessRun {
  pid: number;
  /** The latest progress line; null before the first. */
  readonly progress: Progress | null;
  /** Resolves with the first progress that satisfies `ok`; rejects after `timeoutMs` saying what was last seen. */
  until(ok: (p: Progress) => boolean, timeoutMs: number, what?: string): Promise<Progress>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; summary: SummaryLine | null; error: ErrorLine | null; stderr: string }>;
  /** Ctrl-C: everyone leaves, then the summary. */
  interrupt(): Promise<{ code: number | null; summary: SummaryLine | null; error: ErrorLine | null; stderr: string }>;
  kill(): void;
}

/** `nice`: the process's scheduling priority, where the OS lets us (scripts/nice.ts). */
export function startHeadless(args: string[], env: Record<string, string> = {}, opts: { nice?: number } = {}): HeadlessRun {
  const [cmd, ...rest] = niced(opts.nice ?? 0, [process.execPath, LOAD_CLI, '--json', ...args]);
  const child = spawn(cmd!, rest, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let progress: Progress | null = null;
  let summary: SummaryLine | null = null;
  let error: ErrorLine | null = null;
  let stderr = '';
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let msg: { type?: string };
    try {
      msg = JSON.parse(line) as { type?: string };
    } catch {
      return;
    }
    if (msg.type === 'progress') progress = msg as unknown as Progress;
    else if (msg.type === 'summary') summary = msg as SummaryLine;
    else if (msg.type === 'error') error = msg as ErrorLine;
    for (const w of waiters) w();
  });
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-20_000)));
  const exited = new Promise<{ code: number | null; summary: SummaryLine | null; error: ErrorLine | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => {
      // Let the last lines through the reader first.
      setImmediate(() => {
        for (const w of waiters) w();
        resolve({ code, summary, error, stderr });
      });
    }),
  );
  let done = false;
  void exited.then(() => (done = true));
  return {
    pid: child.pid!,
    get progress() {
      return progress;
    },
    until(ok, timeoutMs, what = 'the condition') {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (progress && ok(progress)) {
            cleanup();
            resolve(progress);
          } else if (done) {
            cleanup();
            reject(new Error(`load exited before ${what}: ${error?.message ?? summary?.reason ?? stderr.slice(-500)}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${what} within ${timeoutMs} ms; last progress: ${JSON.stringify(progress)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    exited,
    interrupt() {
      if (!done) child.kill('SIGINT');
      return exited;
    },
    kill() {
      if (!done) child.kill('SIGKILL');
    },
  };
}
