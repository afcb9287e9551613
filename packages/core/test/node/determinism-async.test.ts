import { describe, expect, it } from 'vitest';
import { RaftNode } from '../../src/node/raft-node.ts';
import type { StateMachine } from '../../src/node/state-machine.ts';
import { MemoryLogStore } from '../../src/storage/memory.ts';
import { createMemoryNetwork } from '../../src/transport/memory.ts';
import { TestCluster } from './cluster.ts';
import { FakeClock, seededRandom } from './fake-clock.ts';

/** One scripted run: every event of every node, with the fake clock's time. */
async function scriptedRun(seed: number): Promise<string[]> {
  const c = await TestCluster.start(['a', 'b', 'c'], { seed });
  const log: string[] = [];
  for (const node of c.nodes.values()) {
    node.on('roleChanged', (e) => log.push(`${c.clock.now()} ${node.id} ${e.role} t${e.term}`));
    node.on('applied', (e) => log.push(`${c.clock.now()} ${node.id} applied ${e.index} ${JSON.stringify(e.result ?? null)}`));
  }
  const leader = await c.elect();
  for (let i = 0; i < 5; i++) await c.run(leader.propose({ op: 'incr', key: 'n' }));
  c.network.isolate(leader.id);
  const others = c.ids.filter((id) => id !== leader.id);
  await c.clock.until(() => others.some((id) => c.node(id).isLeader));
  await c.run(c.node(others[0]!).propose({ op: 'incr', key: 'n' }));
  await c.stopAll();
  return log;
}

describe('RaftNode under a fake clock', () => {
  it('replays identically from the same seed', async () => {
    const first = await scriptedRun(42);
    expect(first.length).toBeGreaterThan(20);
    expect(await scriptedRun(42)).toEqual(first);
  });
});

/** A state machine whose every operation settles later, to exercise the paused apply queue. */
class SlowLog implements StateMachine<string, number> {
  items: string[] = [];
  async apply(command: string, index: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, index % 3));
    this.items.push(command);
    return this.items.length;
  }
  async snapshot(): Promise<Uint8Array> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return new TextEncoder().encode(JSON.stringify(this.items));
  }
  async restore(data: Uint8Array): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.items = JSON.parse(new TextDecoder().decode(data)) as string[];
  }
}

describe('RaftNode with an async state machine', () => {
  it('applies in order, one at a time, and snapshots between applies', async () => {
    const clock = new FakeClock();
    const network = createMemoryNetwork();
    const stores = ['a', 'b', 'c'].map(() => new MemoryLogStore());
    const nodes: RaftNode<SlowLog>[] = [];
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      const node = await RaftNode.create({ id, members: ['a', 'b', 'c'], stateMachine: new SlowLog(), log: stores[i]!, transport: network.transport(id), clock, random: seededRandom(5 + i), snapshotEvery: 4 });
      await node.start();
      nodes.push(node);
    }
    nodes[0]!.campaign();
    await clock.until(() => nodes[0]!.isLeader);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => nodes[0]!.propose(`c${i}`)));
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const expected = Array.from({ length: 12 }, (_, i) => `c${i}`);
    // SlowLog settles on real timers: let real time pass along with the fake clock.
    const settled = () => nodes.every((n) => n.stateMachine.items.length === 12 && n.status().metrics.snapshotsTaken > 0);
    for (let i = 0; i < 200 && !settled(); i++) {
      await clock.advance(10);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    for (const node of nodes) expect(node.stateMachine.items).toEqual(expected);
    expect(nodes[0]!.status().metrics.snapshotsTaken).toBeGreaterThan(0);
    const snap = JSON.parse(new TextDecoder().decode(stores[0]!.data.snapshot!.data.subarray(5))) as string[];
    expect(snap).toEqual(expected.slice(0, snap.length));
    for (const node of nodes) await node.stop();
  });
});
