import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryLogStore, RaftNode, type StateMachine } from '../../src/index.ts';
import { createMemoryNetwork } from '../../src/testing/index.ts';
import { InvalidArgumentError, ProposalDroppedError, StaleRequestError } from '../../src/node/errors.ts';
import { decodeBatch, encodeBatch, EnvelopeError } from '../../src/node/envelope.ts';
import { TestCluster } from './cluster.ts';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

describe('RaftNode command batching (maxBatchCommands)', () => {
  it('answers each batched command with its own result, applied once and in order everywhere', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c'], { node: { maxBatchCommands: 16 } }));
    const leader = await c.elect();
    const follower = [...c.nodes.values()].find((n) => n !== leader)!;
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) calls.push((i % 2 === 0 ? leader : follower).propose({ op: 'incr', key: 'n' }));
    const results = (await c.run(Promise.all(calls))) as number[];
    expect([...results].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    await c.clock.until(() => c.ids.every((id) => c.node(id).stateMachine.get('n') === '100'));
    const status = leader.status();
    expect(status.lastIndex).toBeLessThan(40);
    for (const id of c.ids) expect(c.node(id).stateMachine.appliedIndexes).toHaveLength(100);
    await c.restart(follower.id);
    await c.clock.until(() => c.node(follower.id).stateMachine.get('n') === '100');
    expect(c.node(follower.id).stateMachine.get('n')).toBe('100');
  });

  it('keeps sessions exact inside a batch', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c'], { node: { maxBatchCommands: 16 } }));
    const leader = await c.elect();
    const session = await c.run(leader.openSession());
    const clientId = session.clientId;
    const same = [1, 1, 1].map(() => leader.propose({ op: 'incr', key: 'n' }, { session: { clientId, seq: 1 } }));
    expect(await c.run(Promise.all(same))).toEqual([1, 1, 1]);
    await expect(leader.propose({ op: 'incr', key: 'n' }, { session: { clientId, seq: 0 } })).rejects.toBeInstanceOf(InvalidArgumentError);
    const older = leader.propose({ op: 'incr', key: 'n' }, { session: { clientId, seq: 2 } });
    expect(await c.run(older)).toBe(2);
    await expect(c.run(leader.propose({ op: 'incr', key: 'n' }, { session: { clientId, seq: 1 } }))).rejects.toBeInstanceOf(StaleRequestError);
    expect(leader.stateMachine.get('n')).toBe('2');
  });

  it('rejects every command of an overwritten batch entry as dropped', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c'], { node: { maxBatchCommands: 16 } }));
    const old = await c.elect();
    c.network.isolate(old.id);
    const lost = [1, 2, 3].map((i) => old.propose({ op: 'put', key: `k${i}`, value: 'lost' }));
    for (const p of lost) p.catch(() => undefined);
    const others = c.ids.filter((id) => id !== old.id);
    await c.clock.until(() => others.some((id) => c.node(id).isLeader));
    const next = c.node(others.find((id) => c.node(id).isLeader)!);
    await c.run(Promise.all([next.propose({ op: 'put', key: 'k1', value: 'kept' }), next.propose({ op: 'put', key: 'k9', value: 'kept' })]));
    c.network.healAll();
    for (const p of lost) await expect(c.run(p)).rejects.toBeInstanceOf(ProposalDroppedError);
    expect(old.stateMachine.get('k2')).toBeUndefined();
  });

  it('refuses malformed batches', () => {
    const batch = encodeBatch([new Uint8Array([1, 2]), new Uint8Array([3])]);
    expect(decodeBatch(batch)).toEqual([3, 5, 6, 7]);
    expect(() => decodeBatch(batch.subarray(0, batch.length - 1))).toThrow(EnvelopeError);
    expect(() => decodeBatch(new Uint8Array([0x20, 0x7f]))).toThrow(EnvelopeError);
    expect(() => decodeBatch(new Uint8Array([...batch, 0]))).toThrow(EnvelopeError);
  });
});

describe('batched commands with an asynchronous state machine', () => {
  /** Appends each command; every third apply settles later, which pauses the batch mid-entry. */
  class SlowList implements StateMachine<string, number> {
    items: string[] = [];
    apply(command: string): number | Promise<number> {
      const settle = (): number => this.items.push(command);
      if (command.endsWith('0') || command.endsWith('3') || command.endsWith('6')) {
        return new Promise((resolve) => setTimeout(() => resolve(settle()), 1));
      }
      return settle();
    }
    snapshot(): Uint8Array {
      return new TextEncoder().encode(JSON.stringify(this.items));
    }
    restore(bytes: Uint8Array): void {
      this.items = JSON.parse(new TextDecoder().decode(bytes)) as string[];
    }
  }

  it('applies the commands of an entry in order, waiting for each pending apply', async () => {
    const ids = ['a', 'b', 'c'];
    const network = createMemoryNetwork();
    const nodes = await Promise.all(
      ids.map((id) =>
        RaftNode.create({ id, members: ids, stateMachine: new SlowList(), log: new MemoryLogStore(), transport: network.transport(id), maxBatchCommands: 16, tickMs: 10 }),
      ),
    );
    try {
      await Promise.all(nodes.map((n) => n.start()));
      nodes[0]!.campaign();
      await nodes[0]!.waitForLeader({ timeoutMs: 5_000 });
      const commands = Array.from({ length: 60 }, (_, i) => `c${i}`);
      const results = await Promise.all(commands.map((command) => nodes[0]!.propose(command)));
      expect(results).toEqual(commands.map((_, i) => i + 1));
      expect(nodes[0]!.status().lastIndex).toBeLessThan(30);
      await vi.waitFor(() => expect(nodes.map((n) => n.stateMachine.items.length)).toEqual([60, 60, 60]), { timeout: 5_000 });
      for (const node of nodes) expect(node.stateMachine.items).toEqual(commands);
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
    }
  });
});
