import { afterEach, describe, expect, it } from 'vitest';
import { NotLeaderError } from '../../src/node/errors.ts';
import { TestCluster } from './cluster.ts';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

describe('RaftNode membership', () => {
  it('adds a learner, promotes it, removes a voter; every node sees the changes', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    let leader = await c.elect();
    await c.run(leader.propose({ op: 'put', key: 'k', value: 'v' }));
    const joiner = await c.boot('d');
    expect(joiner.members().voters).toEqual([]);
    const seen: string[] = [];
    const follower = c.ids.find((id) => id !== leader.id)!;
    // Distinct sets only: the joiner added by hand also asks to be bound to its store (same sets).
    c.node(follower).on('membershipChanged', (e) => {
      const sets = `${e.conf.voters.join('')}/${e.conf.learners.join('')}`;
      if (seen.at(-1) !== sets) seen.push(sets);
    });

    const asLearner = await c.run(leader.addMember('d', { learner: true }));
    expect(asLearner.learners).toEqual(['d']);
    await c.clock.until(() => joiner.stateMachine.get('k') === 'v');
    expect(joiner.stateMachine.get('k')).toBe('v');

    // A learner votes only once bound to its store, which it asks for by itself; before that
    // the core refuses to make it a voter, naming why.
    const early = await c.run(leader.promote('d')).catch((error: Error) => error);
    if (early instanceof Error) expect(early.message).toContain('no store bound');
    await c.clock.until(() => leader.members().stores?.d === joiner.status().store);
    const promoted = await c.run(leader.promote('d'));
    expect([...promoted.voters].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(promoted.learners).toEqual([]);

    const removed = c.ids.find((id) => id !== leader.id && id !== follower)!;
    const after = await c.run(leader.removeMember(removed));
    expect([...after.voters].sort()).toEqual(['a', 'b', 'c', 'd'].filter((id) => id !== removed));
    await c.clock.advance(300);
    expect(seen).toEqual(['abc/d', 'abcd/', `${['a', 'b', 'c', 'd'].filter((id) => id !== removed).join('')}/`]);
    await c.clock.until(() => c.node(follower).members().stores?.d === joiner.status().store);
    expect(joiner.status().admitted).toBe(true);
    await c.stop(removed);

    leader = await c.elect();
    expect(await c.run(leader.propose({ op: 'incr', key: 'n' }))).toBe(1);
    await c.clock.until(() => joiner.stateMachine.get('n') === '1');
    expect(joiner.stateMachine.get('n')).toBe('1');
  });

  it('refuses membership changes on a follower with the leader hint', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    const follower = [...c.nodes.values()].find((n) => n !== leader)!;
    const error = await follower.addMember('d').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotLeaderError);
    expect((error as NotLeaderError).leader).toBe(leader.id);
  });
});
