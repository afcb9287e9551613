import { MemoryLogStore, NotLeaderError } from '@webraft/core';
import { createMemoryNetwork } from '@webraft/core/testing';
import type { NodeId } from '@webraft/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createReplicatedStore, withResult } from '../src/index.ts';
import type { ReplicatedStore } from '../src/index.ts';

interface Counter {
  readonly total: number;
  readonly history: readonly number[];
}
type Command = { readonly add: number } | { readonly reset: true };

const apply = (state: Counter, command: Command) => {
  if ('reset' in command) return withResult({ total: 0, history: [] }, state.total);
  if (!Number.isFinite(command.add)) throw new Error('add must be a finite number');
  return { total: state.total + command.add, history: [...state.history, command.add] };
};

const ids: NodeId[] = ['a', 'b', 'c'];
let running: Array<ReplicatedStore<Counter, Command, number>> = [];

afterEach(async () => {
  await Promise.all(running.map((s) => s.stop()));
  running = [];
});

async function memoryCluster(options: { snapshotEvery?: number } = {}) {
  const network = createMemoryNetwork();
  const logs = new Map(ids.map((id) => [id, new MemoryLogStore()]));
  const stores = await Promise.all(
    ids.map((id) =>
      createReplicatedStore<Counter, Command, number>({
        id,
        members: ids,
        log: logs.get(id)!,
        transport: network.transport(id),
        tickMs: 5,
        initialState: { total: 0, history: [] },
        apply,
        ...options,
      }),
    ),
  );
  running.push(...stores);
  const leaderId = await stores[0]!.node.waitForLeader({ timeoutMs: 5000 });
  const leader = stores[ids.indexOf(leaderId)]!;
  return { stores, leader, network };
}

describe('createReplicatedStore', () => {
  it('replicates dispatched commands to every replica, in one order', async () => {
    const { stores, leader } = await memoryCluster();
    const follower = stores.find((s) => s !== leader)!;
    await Promise.all([leader.dispatch({ add: 1 }), follower.dispatch({ add: 2 }), leader.dispatch({ add: 3 })]);
    const expected = await leader.read();
    expect(expected.total).toBe(6);
    for (const store of stores) {
      await store.read();
      expect(store.getState()).toEqual(expected);
    }
  });

  it('answers dispatch with the result a reducer returns through withResult', async () => {
    const { leader } = await memoryCluster();
    await leader.dispatch({ add: 5 });
    await expect(leader.dispatch({ reset: true })).resolves.toBe(5);
    expect((await leader.read()).total).toBe(0);
  });

  it('notifies subscribers with each new state and the command that made it', async () => {
    const { stores, leader } = await memoryCluster();
    const follower = stores.find((s) => s !== leader)!;
    const seen: Array<{ total: number; command: Command | undefined }> = [];
    const unsubscribe = follower.subscribe((state, change) => seen.push({ total: state.total, command: change.command }));
    await leader.dispatch({ add: 2 });
    await leader.dispatch({ add: 4 });
    await follower.read();
    unsubscribe();
    await leader.dispatch({ add: 8 });
    await follower.read();
    expect(seen).toEqual([
      { total: 2, command: { add: 2 } },
      { total: 6, command: { add: 4 } },
    ]);
  });

  it('keeps state unchanged on every replica when the reducer throws, and reports the error', async () => {
    const { stores, leader } = await memoryCluster();
    await leader.dispatch({ add: 1 });
    // A string, not NaN: the JSON codec refuses NaN before it is proposed, and the point here is a reducer that throws.
    await expect(leader.dispatch({ add: 'two' as unknown as number })).rejects.toThrow(/finite/);
    await leader.dispatch({ add: 1 });
    for (const store of stores) expect((await store.read()).history).toEqual([1, 1]);
  });

  it('restores from snapshots: a replica that was cut off catches up to the same state', async () => {
    const { stores, leader, network } = await memoryCluster({ snapshotEvery: 5 });
    const lagging = stores.find((s) => s !== leader)!;
    const lagId = lagging.node.status().id;
    network.partition([lagId], ids.filter((id) => id !== lagId));
    for (let i = 1; i <= 30; i++) await leader.dispatch({ add: i });
    network.healAll();
    const expected = await leader.read();
    expect(expected.total).toBe(465);
    await expect.poll(() => lagging.getState().total, { timeout: 5000 }).toBe(465);
    expect(lagging.getState()).toEqual(expected);
  });

  it('refuses a dispatch with NotLeaderError when forwarding is off and this replica does not lead', async () => {
    const network = createMemoryNetwork();
    const stores = await Promise.all(
      ids.map((id) =>
        createReplicatedStore<Counter, Command, number>({
          id,
          members: ids,
          log: new MemoryLogStore(),
          transport: network.transport(id),
          tickMs: 5,
          proposalsWithoutLeader: 'reject',
          initialState: { total: 0, history: [] },
          apply,
        }),
      ),
    );
    running.push(...stores);
    const leaderId = await stores[0]!.node.waitForLeader({ timeoutMs: 5000 });
    const follower = stores.find((s) => s.node.status().id !== leaderId)!;
    await follower.node.waitForLeader({ timeoutMs: 5000 });
    const error = await follower.dispatch({ add: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotLeaderError);
    expect((error as NotLeaderError).leader).toBe(leaderId);
  });
});
