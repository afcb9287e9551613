import { afterEach, describe, expect, it } from 'vitest';
import { AbortError, InvalidArgumentError, NotLeaderError, ProposalDroppedError, StoppedError, TimeoutError } from '../../src/node/errors.ts';
import { RaftNode } from '../../src/node/raft-node.ts';
import { MemoryLogStore } from '../../src/storage/memory.ts';
import { createMemoryNetwork } from '../../src/transport/memory.ts';
import { KvStateMachine } from './kv.ts';
import { TestCluster } from './cluster.ts';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

describe('RaftNode requests', () => {
  it('times out a proposal that cannot commit, by the injected clock', async () => {
    cluster = await TestCluster.start(['a', 'b', 'c']);
    const leader = await cluster.elect();
    for (const id of cluster.ids) if (id !== leader.id) cluster.network.isolate(id);
    const started = cluster.clock.now();
    const error = await cluster.run(leader.propose({ op: 'incr', key: 'n' }, { timeoutMs: 300 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(cluster.clock.now() - started).toBeGreaterThanOrEqual(300);
    expect(cluster.clock.now() - started).toBeLessThan(300 + 2 * 50 + 10);
  });

  it('rejects with AbortError when the signal fires, and at once when it already fired', async () => {
    cluster = await TestCluster.start(['a', 'b', 'c']);
    const leader = await cluster.elect();
    for (const id of cluster.ids) if (id !== leader.id) cluster.network.isolate(id);
    const controller = new AbortController();
    const pending = leader.propose({ op: 'incr', key: 'n' }, { signal: controller.signal });
    controller.abort('changed my mind');
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    await expect(leader.propose({ op: 'incr', key: 'n' }, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    await expect(leader.read(() => 1, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  });

  it('rejects pending and later calls with StoppedError once stopped', async () => {
    cluster = await TestCluster.start(['a', 'b', 'c']);
    const leader = await cluster.elect();
    for (const id of cluster.ids) if (id !== leader.id) cluster.network.isolate(id);
    const pending = leader.propose({ op: 'incr', key: 'n' });
    const read = leader.read();
    await cluster.stop(leader.id);
    await expect(pending).rejects.toBeInstanceOf(StoppedError);
    await expect(read).rejects.toBeInstanceOf(StoppedError);
    await expect(leader.propose({ op: 'incr', key: 'n' })).rejects.toBeInstanceOf(StoppedError);
    expect(leader.status().state).toBe('stopped');
    await leader.stop();
  });

  it('refuses bad options with InvalidArgumentError naming the option', async () => {
    const network = createMemoryNetwork();
    const base = { id: 'a', stateMachine: new KvStateMachine(), log: new MemoryLogStore(), transport: network.transport('a') };
    await expect(RaftNode.create({ ...base, transport: network.transport('b') })).rejects.toThrow(/transport.id/);
    await expect(RaftNode.create({ ...base, members: ['b', 'c'] })).rejects.toThrow(/members must include/);
    await expect(RaftNode.create({ ...base, tickMs: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(RaftNode.create({ ...base, id: '' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('refuses requests before start', async () => {
    cluster = new TestCluster(['a']);
    const node = await cluster.boot('a', { members: ['a'] });
    await node.stop();
    await expect(node.propose({ op: 'incr', key: 'n' })).rejects.toBeInstanceOf(StoppedError);
  });

  it('rejects a read or a proposal with NotLeaderError when no leader is known and forwarding is off', async () => {
    cluster = await TestCluster.start(['a', 'b', 'c'], { node: { proposalsWithoutLeader: 'reject' } });
    await expect(cluster.node('a').read()).rejects.toBeInstanceOf(NotLeaderError);
    await expect(cluster.node('a').propose({ op: 'put', key: 'k', value: 'v' })).rejects.toBeInstanceOf(NotLeaderError);
  });

  it('holds a read and a proposal made before any leader is known until one is elected', async () => {
    cluster = await TestCluster.start(['a', 'b', 'c']);
    const node = cluster.node('a');
    expect(node.leader).toBe('');
    const proposal = node.propose({ op: 'put', key: 'k', value: 'early' });
    // Concurrent with the put, so either value is linearizable; it must be served, not refused.
    const read = node.read((sm) => sm.get('k'));
    await cluster.run(proposal);
    expect([undefined, 'early']).toContain(await cluster.run(read));
    expect(await cluster.run(node.read((sm) => sm.get('k')))).toBe('early');
  });

  it('serves linearizable reads on the leader and on followers after their writes', async () => {
    cluster = await TestCluster.start(['a', 'b', 'c']);
    const leader = await cluster.elect();
    await cluster.run(leader.propose({ op: 'put', key: 'k', value: 'v1' }));
    for (const node of cluster.nodes.values()) {
      const value = await cluster.run(node.read((sm) => sm.get('k')));
      expect(value).toBe('v1');
    }
    const follower = [...cluster.nodes.values()].find((n) => n !== leader)!;
    await cluster.run(follower.propose({ op: 'put', key: 'k', value: 'v2' }));
    const index = await cluster.run(follower.read());
    expect(index).toBeGreaterThan(0);
    const reads = cluster.ids.map((id) => cluster!.node(id).read((sm, at) => ({ value: sm.get('k'), at })));
    const results = await cluster.run(Promise.all(reads));
    for (const result of results) expect(result.value).toBe('v2');
  });

  it('rejects with ProposalDroppedError when a newer leader overwrote the entry (§5.3)', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const old = await c.elect();
    c.network.isolate(old.id);
    const lost = old.propose({ op: 'put', key: 'k', value: 'lost' });
    lost.catch(() => undefined);
    const others = c.ids.filter((id) => id !== old.id);
    await c.clock.until(() => others.some((id) => c.node(id).isLeader));
    const next = c.node(others.find((id) => c.node(id).isLeader)!);
    await c.run(next.propose({ op: 'put', key: 'k', value: 'kept' }));
    c.network.healAll();
    await expect(c.run(lost)).rejects.toBeInstanceOf(ProposalDroppedError);
    await c.clock.until(() => old.stateMachine.get('k') === 'kept');
    expect(old.stateMachine.get('k')).toBe('kept');
  });

  it('transfers leadership and waits for it', async () => {
    cluster = await TestCluster.start(['a', 'b', 'c']);
    const leader = await cluster.elect();
    const target = cluster.ids.find((id) => id !== leader.id)!;
    await cluster.run(leader.transferLeadership(target));
    await cluster.clock.advance(100);
    expect(cluster.node(target).isLeader).toBe(true);
    expect(leader.leader).toBe(target);
  });
});
