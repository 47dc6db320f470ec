#!/usr/bin/env node
/**
 * Runs a command inside a private network namespace that has only loopback, so WebRTC's ICE
 * can never use the machine's real interfaces. `MESHTALK_HOST_NETWORK=1` opts out (the command
 * then runs on the host network, for machines where namespaces are not allowed).
 */
import { spawnSync } from 'node:child_process';

const argv = process.argv.slice(2);
if (argv.length === 0) {
  console.error('usage: netns.mjs <command> [args…]');
  process.exit(2);
}

if (process.env.MESHTALK_HOST_NETWORK === '1' || process.env.MESHTALK_IN_NETNS === '1') {
  const r = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const quoted = argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
const script = `ip link set lo up && exec ${quoted}`;
// --map-root-user lets an unprivileged user do this too; as root it is a no-op mapping.
const args = process.getuid?.() === 0 ? ['-n', 'sh', '-c', script] : ['-r', '-n', 'sh', '-c', script];
const r = spawnSync('unshare', args, { stdio: 'inherit', env: { ...process.env, MESHTALK_IN_NETNS: '1' } });
if (r.error || (r.status !== 0 && r.status !== null && r.status > 125)) {
  console.error(
    'netns: could not create a loopback-only network namespace (unshare -n). WebRTC tests refuse to run on the host network.\n' +
      'Run as root or with user namespaces enabled, or set MESHTALK_HOST_NETWORK=1 to opt out deliberately.',
  );
}
process.exit(r.status ?? 1);
