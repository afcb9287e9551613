// Three tabs edit one list at once; a tab reloaded while alone recovers the list from IndexedDB.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openExample, waitReady, type ExampleBrowser } from '../web/browser.ts';
import type { Todos } from './todos.ts';

interface TodoApi {
  readonly id: string;
  add(text: string): Promise<void>;
  toggle(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  state(): Todos;
  read(): Promise<Todos>;
}
declare const todo: TodoApi;

let example: ExampleBrowser;
beforeAll(async () => {
  example = await openExample('multi-tab-todo', 'todo');
}, 60_000);
afterAll(async () => {
  await example?.close();
});

async function converged(tabs: readonly Page[]): Promise<Todos> {
  const states = await Promise.all(tabs.map((tab) => tab.evaluate(() => todo.read())));
  for (const state of states) expect(state).toEqual(states[0]);
  return states[0]!;
}

/** Each tab adds `count` items at once, then toggles its first and removes its second. */
function editConcurrently(tabs: readonly Page[], round: string, count: number): Promise<unknown> {
  return Promise.all(tabs.map((tab, t) => tab.evaluate(async ({ prefix, count }) => {
    await Promise.all(Array.from({ length: count }, (_, i) => todo.add(`${prefix} ${i}`)));
    const mine = todo.state().items.filter((item) => item.text.startsWith(`${prefix} `));
    await Promise.all([todo.toggle(mine[0]!.id), todo.remove(mine[1]!.id)]);
  }, { prefix: `${round}-${t}`, count })));
}

it('keeps three tabs editing at once in step, and recovers a reloaded tab from IndexedDB', async () => {
  const tabs = await example.openTabs(3);
  expect(new Set(await Promise.all(tabs.map((tab) => tab.evaluate(() => todo.id))))).toEqual(new Set(['t1', 't2', 't3']));

  await editConcurrently(tabs, 'a', 4);
  const first = await converged(tabs);
  expect(first.items).toHaveLength(9);
  expect(first.items.filter((item) => item.done)).toHaveLength(3);

  // Through the page itself: typed in one tab, shown in another.
  await tabs[0]!.fill('#text', 'buy milk');
  await tabs[0]!.press('#text', 'Enter');
  await tabs[1]!.locator('#list li span', { hasText: 'buy milk' }).waitFor();
  const withMilk = await converged(tabs);

  // Alone, the reloaded tab has nobody to learn from: what it shows comes from its IndexedDB log.
  const [gone1, gone2, survivor] = tabs as [Page, Page, Page];
  const survivorId = await survivor.evaluate(() => todo.id);
  await gone1.close();
  await gone2.close();
  await survivor.reload();
  await survivor.waitForFunction((n) => (globalThis as { todo?: TodoApi }).todo?.state().items.length === n, withMilk.items.length);
  expect(await survivor.evaluate(() => todo.id)).toBe(survivorId);
  expect(await survivor.evaluate(() => todo.state())).toEqual(withMilk);
  expect(await survivor.locator('#list li').count()).toBe(withMilk.items.length);

  // Two new tabs take the free ids and their logs back; everyone edits again and converges.
  const back = [survivor, ...(await example.openTabs(2))];
  await waitReady(survivor, 'todo');
  await editConcurrently(back, 'b', 3);
  const last = await converged(back);
  expect(last.items).toHaveLength(withMilk.items.length + 3 * 2);
  expect(last.items.slice(0, withMilk.items.length)).toEqual(withMilk.items);
  if (process.env.EXAMPLE_SCREENSHOTS) await survivor.screenshot({ path: `${process.env.EXAMPLE_SCREENSHOTS}/todo.png` });
}, 120_000);
