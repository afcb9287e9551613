import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'log-file',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // The crash tests spawn and kill child processes and sync real files; one file at a time
    // keeps a 2-core machine responsive.
    fileParallelism: false,
    testTimeout: 30_000,
  },
});
