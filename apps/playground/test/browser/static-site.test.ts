/**
 * The build is a static site: served by a plain file server from a sub-path (/playground/),
 * every asset loads through a relative URL, the teaching page runs, and the live page forms a
 * cluster of tabs over BroadcastChannel with no relay and no server code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distDir, startHarness, watchErrors, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('/playground/');
});
afterAll(async () => {
  await h?.close();
});

describe('static site under a sub-path', () => {
  it('the built HTML refers to its assets by relative URLs only', () => {
    for (const file of readdirSync(distDir).filter((f) => f.endsWith('.html'))) {
      const html = readFileSync(`${distDir}/${file}`, 'utf8');
      const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((u) => !u.startsWith('data:') && !u.startsWith('#'));
      expect(urls.length, file).toBeGreaterThan(0);
      for (const url of urls) expect(url, `${file}: ${url}`).toMatch(/^\.\.?\//);
    }
  });

  it('the teaching page runs from /playground/ and replays a run from its URL', async () => {
    const context = await h.browser.newContext();
    const page = await context.newPage();
    const errors = watchErrors(page, 'teach');
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    expect(h.url).toMatch(/\/playground\/$/);
    await page.goto(`${h.url}#seed=3&nodes=5&t=3000`);
    await page.waitForSelector('#cluster g.node[data-role="leader"]');
    expect(await page.$$eval('#cluster g.node', (els) => els.length)).toBe(5);
    await page.click('nav a[href="./live.html"]');
    await page.waitForURL(/\/playground\/live\.html$/);
    expect(failed).toEqual([]);
    expect(h.missing).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the live page forms a cluster of tabs over BroadcastChannel, served as plain files', async () => {
    const context = await h.browser.newContext();
    const tabs: Page[] = [];
    const errors: string[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await context.newPage();
      errors.push(...watchErrors(page, `live${i}`));
      await page.goto(`${h.url}live.html?cluster=static`);
      await page.evaluate(() => window.webraft.ready());
      tabs.push(page);
    }
    const id = await tabs[1]!.evaluate(() => window.webraft.add('served from a static host'));
    await expect
      .poll(() => Promise.all(tabs.map((t) => t.evaluate(() => window.webraft.todos().items.map((item) => item.text)))), { timeout: 20_000 })
      .toEqual([['served from a static host'], ['served from a static host'], ['served from a static host']]);
    expect(id).toBeTruthy();
    expect(h.missing).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
