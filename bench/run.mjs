#!/usr/bin/env node
/**
 * `npm run bench`: builds, then prints every benchmark's figures. The signaling benchmark runs
 * on the host's loopback; the browser benchmark runs inside the loopback-only network namespace
 * like the end-to-end tests. Arguments choose benchmarks: `npm run bench -- signaling`, `mesh` or `headless`.
 * The figures of record are in bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';

const chosen = process.argv.slice(2);
const want = (name) => chosen.length === 0 || chosen.includes(name);
const run = (cmd, args) => {
  console.log(`\n$ ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

// The browser benchmarks read the page's test hook, built in only on request.
process.env.VITE_TEST_HOOK = '1';
run('npm', ['run', 'build']);
if (want('signaling')) run('npx', ['tsx', 'bench/signaling.ts']);
if (want('mesh')) run('node', ['scripts/netns.mjs', 'npx', 'tsx', 'bench/mesh.ts']);
if (want('headless')) {
  run('node', ['load/build.mjs']);
  run('node', ['scripts/netns.mjs', 'npx', 'tsx', 'bench/headless.ts']);
}
