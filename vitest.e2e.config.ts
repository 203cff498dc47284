import { defineConfig } from 'vitest/config';

// The real-browser tests (npm run test:e2e): the real server process driven by Chromium.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
