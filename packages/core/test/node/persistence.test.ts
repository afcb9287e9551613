import { afterEach, describe, expect, it } from 'vitest';
import { RaftNode } from '../../src/node/raft-node.ts';
import { StoppedError, StorageError } from '../../src/node/errors.ts';
import { MemoryLogStore } from '../../src/storage/memory.ts';
import { LogStoreClosedError, LogStoreQuotaError } from '../../src/storage/errors.ts';
import { createMemoryNetwork } from '../../src/transport/memory.ts';
import { TestCluster } from './cluster.ts';
import { FakeClock, seededRandom } from './fake-clock.ts';
import { KvStateMachine } from './kv.ts';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

async function fill(c: TestCluster, count: number, key = 'n'): Promise<void> {
  const leader = await c.elect();
  const proposals: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) proposals.push(leader.propose({ op: 'incr', key }));
  await c.run(Promise.all(proposals));
}

describe('RaftNode durability', () => {
  it('restarts every node from its log store with the state preserved, without members', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    await fill(c, 20);
    for (const id of c.ids) await c.stop(id);
    for (const id of c.ids) await c.boot(id);
    await c.clock.until(() => c.ids.every((id) => c.node(id).stateMachine.get('n') === '20'));
    const leader = await c.elect();
    expect(await c.run(leader.propose({ op: 'incr', key: 'n' }))).toBe(21);
    for (const id of c.ids) {
      const sm = c.node(id).stateMachine;
      expect(new Set(sm.appliedIndexes).size).toBe(sm.appliedIndexes.length);
    }
  });

  it('takes snapshots, compacts the store, and restarts from the snapshot', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c'], { node: { snapshotEvery: 10, snapshotKeepEntries: 2 } }));
    const taken: number[] = [];
    c.node('a').on('snapshotTaken', (e) => taken.push(e.index));
    for (let round = 0; round < 5; round++) await fill(c, 7);
    await c.clock.advance(200);
    expect(taken.length).toBeGreaterThanOrEqual(2);
    const disk = c.disks.get('a')!;
    expect(disk.snapshot?.meta.index).toBe(taken.at(-1));
    expect(disk.entries[0]!.index).toBe(taken.at(-1)! - 2 + 1);
    expect(c.node('a').status().metrics.snapshotsTaken).toBe(taken.length);
    await c.stop('a');
    const node = await c.boot('a');
    expect(node.stateMachine.restores).toBe(1);
    expect(node.stateMachine.get('n')).toBeDefined();
    await c.clock.until(() => node.stateMachine.get('n') === '35');
    expect(node.stateMachine.get('n')).toBe('35');
    expect(node.stateMachine.appliedIndexes.every((i) => i > taken.at(-1)!)).toBe(true);
  });

  it('takes a snapshot once snapshotBytes of entries were applied', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c'], { node: { snapshotEvery: 0, snapshotBytes: 2000 } }));
    const leader = await c.elect();
    const taken: number[] = [];
    leader.on('snapshotTaken', (e) => taken.push(e.index));
    await c.run(leader.propose({ op: 'put', key: 'small', value: 'x' }));
    expect(taken).toEqual([]);
    await c.run(leader.propose({ op: 'put', key: 'big', value: 'y'.repeat(2500) }));
    await c.clock.advance(50);
    expect(taken).toEqual([leader.status().applied]);
  });

  it('brings a far-behind follower up to date with a snapshot', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c'], { node: { snapshotEvery: 10, snapshotKeepEntries: 0 } }));
    const leader = await c.elect();
    const lagging = c.ids.find((id) => id !== leader.id)!;
    c.network.isolate(lagging);
    for (let round = 0; round < 4; round++) await fill(c, 10);
    const installed: number[] = [];
    c.node(lagging).on('snapshotInstalled', (e) => installed.push(e.index));
    c.network.healAll();
    await c.clock.until(() => c.node(lagging).stateMachine.get('n') === '40');
    expect(c.node(lagging).stateMachine.get('n')).toBe('40');
    expect(installed.length).toBeGreaterThanOrEqual(1);
    expect(c.node(lagging).status().metrics.snapshotsInstalled).toBe(installed.length);
  });

  it('stops with a fatal StorageError when a write fails, acknowledging nothing', async () => {
    const clock = new FakeClock();
    const network = createMemoryNetwork();
    let failing = false;
    const store = new MemoryLogStore({ failWrite: () => (failing ? new LogStoreQuotaError('disk full') : undefined) });
    const node = await RaftNode.create({ id: 'solo', members: ['solo'], stateMachine: new KvStateMachine(), log: store, transport: network.transport('solo'), clock, random: seededRandom(3) });
    const errors: { error: Error; fatal: boolean }[] = [];
    node.on('error', (e) => errors.push(e));
    await node.start();
    await clock.until(() => node.isLeader);
    failing = true;
    const pending = node.propose({ op: 'incr', key: 'n' });
    pending.catch(() => undefined);
    await clock.advance(100);
    await expect(pending).rejects.toBeInstanceOf(StoppedError);
    expect(node.stateMachine.appliedIndexes).toEqual([]);
    expect(node.status().state).toBe('failed');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.fatal).toBe(true);
    expect(errors[0]!.error).toBeInstanceOf(StorageError);
    await node.stop();
  });

  it('fails create with the store’s own typed error, or StorageError wrapping an untyped one', async () => {
    const closed = new MemoryLogStore();
    await closed.close();
    const network = createMemoryNetwork();
    const options = { id: 'x', members: ['x'], stateMachine: new KvStateMachine(), transport: network.transport('x') };
    await expect(RaftNode.create({ ...options, log: closed })).rejects.toBeInstanceOf(LogStoreClosedError);
    const broken = new MemoryLogStore();
    broken.load = () => Promise.reject(new TypeError('cannot read properties of undefined'));
    const failure = RaftNode.create({ ...options, log: broken });
    await expect(failure).rejects.toBeInstanceOf(StorageError);
    await expect(failure).rejects.toThrow('cannot read properties of undefined');
  });

  it('works with a slow store: ticking and elections go on while writes lag', async () => {
    const c = (cluster = new TestCluster(['a', 'b', 'c']));
    const creating = c.ids.map(async (id) => {
      const store = new MemoryLogStore({ data: c.disks.get(id)!, latencyMs: 30, setTimeout: (cb, ms) => c.clock.setTimeout(cb, ms) });
      const node = await RaftNode.create({ id, members: c.ids, stateMachine: new KvStateMachine(), log: store, transport: c.network.transport(id), clock: c.clock, random: seededRandom(7) });
      c.nodes.set(id, node);
      await node.start();
    });
    await c.run(Promise.all(creating));
    await fill(c, 10);
    await c.clock.until(() => c.ids.every((id) => c.node(id).stateMachine.get('n') === '10'));
    expect(c.ids.map((id) => c.node(id).stateMachine.get('n'))).toEqual(['10', '10', '10']);
  });
});
