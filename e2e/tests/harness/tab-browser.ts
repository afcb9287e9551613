/**
 * A Chromium of the tab store tests' own, from `launchChromium` of `@webraft/playwright`:
 * started as a process group (headless, a profile on disk, none of Playwright's switches that
 * keep background tabs from being throttled) and attached over CDP with `noDefaults`, so a tab
 * brought behind another is hidden for real, SIGKILL is a real browser crash, and a relaunch
 * on the same profile finds what IndexedDB made durable.
 * Every tab opens the tab store page (`/tabs`) of one store and reports its client operations.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { launchChromium, type HidableChromium } from '@webraft/playwright';
import { checkLinearizable, historyToJson } from '@webraft/sim';
import { chromiumArgs, chromiumPath } from '../../../tools/chromium.mjs';
import { resultsDir } from './cluster.ts';
import { Recorder } from './recorder.ts';
import type {} from '../../page/tab-store.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class TabBrowser {
  readonly recorder = new Recorder();
  readonly store = `s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  readonly tabs: Page[] = [];
  readonly #profile = mkdtempSync(join(tmpdir(), 'webraft-tabs-'));
  #chromium: HidableChromium | undefined;
  #context: BrowserContext | undefined;

  constructor(readonly voters = 3) {}

  async launch(): Promise<void> {
    this.#chromium = await launchChromium({ executablePath: chromiumPath, args: chromiumArgs, userDataDir: this.#profile });
    this.#context = this.#chromium.context;
    await this.#context.exposeFunction('e2eReport', (items: [string, Record<string, unknown>][]) => {
      for (const [kind, data] of items) this.recorder.hear(kind, data);
    });
    this.tabs.length = 0;
  }

  get context(): BrowserContext {
    return this.#context!;
  }

  /** Opens a tab on the store; resolves once its store is ready. */
  async openTab(): Promise<Page> {
    const page = await this.context.newPage();
    await page.goto(`${process.env.E2E_WEB_URL}tabs?store=${this.store}&voters=${this.voters}`);
    await page.evaluate(() => window.tabs.ready());
    await this.#calibrate(page);
    this.tabs.push(page);
    return page;
  }

  async closeTab(page: Page): Promise<void> {
    this.tabs.splice(this.tabs.indexOf(page), 1);
    await page.evaluate(() => window.tabs.flush()).catch(() => undefined);
    await page.close();
  }

  async reload(page: Page): Promise<void> {
    await page.evaluate(() => window.tabs.flush()).catch(() => undefined);
    await page.reload();
    await page.evaluate(() => window.tabs.ready());
    await this.#calibrate(page);
  }

  /** The tab whose store runs the leader. */
  async leaderTab(): Promise<Page> {
    for (let i = 0; i < 200; i++) {
      for (const tab of this.tabs) if ((await tab.evaluate(() => window.tabs.status())).leading) return tab;
      await sleep(50);
    }
    throw new Error('no tab leads');
  }

  /** Kills the whole browser at once: no unload, no flush, no goodbye. */
  async crash(): Promise<void> {
    await this.#chromium!.close();
    this.#chromium = undefined;
    this.tabs.length = 0;
  }

  async #calibrate(page: Page): Promise<void> {
    let best = { rtt: Infinity, offset: 0 };
    for (let i = 0; i < 10; i++) {
      const sent = performance.now();
      const pageTime = await page.evaluate(() => window.tabs.clock());
      const rtt = performance.now() - sent;
      if (rtt < best.rtt) best = { rtt, offset: pageTime - (sent + rtt / 2) };
    }
    this.recorder.calibrate(await page.evaluate(() => window.tabs.incarnation()), best.offset, best.rtt / 2 + 0.1);
  }

  async flush(): Promise<void> {
    await Promise.all(this.tabs.map((tab) => tab.evaluate(() => window.tabs.flush()).catch(() => undefined)));
  }

  /** Keys `prefix…` the runner saw acknowledged. */
  acked(prefix: string): string[] {
    return this.recorder
      .history()
      .filter((op) => op.type === 'ok' && op.input.op === 'put' && op.input.key.startsWith(prefix))
      .map((op) => op.input.key);
  }

  /** Every acknowledged write of a key starting with `prefix` is in `tab`'s linearizable read. */
  async expectNoLostWrite(tab: Page, prefix: string): Promise<number> {
    await this.flush();
    const state = await tab.evaluate(() => window.tabs.readAll());
    const acked = this.acked(prefix);
    expect(acked.filter((key) => state[key] !== key), 'acknowledged writes missing').toEqual([]);
    return acked.length;
  }

  /** Saves the history and checks that it is linearizable. */
  async verify(info: TestInfo): Promise<void> {
    await this.flush();
    const history = this.recorder.history();
    const dir = resultsDir(info);
    writeFileSync(join(dir, 'history.json'), historyToJson(history));
    const result = checkLinearizable(history);
    writeFileSync(join(dir, 'linearizability.json'), `${JSON.stringify(result, null, 1)}\n`);
    expect(history.filter((op) => op.type === 'ok').length, 'acknowledged operations').toBeGreaterThan(10);
    expect(result.ok, `linearizable history (${JSON.stringify(result).slice(0, 2000)})`).toBe(true);
  }

  async close(info: TestInfo): Promise<void> {
    const dir = resultsDir(info);
    const lines = this.recorder.events.map((e) => `${(e.time / 1000).toFixed(3).padStart(10)} ${e.node} ${e.text}`);
    writeFileSync(join(dir, 'events.log'), `${lines.join('\n')}\n`);
    if (info.status !== info.expectedStatus) {
      for (const [i, tab] of this.tabs.slice(0, 5).entries()) await tab.screenshot({ path: join(dir, `tab-${i}.png`) }).catch(() => undefined);
    }
    if (this.#chromium !== undefined) await this.crash();
    rmSync(this.#profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 300 });
  }
}
