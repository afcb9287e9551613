import { afterEach, describe, expect, it } from 'vitest';
import { ReplayedApplyError } from '../../src/node/applier.ts';
import { SessionExpiredError, StaleRequestError, TimeoutError } from '../../src/node/errors.ts';
import { TestCluster } from './cluster.ts';
import { settle } from './fake-clock.ts';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

describe('RaftNode exactly-once sessions (thesis §6.3)', () => {
  it('answers a retry of an applied request with the first result, without applying it again', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    const session = await c.run(leader.openSession());
    expect(await c.run(session.propose({ op: 'incr', key: 'n' }))).toBe(1);

    // The request commits, but its proposer is cut off before it learns the result.
    const follower = [...c.nodes.values()].find((n) => n !== leader)!;
    c.network.cut(leader.id, follower.id);
    const first = follower.propose({ op: 'incr', key: 'n' }, { session: { clientId: session.clientId, seq: 2 }, timeoutMs: 500 });
    await settle();
    c.network.isolate(follower.id);
    await expect(c.run(first)).rejects.toBeInstanceOf(TimeoutError);
    expect(leader.stateMachine.get('n')).toBe('2');

    const retry = await c.run(leader.propose({ op: 'incr', key: 'n' }, { session: { clientId: session.clientId, seq: 2 } }));
    expect(retry).toBe(2);
    expect(leader.stateMachine.get('n')).toBe('2');
    expect(leader.status().metrics.duplicates).toBe(1);

    await expect(c.run(leader.propose({ op: 'incr', key: 'n' }, { session: { clientId: session.clientId, seq: 1 } }))).rejects.toBeInstanceOf(StaleRequestError);
    await expect(c.run(leader.propose({ op: 'incr', key: 'n' }, { session: { clientId: '999999', seq: 1 } }))).rejects.toBeInstanceOf(SessionExpiredError);
    c.network.healAll();
    await c.clock.until(() => follower.stateMachine.get('n') === '2');
    expect(follower.stateMachine.get('n')).toBe('2');
  });

  it('replays a failed apply as a failure, and keeps the session table through snapshots and restarts', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c'], { node: { snapshotEvery: 5 } }));
    const leader = await c.elect();
    const session = await c.run(leader.openSession());
    await expect(c.run(session.propose({ op: 'fail', message: 'nope' }))).rejects.toThrow('nope');
    await expect(c.run(leader.propose({ op: 'fail', message: 'nope' }, { session: { clientId: session.clientId, seq: 1 } }))).rejects.toBeInstanceOf(ReplayedApplyError);
    expect(await c.run(session.propose({ op: 'incr', key: 'n' }))).toBe(1);
    for (let i = 0; i < 12; i++) await c.run(leader.propose({ op: 'incr', key: 'other' }));
    await c.clock.advance(200);
    const other = c.ids.find((id) => id !== leader.id)!;
    expect(c.disks.get(other)!.snapshot!.meta.index).toBeGreaterThan(5);
    const restarted = await c.restart(other);
    expect(restarted.stateMachine.restores).toBe(1);
    await c.elect();
    const resumed = restarted.resumeSession(session.clientId, 2);
    expect(await c.run(restarted.propose({ op: 'incr', key: 'n' }, { session: { clientId: resumed.clientId, seq: resumed.lastSeq } }))).toBe(1);
    expect(await c.run(resumed.propose({ op: 'incr', key: 'n' }))).toBe(2);
  });

  it('expires idle sessions by log index on every node alike', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c'], { node: { sessionTtlEntries: 8 } }));
    const leader = await c.elect();
    const session = await c.run(leader.openSession());
    for (let i = 0; i < 12; i++) await c.run(leader.propose({ op: 'incr', key: 'x' }));
    await expect(c.run(session.propose({ op: 'incr', key: 'n' }))).rejects.toBeInstanceOf(SessionExpiredError);
  });
});
