/**
 * Bundles the server into dist/main.js: our own code and the workspace protocol inline, every
 * npm dependency left as an import resolved from node_modules at run time.
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
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@meshtalk/') ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});
