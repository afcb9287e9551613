import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
// @ts-expect-error -- a plain .mjs module shared by every browser test, without types.
import { chromiumLaunchOptions } from '../../../../tools/chromium.mjs';
import { bundleForBrowser } from '../../../../tools/bundle.mjs';
import type { PageLib } from './page.ts';

declare global {
  // The bundle puts the library here (see page.ts).
  var lib: PageLib;
}

export interface Harness {
  readonly origin: string;
  readonly browser: Browser;
  /** Opens a tab on the test page with the library loaded. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Serves the test page on 127.0.0.1 (a secure context, so Web Locks exist) on a free port. */
export async function serve(script: string): Promise<{ server: Server; origin: string }> {
  const html = '<!doctype html><meta charset="utf-8"><title>webraft log-indexeddb</title><script type="module" src="/lib.js"></script>';
  const server = createServer((req, res) => {
    if (req.url === '/lib.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
      res.end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
      res.end(html);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}` };
}

export async function gotoTestPage(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => globalThis.lib !== undefined);
}

export async function startHarness(launchArgs: string[] = []): Promise<Harness> {
  const script = await bundleForBrowser(fileURLToPath(new URL('./page.ts', import.meta.url)));
  const { server, origin } = await serve(script);
  const browser = await chromium.launch(chromiumLaunchOptions({ args: launchArgs }));
  const context = await browser.newContext();
  return {
    origin,
    browser,
    async newPage() {
      const page = await context.newPage();
      await gotoTestPage(page, origin);
      return page;
    },
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
