/**
 * `@webraft/playwright/test`: Playwright Test's `test` with the kit's fixtures. `net` faults the
 * tabs of the test's browser context; `openTabs(count, url)` opens tabs on a page built with
 * the hooks and resolves once each has them.
 */
import { test as base, type Page } from '@playwright/test';
import { HooksMissingError } from './errors.ts';
import { TabNetwork } from './network.ts';

export interface WebraftFixtures {
  /** The faults between the pages of the test's context. */
  net: TabNetwork;
  /** Opens `count` tabs on `url` (relative to `baseURL`) at once; resolves once each page has its hooks (HooksMissingError after 10 s without). */
  openTabs: (count: number, url?: string) => Promise<Page[]>;
}

async function hooked(page: Page): Promise<void> {
  try {
    await page.waitForFunction(() => window.__webraft !== undefined, undefined, { timeout: 10_000 });
  } catch {
    throw new HooksMissingError(page.url());
  }
}

export const test = base.extend<WebraftFixtures>({
  net: async ({ context }, use) => {
    await use(new TabNetwork(context));
  },
  openTabs: async ({ context }, use) => {
    await use(async (count, url = '/') => {
      const pages = await Promise.all(Array.from({ length: count }, () => context.newPage()));
      await Promise.all(pages.map((page) => page.goto(url)));
      await Promise.all(pages.map(hooked));
      return pages;
    });
  },
});

export { expect } from '@playwright/test';
export * from './index.ts';
