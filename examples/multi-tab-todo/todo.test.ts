// One tab alone, then three editing one list at once; a tab reloaded while alone recovers the list from IndexedDB.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openExample, waitReady, type ExampleBrowser } from '../web/browser.ts';
import type { Todos } from './todos.ts';

interface TodoApi {
  status(): { readonly role: string; readonly slots: readonly number[]; readonly tabs: readonly unknown[] };
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

it('works in one tab, keeps three tabs editing at once in step, and recovers a reloaded tab from IndexedDB', async () => {
  const [alone] = await example.openTabs(1);
  await alone!.evaluate(() => todo.add('first, alone'));
  expect((await alone!.evaluate(() => todo.read())).items).toHaveLength(1);
  const tabs = [alone!, ...(await example.openTabs(2))];
  // Every tab ends up running one of the three voter slots.
  for (const tab of tabs) await tab.waitForFunction(() => todo.status().slots.length === 1);
  expect(await tabs[2]!.evaluate(() => todo.status().tabs.length)).toBe(3);

  await editConcurrently(tabs, 'a', 4);
  const first = await converged(tabs);
  expect(first.items).toHaveLength(10);
  expect(first.items.filter((item) => item.done)).toHaveLength(3);

  // Through the page itself: typed in one tab, shown in another.
  await tabs[0]!.fill('#text', 'buy milk');
  await tabs[0]!.press('#text', 'Enter');
  await tabs[1]!.locator('#list li span', { hasText: 'buy milk' }).waitFor();
  const withMilk = await converged(tabs);

  // Alone, the reloaded tab has nobody to learn from: what it shows comes from its IndexedDB log.
  const [gone1, gone2, survivor] = tabs as [Page, Page, Page];
  await gone1.close();
  await gone2.close();
  await survivor.reload();
  await survivor.waitForFunction((n) => (globalThis as { todo?: TodoApi }).todo?.state().items.length === n, withMilk.items.length);
  expect(await survivor.evaluate(() => todo.state())).toEqual(withMilk);
  expect(await survivor.locator('#list li').count()).toBe(withMilk.items.length);

  // Two new tabs get voter slots (with their logs) from the survivor; everyone edits again and converges.
  const back = [survivor, ...(await example.openTabs(2))];
  await waitReady(survivor, 'todo');
  await editConcurrently(back, 'b', 3);
  const last = await converged(back);
  expect(last.items).toHaveLength(withMilk.items.length + 3 * 2);
  expect(last.items.slice(0, withMilk.items.length)).toEqual(withMilk.items);
  if (process.env.EXAMPLE_SCREENSHOTS) await survivor.screenshot({ path: `${process.env.EXAMPLE_SCREENSHOTS}/todo.png` });
}, 120_000);
