import { defineConfig } from '@playwright/test';
// @ts-expect-error -- a plain .mjs module shared by every browser test, without types.
import { chromiumLaunchOptions } from '../../tools/chromium.mjs';

export default defineConfig({
  testDir: './test/browser',
  outputDir: './test-results',
  // Tabs share the machine's cores with the browser: one test at a time.
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  webServer: {
    command: 'node --import tsx test/serve.ts',
    wait: { stdout: /test builds on (?<webraft_test_url>\S+)/ },
    timeout: 60_000,
  },
  use: { baseURL: process.env.WEBRAFT_TEST_URL, launchOptions: chromiumLaunchOptions() },
});
