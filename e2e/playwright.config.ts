import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './tests',
  outputDir: './results/artifacts',
  globalSetup: './setup/global-setup.ts',
  // Tabs of one test share the machine's two cores with the browser: run tests one by one.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: { screenshot: 'off', trace: 'off' },
});
