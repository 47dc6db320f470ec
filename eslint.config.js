/**
 * Lint: ESLint's and typescript-eslint's recommended rules (not the type-checked sets, so a run
 * stays a few seconds), React's hook rules for the client, and the layer boundaries of
 * the README ("How it works") as `no-restricted-imports`. server/test/lint.test.ts proves each boundary fires on
 * a wrong import and that every boundary's folder still exists.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/** Node's built-in modules that do I/O, with or without the `node:` prefix. */
const NODE_IO = 'node:.*|fs|net|http|https|http2|dgram|dns|tls|child_process|worker_threads|cluster';

/**
 * The layer boundaries: files matched by `files` may not import a specifier that `forbidden`
 * (a regular expression) matches. Relative specifiers count too, so `../store/pg` is caught.
 */
export const BOUNDARIES = [
  {
    name: 'boundary/room-is-pure',
    files: ['server/src/room/**/*.ts'],
    forbidden: `^(socket\\.io|pg|express|pino|prom-client|@electric-sql/.*|${NODE_IO})(/.*)?$|^\\.\\./`,
    message: 'server/src/room is the pure room state machine: no I/O library and nothing from the adapters around it (SPEC.md).',
  },
  {
    name: 'boundary/client-core-without-react',
    files: ['client/src/mesh/**/*.ts', 'client/src/call/**/*.ts', 'client/src/signaling/**/*.ts'],
    forbidden: '^(react|react-dom)(/.*)?$|^\\.\\./(ui|admin)(/|$)',
    message: 'client/src/{mesh,call,signaling} are framework-free: React lives in client/src/ui and client/src/admin only.',
  },
  {
    name: 'boundary/ui-without-sockets',
    files: ['client/src/ui/**/*.{ts,tsx}', 'client/src/admin/**/*.{ts,tsx}'],
    forbidden: '^socket\\.io-client(/.*)?$|^\\.\\./signaling(/|$)',
    message: 'the UI only renders the Call: client/src/signaling is the one importer of socket.io-client.',
  },
  {
    name: 'boundary/node-webrtc-in-load-only',
    files: ['client/src/**/*.{ts,tsx}', 'server/src/**/*.ts'],
    forbidden: '^@roamhq/wrtc(/.*)?$|(^|/)load/',
    message: 'libwebrtc for Node (@roamhq/wrtc) is the headless participants\' (load/): never in the browser bundle or the server.',
    // Its folders overlap the others', and a later setting of one rule replaces an earlier one:
    // this boundary uses typescript-eslint's copy of the rule, so both apply.
    rule: '@typescript-eslint/no-restricted-imports',
  },
  {
    name: 'boundary/protocol-zod-only',
    files: ['protocol/src/**/*.ts'],
    forbidden: '^(?!zod$|\\./)',
    message: 'the protocol depends on zod alone, so both sides can import it anywhere.',
  },
];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'test-results/**', 'playwright-report/**', 'deploy/test/kubectl-kustomize/**', 'server/test/lint-fixtures/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `import()` type annotations and `{}` payload types are part of the Socket.IO typings we follow.
      '@typescript-eslint/no-empty-object-type': 'off',
    },
  },
  {
    files: ['client/src/**/*.tsx', 'client/src/ui/**/*.ts', 'client/src/admin/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },

  ...BOUNDARIES.map((b) => ({
    name: b.name,
    files: b.files,
    rules: { [b.rule ?? 'no-restricted-imports']: ['error', { patterns: [{ regex: b.forbidden, message: b.message }] }] },
  })),
);
