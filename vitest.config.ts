import { defineConfig } from 'vitest/config';

// Unit and integration tiers. End-to-end specs (e2e/) run under Playwright instead.
export default defineConfig({
  test: {
    include: ['{protocol,server,client,load}/test/**/*.test.ts', 'deploy/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
