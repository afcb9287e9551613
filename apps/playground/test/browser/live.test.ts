/**
 * Live mode in Chromium: three tabs of one browser context form a cluster over
 * BroadcastChannel, edit the shared to-do list, and keep one state through an isolated tab, a
 * crashed node and a reloaded tab (recovered from IndexedDB).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotView } from '../../src/live/cluster-model.ts';
import type { WebraftTestApi } from '../../src/live/test-api.ts';
import { shot, startHarness, watchErrors, type Harness } from './harness.ts';

declare global {
  interface Window {
    webraft: WebraftTestApi;
  }
}

let h: Harness;
let context: BrowserContext;
const tabs: Page[] = [];
const errors: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  context = await h.browser.newContext({ viewport: { width: 1300, height: 900 } });
});
afterAll(async () => {
  await context?.close();
  await h?.close();
});

const slotOf = (page: Page) => page.evaluate(() => window.webraft.slot()!);
const todosOf = (page: Page) => page.evaluate(() => window.webraft.todos().items.map((t) => `${t.text}${t.done ? ' ✓' : ''}`));
const clusterOf = (page: Page) => page.evaluate(() => window.webraft.cluster());

/** The running leader every tab agrees on, or undefined. */
async function agreedLeader(pages: readonly Page[]): Promise<{ slot: string; term: number } | undefined> {
  const views = await Promise.all(pages.map(clusterOf));
  const leaders = views.map((v: SlotView[]) => v.filter((s) => s.state === 'running' && s.report?.role === 'leader').map((s) => `${s.id}@${s.report!.term}`));
  const first = leaders[0];
  if (first === undefined || first.length !== 1 || !leaders.every((l) => l.length === 1 && l[0] === first[0])) return undefined;
  const [slot, term] = first[0]!.split('@') as [string, string];
  return { slot, term: Number(term) };
}

async function sameTodos(pages: readonly Page[]): Promise<string[] | undefined> {
  const lists = await Promise.all(pages.map(todosOf));
  const first = JSON.stringify(lists[0]);
  return lists.every((l) => JSON.stringify(l) === first) ? lists[0] : undefined;
}

const pageOf = async (slot: string) => {
  for (const t of tabs) if ((await slotOf(t)) === slot) return t;
  throw new Error(`no tab holds slot ${slot}`);
};

describe('live cluster of three tabs', () => {
  it('three tabs take slots a, b, c and elect one leader', async () => {
    for (let i = 0; i < 3; i++) {
      const page = await context.newPage();
      errors.push(...[]);
      const pageErrors = watchErrors(page, `tab${i}`);
      page.on('close', () => errors.push(...pageErrors));
      await page.goto(`${h.url}live.html`);
      await page.evaluate(() => window.webraft.ready());
      tabs.push(page);
    }
    expect((await Promise.all(tabs.map(slotOf))).sort()).toEqual(['a', 'b', 'c']);
    await expect.poll(() => agreedLeader(tabs), { timeout: 20_000 }).toBeDefined();
  });

  it('edits to the to-do list from every tab reach every tab in the same order', async () => {
    await tabs[0]!.evaluate(() => window.webraft.add('buy milk'));
    await tabs[1]!.evaluate(() => window.webraft.add('write tests'));
    await tabs[2]!.fill('#todo-text', 'water plants');
    await tabs[2]!.click('#todo-form button');
    await expect.poll(() => sameTodos(tabs), { timeout: 15_000 }).toEqual(['buy milk', 'write tests', 'water plants']);
    await tabs[1]!.click('#todo-list li:first-child input[type="checkbox"]');
    await expect.poll(() => sameTodos(tabs), { timeout: 15_000 }).toEqual(['buy milk ✓', 'write tests', 'water plants']);
    const history = await tabs[0]!.evaluate(() => window.webraft.history());
    expect(history.map((op) => [op.type, op.input.op])).toEqual([['ok', 'add']]);
    await shot(tabs[0]!, 'live-three-tabs');
  });

  it('an isolated leader loses its place; the majority goes on; after healing every tab agrees', async () => {
    const before = (await agreedLeader(tabs))!;
    const isolated = await pageOf(before.slot);
    const others = tabs.filter((t) => t !== isolated);
    await isolated.click('#isolate');
    await expect
      .poll(async () => (await agreedLeader(others))?.term ?? 0, { timeout: 20_000 })
      .toBeGreaterThan(before.term);
    await others[0]!.evaluate(() => window.webraft.add('added during the partition'));
    await expect.poll(() => sameTodos(others), { timeout: 15_000 }).toContain('added during the partition');
    expect(await todosOf(isolated)).not.toContain('added during the partition');
    await shot(isolated, 'live-isolated-tab');
    await isolated.click('#isolate');
    await expect.poll(() => sameTodos(tabs), { timeout: 20_000 }).toEqual(['buy milk ✓', 'write tests', 'water plants', 'added during the partition']);
  });

  it('a crashed node misses writes, and after a restart catches up from its IndexedDB log', async () => {
    const leader = (await agreedLeader(tabs))!;
    const victim = tabs.find((t) => t !== tabs.find(() => false))!;
    const crashed = (await slotOf(victim)) === leader.slot ? tabs[1]! : victim;
    const slot = await slotOf(crashed);
    await crashed.evaluate(() => window.webraft.crash());
    const writer = tabs.find((t) => t !== crashed)!;
    await expect.poll(async () => (await clusterOf(writer)).find((s) => s.id === slot)?.state, { timeout: 10_000 }).toBe('crashed');
    await writer.evaluate(() => window.webraft.add('added while one node was down'));
    await expect.poll(() => sameTodos(tabs.filter((t) => t !== crashed)), { timeout: 15_000 }).toContain('added while one node was down');
    await shot(writer, 'live-one-crashed');
    await crashed.evaluate(() => window.webraft.restart());
    await expect.poll(() => sameTodos(tabs), { timeout: 20_000 }).toContain('added while one node was down');
    const events = await crashed.evaluate(() => window.webraft.events().map((e) => e.text));
    expect(events.some((t) => /recovered [1-9]\d* entries from IndexedDB/.test(t))).toBe(true);
  });

  it('a reloaded tab takes back its slot and recovers its node from IndexedDB', async () => {
    const page = tabs[2]!;
    const slot = await slotOf(page);
    await page.reload();
    await page.evaluate(() => window.webraft.ready());
    expect(await slotOf(page)).toBe(slot);
    const recovered = await page.evaluate(() => window.webraft.events().filter((e) => e.text.startsWith('recovered')).map((e) => e.text));
    expect(recovered.at(-1)).toMatch(/recovered [1-9]\d* entries from IndexedDB/);
    await expect.poll(() => sameTodos(tabs), { timeout: 20_000 }).toHaveLength(5);
    await tabs[0]!.evaluate(() => window.webraft.add('after the reload'));
    await expect.poll(() => sameTodos(tabs), { timeout: 15_000 }).toEqual([
      'buy milk ✓',
      'write tests',
      'water plants',
      'added during the partition',
      'added while one node was down',
      'after the reload',
    ]);
    const read = await page.evaluate(() => window.webraft.read());
    expect((read as { text: string }[]).map((t) => t.text)).toContain('after the reload');
    await expect.poll(async () => new Set((await Promise.all(tabs.map((t) => t.evaluate(() => window.webraft.status()?.commit)))).map(String)).size, { timeout: 10_000 }).toBe(1);
    await shot(page, 'live-after-reload');
    for (const t of tabs) await t.close();
    expect(errors).toEqual([]);
  });
});
