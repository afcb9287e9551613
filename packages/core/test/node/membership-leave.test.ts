import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/node/errors.ts';
import { TestCluster } from './cluster.ts';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

const sorted = (ids: readonly string[]): string[] => [...ids].sort();

describe('RaftNode leave', () => {
  it('a follower leaves: removed by the leader, then stopped', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    const id = c.ids.find((n) => n !== leader.id)!;
    const leaving = c.node(id);
    await c.run(leaving.leave());
    expect(leaving.status().state).toBe('stopped');
    c.nodes.delete(id);
    expect(sorted(leader.members().voters)).toEqual(c.ids.filter((n) => n !== id));
    expect(await c.run(leader.propose({ op: 'incr', key: 'n' }))).toBe(1);
  });

  it('the leader leaves: it hands leadership to a voter first, which removes it', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    await c.run(leader.propose({ op: 'put', key: 'k', value: 'v' }));
    const terms: string[] = [];
    leader.on('leaderChanged', (e) => terms.push(e.leader));
    await c.run(leader.leave());
    expect(leader.status().state).toBe('stopped');
    c.nodes.delete(leader.id);
    // Leadership moved to another voter before the removal.
    const successor = terms.find((l) => l !== '');
    expect(successor).toBeDefined();
    expect(successor).not.toBe(leader.id);
    const next = await c.elect();
    expect(sorted(next.members().voters)).toEqual(c.ids.filter((n) => n !== leader.id));
    expect(await c.run(next.propose({ op: 'put', key: 'k', value: 'w' }))).toBe('v');
  });

  it('a learner leaves; the last voter may not', async () => {
    const c = (cluster = await TestCluster.start(['a']));
    const leader = await c.elect();
    const learner = await c.boot('l');
    await c.run(learner.join({ via: ['a'], learner: true }));
    await c.run(learner.leave());
    c.nodes.delete('l');
    expect(leader.members().learners).toEqual([]);
    await expect(leader.leave()).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
