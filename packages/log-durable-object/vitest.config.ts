import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    name: 'log-durable-object',
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
