import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTabStore, withResult } from '../src/index.ts';
import type { TabStore } from '../src/index.ts';
import { FakeLockManager } from './fake-locks.ts';

type Command = { readonly add: number } | { readonly take: number };
interface Counter {
  readonly total: number;
  readonly adds: number;
}
const apply = (state: Counter, command: Command) => {
  if ('take' in command) {
    if (command.take > state.total) throw new RangeError(`cannot take ${command.take} of ${state.total}`);
    return withResult({ total: state.total - command.take, adds: state.adds }, state.total - command.take);
  }
  return { total: state.total + command.add, adds: state.adds + 1 };
};

let open: TabStore<Counter, Command, number>[] = [];
let storeCount = 0;

afterEach(async () => {
  await Promise.all(open.map((tab) => tab.close()));
  open = [];
});

function browser(name = `test-${Date.now()}-${storeCount++}`) {
  const locks = new FakeLockManager();
  return {
    name,
    async openTab(options: { maxVoters?: number } = {}) {
      const tab = await createTabStore<Counter, Command, number>({
        name,
        initialState: { total: 0, adds: 0 },
        apply,
        worker: false,
        tickMs: 10,
        requestTimeoutMs: 5000,
        environment: { locks: locks.client() },
        ...options,
      });
      open.push(tab);
      return tab;
    },
    async closeTab(tab: TabStore<Counter, Command, number>) {
      open = open.filter((t) => t !== tab);
      await tab.close();
    },
  };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('createTabStore', () => {
  it('works in one tab alone at once: it runs every voter slot', async () => {
    const b = browser();
    const tab = await b.openTab();
    await tab.dispatch({ add: 2 });
    await expect(tab.dispatch({ take: 1 })).resolves.toBe(1);
    expect(tab.getState()).toEqual({ total: 1, adds: 1 });
    expect(tab.status()).toMatchObject({ role: 'voter', slots: [1, 2, 3], connected: true, pendingWrites: 0 });
  });

  it("rejects with the reducer's own error, and every tab keeps the state it had", async () => {
    const b = browser();
    const tab = await b.openTab();
    await tab.dispatch({ add: 1 });
    await expect(tab.dispatch({ take: 5 })).rejects.toThrow(RangeError);
    expect((await tab.read()).total).toBe(1);
  });

  it('spreads the voter slots over the tabs, makes the others learners, and keeps every tab in step', async () => {
    const b = browser();
    const first = await b.openTab();
    const others = [await b.openTab(), await b.openTab(), await b.openTab()];
    const tabs = [first, ...others];
    await until(() => tabs.filter((t) => t.status().slots.length === 1).length === 3);
    expect(tabs.filter((t) => t.status().role === 'learner')).toHaveLength(1);
    await Promise.all(tabs.flatMap((tab, i) => Array.from({ length: 5 }, () => tab.dispatch({ add: i + 1 }))));
    const expected = { total: 5 * (1 + 2 + 3 + 4), adds: 20 };
    for (const tab of tabs) expect(await tab.read()).toEqual(expected);
    await until(() => tabs.every((t) => t.getState().adds === 20));
    expect(first.status().tabs).toHaveLength(4);
  });

  it('stays available as tabs close, and a tab opened after all closed has the state back', async () => {
    const b = browser();
    const tabs = [await b.openTab(), await b.openTab(), await b.openTab()];
    await until(() => tabs.every((t) => t.status().slots.length === 1));
    await tabs[1]!.dispatch({ add: 10 });
    await b.closeTab(tabs[0]!);
    await tabs[2]!.dispatch({ add: 1 });
    await b.closeTab(tabs[2]!);
    // One tab left: it takes the slots of the closed ones, with their logs, and goes on.
    await tabs[1]!.dispatch({ add: 100 });
    await until(() => tabs[1]!.status().slots.length === 3);
    expect(await tabs[1]!.read()).toEqual({ total: 111, adds: 3 });
    await b.closeTab(tabs[1]!);

    const again = await b.openTab();
    expect(again.getState()).toEqual({ total: 111, adds: 3 });
    await again.dispatch({ add: 1000 });
    expect((await again.read()).total).toBe(1111);
  });

  it('reports its options with a named error', async () => {
    await expect(createTabStore({ name: '', initialState: 0, apply: (s: number) => s, worker: false })).rejects.toThrow(/name must be/);
    await expect(createTabStore({ name: 'x', initialState: 0, apply: (s: number) => s, maxVoters: 9, worker: false })).rejects.toMatchObject({
      name: 'TabStoreOptionsError',
      option: 'maxVoters',
    });
  });
});

describe('createTabStore failover', () => {
  it("answers a dispatch in flight when the leader's tab closes, applying it once", async () => {
    const b = browser();
    const tabs = [await b.openTab(), await b.openTab(), await b.openTab()];
    await until(() => tabs.every((t) => t.status().slots.length === 1));
    const leader = tabs.find((t) => t.status().leading)!;
    const follower = tabs.find((t) => t !== leader)!;
    const writes = Array.from({ length: 20 }, () => follower.dispatch({ add: 1 }));
    await b.closeTab(leader);
    await Promise.all(writes);
    expect(await follower.read()).toEqual({ total: 20, adds: 20 });
  });
});
