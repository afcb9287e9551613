import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gotoTestPage, type Harness, startHarness } from './harness.ts';

const ids = ['a', 'b', 'c'];

describe('a three-tab Raft cluster on IndexedDB and BroadcastChannel', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  }, 60_000);
  afterAll(async () => harness?.close());

  it('survives reloading every tab, one at a time and all at once, losing no acknowledged entry', async () => {
    const clusterId = `cluster-${Date.now()}`;
    const pages: Page[] = await Promise.all(ids.map(() => harness.newPage()));
    const start = (page: Page, id: string) =>
      page.evaluate(({ id, ids, clusterId }) => globalThis.lib.cluster.start(id, ids, clusterId), { id, ids, clusterId });
    await Promise.all(pages.map((page, i) => start(page, ids[i]!)));

    const acknowledged = new Set<string>();
    let counter = 0;
    const proposeFrom = async (page: Page, count: number) => {
      await page.evaluate(() => globalThis.lib.cluster.leader());
      const values = Array.from({ length: count }, () => `v${counter++}`);
      const { acked } = await page.evaluate((values) => globalThis.lib.cluster.propose(values), values);
      for (const v of acked) acknowledged.add(v);
      return acked.length;
    };
    const reload = async (i: number) => {
      await pages[i]!.reload();
      await gotoTestPage(pages[i]!, harness.origin);
      await start(pages[i]!, ids[i]!);
    };
    const check = async (page: Page, where: string) => {
      const values = await page.evaluate(() => globalThis.lib.cluster.values());
      const missing = [...acknowledged].filter((v) => !values.includes(v));
      expect(missing, `${where}: acknowledged values missing`).toEqual([]);
      expect(new Set(values).size, `${where}: duplicated values`).toBe(values.length);
    };

    expect(await proposeFrom(pages[0]!, 60)).toBeGreaterThan(0);
    for (let i = 0; i < ids.length; i++) {
      await reload(i);
      await proposeFrom(pages[(i + 1) % ids.length]!, 40);
      await check(pages[i]!, `after reloading ${ids[i]}`);
    }
    await Promise.all(ids.map((_, i) => reload(i)));
    await check(pages[0]!, 'after reloading every tab at once');
    expect(await proposeFrom(pages[2]!, 30)).toBeGreaterThan(0);
    await check(pages[1]!, 'after the final proposals');
    // Proposals may time out on a loaded machine; enough of them must have been acknowledged to mean something.
    expect(acknowledged.size).toBeGreaterThan(50);
    await Promise.all(pages.map((p) => p.close()));
  }, 180_000);
});
