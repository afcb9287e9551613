// Three tabs of real Chromium bid at once; every tab must agree on the bids and on one winner.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openExample, type ExampleBrowser } from '../web/browser.ts';
import type { Auction, AuctionResult } from './auction.ts';

interface AuctionApi {
  readonly id: string;
  bid(amount: number): Promise<AuctionResult>;
  close(): Promise<AuctionResult>;
  state(): Auction;
  read(): Promise<Auction>;
}
declare const auction: AuctionApi;

let example: ExampleBrowser;
beforeAll(async () => {
  example = await openExample('auction', 'auction');
}, 60_000);
afterAll(async () => {
  await example?.close();
});

it('takes concurrent bids from three tabs and names exactly one winner, the highest bid, in every tab', async () => {
  const tabs: Page[] = await example.openTabs(3);
  const ids = await Promise.all(tabs.map((tab) => tab.evaluate(() => auction.id)));
  expect(new Set(ids).size).toBe(3);

  // Each tab bids 15 times at once, amounts interleaved so that many bids race and lose.
  const amounts = (t: number) => Array.from({ length: 15 }, (_, i) => 10 + i * 7 + ((t * 5) % 7));
  const results = await Promise.all(tabs.map((tab, t) =>
    tab.evaluate((list) => Promise.all(list.map((amount) => auction.bid(amount).then((r) => ({ amount, accepted: r.accepted })))), amounts(t))));
  const all = results.flat();
  const accepted = all.filter((r) => r.accepted);
  expect(accepted.length).toBeGreaterThan(0);
  expect(accepted.length).toBeLessThan(all.length); // some lost a race, else the test proves little

  expect(await tabs[1]!.evaluate(() => auction.close())).toEqual({ accepted: true });
  expect(await tabs[2]!.evaluate(() => auction.bid(10_000))).toEqual({ accepted: false, reason: 'closed' });

  const states = await Promise.all(tabs.map((tab) => tab.evaluate(() => auction.read())));
  for (const state of states) expect(state).toEqual(states[0]);
  const final = states[0]!;
  expect(final.open).toBe(false);
  const highest = Math.max(...all.map((r) => r.amount));
  expect(final.winner?.amount).toBe(highest);
  expect(final.winner).toEqual(final.bids.at(-1)); // one winner: the last, highest accepted bid
  // The accepted bids, and only they, are in the list, each higher than the one before.
  expect(final.bids.map((b) => b.amount).sort((a, b) => a - b)).toEqual(accepted.map((r) => r.amount).sort((a, b) => a - b));
  for (let i = 1; i < final.bids.length; i++) expect(final.bids[i]!.amount).toBeGreaterThan(final.bids[i - 1]!.amount);
  // What each tab shows is its replica, which caught up.
  for (const tab of tabs) await tab.waitForFunction(() => !auction.state().open && document.querySelector('#state')!.textContent!.includes('wins'));
  if (process.env.EXAMPLE_SCREENSHOTS) await tabs[0]!.screenshot({ path: `${process.env.EXAMPLE_SCREENSHOTS}/auction.png` });
}, 90_000);
