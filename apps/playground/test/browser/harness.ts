/** Serves the built playground and launches Debian's Chromium for the browser tests. */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
// @ts-expect-error: a plain .mjs helper shared by every package's browser tests, without types.
import { chromiumLaunchOptions } from '../../../../tools/chromium.mjs';
import { serveStatic } from './static-server.ts';

/** The build under test: `dist/`, or another build given by PLAYGROUND_DIST (to run the suite against an older one). */
export const distDir = process.env.PLAYGROUND_DIST ?? fileURLToPath(new URL('../../dist', import.meta.url));
export const resultsDir = fileURLToPath(new URL('../../test-results/', import.meta.url));

export interface Harness {
  readonly url: string;
  /** Paths the browser asked for that the build does not have. */
  readonly missing: readonly string[];
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Serves `dist/` (built by the test script before these tests run) with a plain static file
 * server on 127.0.0.1 and a free port, under `base`: the built site needs nothing more.
 */
export async function startHarness(base = '/'): Promise<Harness> {
  mkdirSync(resultsDir, { recursive: true });
  const server = await serveStatic(distDir, base);
  const url = server.url;
  const browser = await chromium.launch(chromiumLaunchOptions() as Parameters<typeof chromium.launch>[0]);
  return {
    url,
    missing: server.missing,
    browser,
    async close() {
      await browser.close();
      await server.close();
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
