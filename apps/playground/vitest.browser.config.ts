import { defineConfig } from 'vitest/config';

// Playwright runs of the built app (`vite build` first, see the "test" script).
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'playground-browser',
    include: ['test/browser/*.test.ts'],
    environment: 'node',
    testTimeout: 90_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
