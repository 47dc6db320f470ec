/**
 * Bundles the load tester into load/dist/main.js: our code (load/src, the client's call core,
 * the protocol) inline; npm packages, @roamhq/wrtc's native module among them, resolved from
 * node_modules at run time. It is never part of the browser bundle (client/ imports nothing
 * from load/, and ESLint refuses @roamhq/wrtc outside load/).
 */
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('./src/main.ts', import.meta.url).pathname],
  outfile: new URL('./dist/main.js', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'external-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@meshtalk/') ? undefined : { path: args.path, external: true }));
      },
    },
  ],
});
