import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'runtimes',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Each test drives another runtime's process; one at a time on a small machine.
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
