import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'playground',
    include: ['test/*.test.ts'],
    environment: 'node',
    // Whole guided scenarios run on real RaftNodes in the simulator: seconds each on a busy machine.
    testTimeout: 60_000,
  },
});
