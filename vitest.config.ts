import { defineConfig } from 'vitest/config';

// chDB binds one data directory per process, so tests run in forked workers (ARCHITECTURE.md).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
