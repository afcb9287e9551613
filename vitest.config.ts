import { defineConfig } from 'vitest/config';

// Every package's Node-side tests. Browser tests (real Chromium) live in their own configs.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    projects: ['packages/*/vitest.config.ts'],
  },
});
