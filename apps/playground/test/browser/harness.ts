/** Serves the built playground and launches Debian's Chromium for the browser tests. */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
// @ts-expect-error: a plain .mjs helper shared by every package's browser tests, without types.
import { chromiumLaunchOptions } from '../../../../tools/chromium.mjs';

export const appRoot = fileURLToPath(new URL('../..', import.meta.url));
export const resultsDir = fileURLToPath(new URL('../../test-results/', import.meta.url));

export interface Harness {
  readonly url: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Serves `dist/` (built by the test script before these tests run) on 127.0.0.1 with a free port. */
export async function startHarness(): Promise<Harness> {
  mkdirSync(resultsDir, { recursive: true });
  const server: PreviewServer = await preview({ root: appRoot, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0 } });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('preview server has no URL');
  const browser = await chromium.launch(chromiumLaunchOptions() as Parameters<typeof chromium.launch>[0]);
  return {
    url,
    browser,
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
    },
  };
}

/** Fails the test on any uncaught page error, with the page's message. */
export function watchErrors(page: Page, label: string): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${label}: ${e.message}`));
  return errors;
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${resultsDir}${name}.png` });
}
