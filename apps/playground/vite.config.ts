import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = new URL('.', import.meta.url).pathname;

export default defineConfig({
  // Relative asset URLs, so the built app works from any path (a static host's subfolder).
  base: './',
  resolve: { conditions: ['source'] },
  // Errors are told apart by `name` (NotLeaderError, TimeoutError…), which the core takes from
  // its class names, so minification must keep them.
  worker: { format: 'es', rollupOptions: { output: { keepNames: true } } },
  build: {
    target: 'es2022',
    rollupOptions: {
      input: { teach: resolve(here, 'index.html'), live: resolve(here, 'live.html') },
      output: { keepNames: true },
    },
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
