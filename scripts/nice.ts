/**
 * A command at another scheduling priority, where the OS lets us: a positive nice (behind
 * everything else) always, a negative one only as root. Otherwise, and at 0, the command as it is.
 * For the processes the tests and the benchmark start beside the browsers on two cores.
 *
 * Linux with autogroup (`/proc/sys/kernel/sched_autogroup_enabled`) weighs sessions against each
 * other before it looks at nice values: Chromium runs in a session of its own, so a server at
 * nice -10 in the test's session still waited up to 3.3 s for a core while ten pages joined (a
 * probe beside it, 2026-12-07, bench/RESULTS.md). A raised priority therefore also takes a
 * session of its own whose autogroup has that nice (setsid execs in place: the pid stays the
 * command's). A lowered one stays in the caller's session, behind its siblings only.
 */
import { existsSync } from 'node:fs';

export function niced(nice: number, command: readonly string[]): string[] {
  const may = nice !== 0 && (nice > 0 || process.getuid?.() === 0);
  if (!may) return [...command];
  if (nice < 0 && existsSync('/proc/self/autogroup')) {
    return ['setsid', 'sh', '-c', 'echo "$0" > /proc/self/autogroup 2>/dev/null; exec nice -n "$0" "$@"', String(nice), ...command];
  }
  return ['nice', '-n', String(nice), ...command];
}
