import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'examples',
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    environment: 'node',
    testTimeout: 60_000,
    // The examples run real timers, child processes and Chromium tabs; one file at a time keeps
    // them from starving each other on a small machine.
    fileParallelism: false,
  },
});
