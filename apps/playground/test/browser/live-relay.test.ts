/** Live mode over the WebSocket relay and over WebRTC signalled by it, instead of BroadcastChannel. */
import type { Page } from 'playwright-core';
import { startRelay, type Relay } from '@webraft/transport-ws/relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebraftTestApi } from '../../src/live/test-api.ts';
import { shot, startHarness, watchErrors, type Harness } from './harness.ts';

declare global {
  interface Window {
    webraft: WebraftTestApi;
  }
}

let h: Harness;
let relay: Relay;
beforeAll(async () => {
  h = await startHarness();
  relay = await startRelay({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await h?.close();
  await relay?.close();
});

describe('live cluster over the relay', () => {
  it.each(['relay', 'webrtc'] as const)('three tabs over %s elect a leader and share the list', async (transport) => {
    const context = await h.browser.newContext();
    const tabs: Page[] = [];
    const errors: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const page = await context.newPage();
      errors.push(watchErrors(page, `relay-tab${i}`));
      await page.goto(`${h.url}live.html?transport=${transport}&relay=${encodeURIComponent(relay.url)}&cluster=${transport}test`);
      await page.evaluate(() => window.webraft.ready());
      tabs.push(page);
    }
    const roles = () => Promise.all(tabs.map((t) => t.evaluate(() => window.webraft.status()?.role ?? '')));
    await expect.poll(async () => (await roles()).filter((r) => r === 'leader').length, { timeout: 30_000 }).toBe(1);
    expect((await tabs[0]!.evaluate(() => window.webraft.status()))!.transport).toBe(transport);
    await tabs[1]!.evaluate(() => window.webraft.add('shared'));
    const lists = () => Promise.all(tabs.map((t) => t.evaluate(() => window.webraft.todos().items.map((i) => i.text).join(','))));
    await expect.poll(lists, { timeout: 15_000 }).toEqual(['shared', 'shared', 'shared']);
    await shot(tabs[0]!, `live-${transport}`);
    await context.close();
    expect(errors.flat()).toEqual([]);
  });
});
