/**
 * Bundles the load tester into load/dist/main.js, as the server is bundled: our code (load/src,
 * the client's call core, the protocol) inline; npm packages, @roamhq/wrtc's native module
 * among them, resolved from node_modules at run time. It is never part of the browser bundle
 * (client/ imports nothing from load/, and ESLint refuses @roamhq/wrtc outside load/).
 */
import { bundleNode } from '../server/build.mjs';

await bundleNode(new URL('./src/main.ts', import.meta.url).pathname, new URL('./dist/main.js', import.meta.url).pathname);
