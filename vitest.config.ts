import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Records tests skipped for want of a tool; prints the one line saying what to install.
    globalSetup: ['test/helpers/skip-summary.ts'],
  },
});
