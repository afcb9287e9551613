/**
 * The kit on RaftNodes over BroadcastChannel, one per tab (test/node/page.ts): one-way cuts,
 * loss and delay, crash and restart, a history checked for linearizability, the typed error
 * of a page without hooks, and the faults a reloaded tab keeps.
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { KvInput, OpOutput } from '@webraft/sim';
import { expect, History, HooksMissingError, TabNetwork, test } from '../../src/test.ts';

declare const kv: { ready: Promise<void>; op(input: KvInput, timeoutMs?: number): Promise<OpOutput> };

const nodes = ['a', 'b', 'c'];

async function openNodes(context: BrowserContext, base: string): Promise<Page[]> {
  const cluster = Math.random().toString(36).slice(2, 8);
  return Promise.all(nodes.map(async (id) => {
    const page = await context.newPage();
    await page.goto(new URL(`node.html?node=${id}&members=${nodes.join(',')}&cluster=${cluster}`, base).href);
    await page.evaluate(() => kv.ready);
    return page;
  }));
}

const put = (history: History, page: Page, client: string, key: string, value: string) =>
  history.record(client, { op: 'put', key, value }, () => page.evaluate((input) => kv.op(input), { op: 'put', key, value } as KvInput));

test('a leader that cannot send is replaced; healed, it follows the new one', async ({ context, baseURL }) => {
  const net = new TabNetwork(context);
  const tabs = await openNodes(context, baseURL!);
  const old = await net.waitForLeader(tabs);
  const others = tabs.filter((t) => t !== old.page);
  await net.cut(old.page, others);
  const next = await net.waitForLeader(others);
  expect(next.status.term).toBeGreaterThan(old.status.term);
  // It still hears the others, so the higher term reaches it (§5.1).
  await expect.poll(async () => (await net.statuses([old.page]))[0]?.leading).toBe(false);
  await net.heal();
  const healed = await net.waitForLeader(tabs);
  await expect.poll(async () => (await net.statuses(tabs)).every((s) => s?.term === healed.status.term && s.leader === healed.status.leader)).toBe(true);
});

test('under loss and delay every write commits and the history is linearizable', async ({ context, baseURL }) => {
  const net = new TabNetwork(context);
  const tabs = await openNodes(context, baseURL!);
  await net.waitForLeader(tabs);
  await net.dropRate(0.2);
  await net.delay(5, 30);
  const history = new History();
  await Promise.all(tabs.map(async (tab, i) => {
    for (let n = 0; n < 8; n++) await put(history, tab, `c${i}`, `k${n % 2}`, `${i}-${n}`);
  }));
  await net.heal();
  for (const [i, tab] of tabs.entries()) await history.record(`r${i}`, { op: 'get', key: 'k0' }, () => tab.evaluate(() => kv.op({ op: 'get', key: 'k0' }, 5000)));
  const counters = await Promise.all(tabs.map(async (tab) => (await net.report(tab)).counters));
  expect(counters.reduce((n, c) => n + c.dropped, 0), 'messages lost').toBeGreaterThan(0);
  expect(counters.reduce((n, c) => n + c.delayed, 0), 'messages delayed').toBeGreaterThan(0);
  expect(history.ops().filter((op) => op.type === 'ok').length).toBeGreaterThan(12);
  expect(history.check().ok, history.toJson()).toBe(true);
});

test('a crashed leader is replaced, and restarted from its log it catches up', async ({ context, baseURL }) => {
  const net = new TabNetwork(context);
  const tabs = await openNodes(context, baseURL!);
  const old = await net.waitForLeader(tabs);
  await net.crash(old.page);
  expect((await net.report(old.page)).status, 'a stopped node reports nothing').toBeUndefined();
  const others = tabs.filter((t) => t !== old.page);
  const next = await net.waitForLeader(others);
  await others[0]!.evaluate(() => kv.op({ op: 'put', key: 'x', value: 'while down' }, 5000));
  await net.restart(old.page);
  await expect.poll(async () => (await net.statuses([old.page]))[0]?.term).toBeGreaterThanOrEqual(next.status.term);
  expect(await old.page.evaluate(() => kv.op({ op: 'get', key: 'x' }, 5000))).toBe('while down');
});

test('a page built without the hooks gets a typed error', async ({ page, openTabs }) => {
  await page.goto('/plain.html');
  const net = new TabNetwork([page]);
  await expect(net.isolate(page)).rejects.toThrow(HooksMissingError);
  await expect(openTabs(1, '/plain.html')).rejects.toThrow(HooksMissingError);
});

test('a reloaded tab keeps its faults, with no other tab to tell it', async ({ page, baseURL }) => {
  const net = new TabNetwork([page]);
  await page.goto(new URL('node.html?node=a&members=a&cluster=alone', baseURL!).href);
  await net.dropRate(0.5);
  await page.reload();
  await page.waitForFunction(() => window.__webraft !== undefined);
  const report = await net.report(page);
  expect(report.faults).toBe(net.state.version);
});

test('a Worker the page leaves out of the hooks gets none of their messages and holds no fault up', async ({ page, baseURL }) => {
  const net = new TabNetwork([page]);
  await page.goto(new URL('node.html?node=a&members=a&cluster=plain', baseURL!).href);
  const first = await page.evaluate(() => {
    const source = 'let first; onmessage = (e) => { first ??= e.data; if (e.data === "ping") postMessage(JSON.stringify(first)); };';
    const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    return new Promise<string>((resolve) => {
      worker.onmessage = (e) => resolve(e.data as string);
      worker.postMessage('ping');
    });
  });
  expect(first, "the worker's first message is the page's own").toBe('"ping"');
  await net.dropRate(0.1);
  expect((await net.report(page)).faults).toBe(net.state.version);
});

test("'@webraft/playwright/install' installs the hooks with a tab id a reload keeps", async ({ page }) => {
  const net = new TabNetwork([page]);
  await page.goto('/install.html');
  await page.waitForFunction(() => window.__webraft !== undefined);
  const tab = (await net.report(page)).tab;
  expect(tab).toMatch(/^[a-z0-9]+$/);
  await net.delay(1, 2);
  await net.reload(page);
  const report = await net.report(page);
  expect(report.tab).toBe(tab);
  expect(report.faults).toBe(net.state.version);
});
