/**
 * A command at another scheduling priority, where the OS lets us: a positive nice (behind
 * everything else) always, a negative one only as root. Otherwise, and at 0, the command as it is.
 * For the processes the tests and the benchmark start beside the browsers on two cores.
 */
export function niced(nice: number, command: readonly string[]): string[] {
  const may = nice !== 0 && (nice > 0 || process.getuid?.() === 0);
  return may ? ['nice', '-n', String(nice), ...command] : [...command];
}
