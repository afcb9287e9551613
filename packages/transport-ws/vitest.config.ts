import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'transport-ws',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // The files start relays, browsers and child processes with real timers; one at a time
    // keeps them from starving each other on a small machine.
    fileParallelism: false,
    testTimeout: 30_000,
  },
});
