// Test helper: Debian's Chromium (playwright-core) on a served example, one browser context
// (one origin's storage and BroadcastChannels) shared by the tabs it opens.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
// @ts-expect-error -- a plain .mjs module shared by every browser test, without types.
import { chromiumLaunchOptions } from '../../tools/chromium.mjs';
import { servePage } from './serve.ts';

export interface ExampleBrowser {
  readonly origin: string;
  readonly browser: Browser;
  readonly context: BrowserContext;
  /** Opens `count` tabs at once and waits until `window[api].ready` resolved in each (a cluster needs a quorum of them). */
  openTabs(count: number): Promise<Page[]>;
  close(): Promise<void>;
}

export async function openExample(example: string, api: string): Promise<ExampleBrowser> {
  const page = await servePage(example);
  const browser = await chromium.launch(chromiumLaunchOptions());
  const context = await browser.newContext();
  return {
    origin: page.origin,
    browser,
    context,
    async openTabs(count) {
      const tabs = await Promise.all(Array.from({ length: count }, async () => {
        const tab = await context.newPage();
        await tab.goto(`${page.origin}/`);
        return tab;
      }));
      await Promise.all(tabs.map((tab) => waitReady(tab, api)));
      return tabs;
    },
    async close() {
      await browser.close();
      await page.close();
    },
  };
}

export async function waitReady(tab: Page, api: string): Promise<void> {
  // biome-ignore lint/suspicious/noExplicitAny: the page's test API
  await tab.waitForFunction((name) => (globalThis as Record<string, any>)[name] !== undefined, api);
  // biome-ignore lint/suspicious/noExplicitAny: the page's test API
  await tab.evaluate((name) => (globalThis as Record<string, any>)[name].ready, api);
}
