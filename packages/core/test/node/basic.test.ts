import { afterEach, describe, expect, it } from 'vitest';
import { NotLeaderError } from '../../src/node/errors.ts';
import { TestCluster } from './cluster.ts';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

describe('RaftNode basics', () => {
  it('elects a leader and resolves a proposal with the apply result on every path', async () => {
    cluster = await TestCluster.start(['a', 'b', 'c']);
    const leader = await cluster.elect();
    expect(await cluster.run(leader.propose({ op: 'put', key: 'x', value: '1' }))).toBeUndefined();
    expect(await cluster.run(leader.propose({ op: 'put', key: 'x', value: '2' }))).toBe('1');
    const follower = [...cluster.nodes.values()].find((n) => n !== leader)!;
    expect(await cluster.run(follower.propose({ op: 'incr', key: 'n' }))).toBe(1);
    expect(await cluster.run(follower.propose({ op: 'incr', key: 'n' }))).toBe(2);
    await cluster.clock.advance(200);
    for (const node of cluster.nodes.values()) {
      expect(node.stateMachine.get('x')).toBe('2');
      expect(node.stateMachine.get('n')).toBe('2');
    }
  });

  it('rejects with NotLeaderError carrying the leader when forwarding is off', async () => {
    cluster = await TestCluster.start(['a', 'b', 'c'], { node: { proposalsWithoutLeader: 'reject' } });
    const leader = await cluster.elect();
    const follower = [...cluster.nodes.values()].find((n) => n !== leader)!;
    const error = await follower.propose({ op: 'incr', key: 'n' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotLeaderError);
    expect((error as NotLeaderError).leader).toBe(leader.id);
  });
});
