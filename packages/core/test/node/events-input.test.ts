import { afterEach, describe, expect, it } from 'vitest';
import { EntryDecodeError } from '../../src/node/errors.ts';
import type { Message } from '../../src/raft/types.ts';
import { TestCluster } from './cluster.ts';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

describe('RaftNode events', () => {
  it('reports role, leader, term, commit, apply and listener errors', async () => {
    const c = (cluster = new TestCluster(['a', 'b', 'c']));
    const log: string[] = [];
    const applied: unknown[] = [];
    let committed = 0;
    const nodes = [];
    for (const id of c.ids) nodes.push(await c.boot(id, { members: c.ids }));
    const a = c.node('a');
    a.on('roleChanged', (e) => log.push(`role ${e.previous}->${e.role}`));
    a.on('leaderChanged', (e) => log.push(`leader ${e.leader}`));
    a.on('termChanged', (e) => log.push(`term ${e.previous}->${e.term}`));
    a.on('committed', (e) => (committed = e.index));
    a.on('applied', (e) => applied.push(e.type === 'normal' ? e.command : e.type));
    const errors: Error[] = [];
    a.on('error', (e) => errors.push(e.error));
    const unsubscribe = a.on('applied', () => {
      throw new Error('listener bug');
    });
    a.campaign();
    await c.elect();
    expect(a.isLeader).toBe(true);
    expect(await c.run(a.propose({ op: 'put', key: 'k', value: 'v' }))).toBeUndefined();
    unsubscribe();
    await c.run(a.propose({ op: 'incr', key: 'n' }));
    expect(log).toContain('term 0->1');
    expect(log).toContain('leader a');
    expect(log.some((l) => l.endsWith('->leader'))).toBe(true);
    expect(committed).toBe(a.status().commit);
    // The first leader's first entry records the founders' configuration.
    expect(applied).toEqual(['config', { op: 'put', key: 'k', value: 'v' }, { op: 'incr', key: 'n' }]);
    expect(errors.map((e) => e.message)).toEqual(['listener bug', 'listener bug']);
  });
});

describe('RaftNode against bad input', () => {
  it('counts and reports forged, non-member and malformed messages without crashing', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    const rejected: string[] = [];
    leader.on('messageRejected', (e) => rejected.push(e.reason));
    const intruder = c.network.transport('z');
    await intruder.start({ message: () => undefined });
    const heartbeat = { type: 'heartbeat', to: leader.id, term: 99, commit: 0, context: new Uint8Array(0) } as const;
    intruder.send({ ...heartbeat, from: 'a' === leader.id ? 'b' : 'a' });
    intruder.send({ type: 'vote', from: 'z', to: leader.id, term: 99, pre: false, lastLogIndex: 99, lastLogTerm: 99, transfer: false });
    intruder.send({ type: 'bogus', from: 'z', to: leader.id, term: 1 } as unknown as Message);
    await c.clock.advance(100);
    const { rejected: counts } = leader.status().metrics;
    expect(counts.auth).toBe(1);
    expect(counts.nonMember).toBe(1);
    expect(counts.unknownType).toBe(1);
    expect(rejected).toContain('auth');
    expect(rejected.length).toBe(3);
    expect(Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0)).toBe(3);
    expect(leader.isLeader).toBe(true);
    expect(await c.run(leader.propose({ op: 'incr', key: 'n' }))).toBe(1);
  });

  it('skips an entry that is not a RaftNode envelope on every node alike, and goes on', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    const follower = c.ids.find((id) => id !== leader.id)!;
    const errors: Error[] = [];
    for (const node of c.nodes.values()) node.on('error', (e) => errors.push(e.error));
    const garbage = { type: 'normal', term: 0, index: 0, data: new Uint8Array([0xff, 1, 2]) } as const;
    c.network.transport(follower).send({ type: 'prop', from: follower, to: leader.id, term: leader.status().term, entries: [garbage] });
    await c.clock.advance(100);
    expect(errors).toHaveLength(3);
    expect(errors.every((e) => e instanceof EntryDecodeError)).toBe(true);
    expect(await c.run(leader.propose({ op: 'incr', key: 'n' }))).toBe(1);
    for (const node of c.nodes.values()) expect(node.status().state).toBe('running');
  });
});
