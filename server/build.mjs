/**
 * Bundles the server into dist/main.js: our own code and the workspace protocol inline, every
 * npm dependency left as an import resolved from node_modules at run time. `bundleNode` is the
 * same for any Node entry point of ours (the load tester's, load/build.mjs).
 */
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export async function bundleNode(entry, outfile) {
  await build({
    entryPoints: [entry],
    outfile,
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
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await bundleNode(new URL('./src/main.ts', import.meta.url).pathname, new URL('./dist/main.js', import.meta.url).pathname);
}
