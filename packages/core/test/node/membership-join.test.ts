import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, JoinRefusedError, TimeoutError } from '../../src/node/errors.ts';
import type { MemberResponse, Message } from '../../src/raft/types.ts';
import { TestCluster } from './cluster.ts';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

const sorted = (ids: readonly string[]): string[] => [...ids].sort();

describe('RaftNode join', () => {
  it('joins through a follower: forwarded to the leader, added as a learner, promoted once caught up', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    for (let i = 0; i < 40; i++) await c.run(leader.propose({ op: 'put', key: `k${i}`, value: String(i) }));
    const follower = c.ids.find((id) => id !== leader.id)!;
    const joiner = await c.boot('d');
    const changes: string[] = [];
    leader.on('membershipChanged', (e) => changes.push(`${e.conf.voters.join('')}/${e.conf.learners.join('')}`));

    const conf = await c.run(joiner.join({ via: [follower] }));
    expect(sorted(conf.voters)).toEqual(['a', 'b', 'c', 'd']);
    expect(changes).toEqual(['abc/d', 'abcd/']);
    expect(joiner.stateMachine.get('k39')).toBe('39');
    expect(await c.run(joiner.propose({ op: 'incr', key: 'n' }))).toBe(1);
  });

  it('joins through the leader as a learner, and stays one', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    const joiner = await c.boot('d');
    const conf = await c.run(joiner.join({ via: [leader.id], learner: true }));
    expect(conf.learners).toEqual(['d']);
    await c.clock.advance(2000);
    expect(leader.members().learners).toEqual(['d']);
    expect(sorted(leader.members().voters)).toEqual(['a', 'b', 'c']);
  });

  it('a learner that restarted asks for its promotion under the nonce its own log recorded', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    const joiner = await c.boot('d');
    expect((await c.run(joiner.join({ via: [leader.id], learner: true }))).learners).toEqual(['d']);
    await c.run(leader.propose({ op: 'put', key: 'before', value: 'restart' }));
    const restarted = await c.restart('d');
    const conf = await c.run(restarted.join({ via: [leader.id] }));
    expect(sorted(conf.voters)).toEqual(['a', 'b', 'c', 'd']);
    expect(sorted(leader.members().voters)).toEqual(['a', 'b', 'c', 'd']);
    expect(restarted.stateMachine.get('before')).toBe('restart');
  });

  it('a learner asks for its promotion without restarting, too', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    const joiner = await c.boot('d');
    await c.run(joiner.join({ via: [leader.id], learner: true }));
    const conf = await c.run(joiner.join({ via: [leader.id] }));
    expect(sorted(conf.voters)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('retries another member when the first one asked is down', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    const down = c.ids.find((id) => id !== leader.id)!;
    await c.stop(down);
    const joiner = await c.boot('d');
    const conf = await c.run(joiner.join({ via: [down, leader.id] }), 30_000);
    expect(conf.voters).toContain('d');
  });

  it('an uninitialised node never campaigns, and a running one refuses the id of a member', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    const lonely = await c.boot('z');
    lonely.campaign();
    await c.clock.advance(5000);
    expect(lonely.role).toBe('follower');
    expect(lonely.status().term).toBe(0);
    expect(lonely.status().metrics.messagesSent).toBe(0);

    // A new node that picked the id of a founder is refused.
    const other = c.ids.find((id) => id !== leader.id)!;
    await c.stop(other);
    c.disks.delete(other);
    const impostor = await c.boot(other);
    const error = await c.run(impostor.join({ via: [leader.id] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JoinRefusedError);
  });

  it('times out when no member answers; a member joining again resolves at once; a removed node is refused', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    await c.elect();
    const joiner = await c.boot('d');
    c.network.isolate('d');
    const error = await c.run(joiner.join({ via: ['a', 'b'], timeoutMs: 3000 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(joiner.members().voters).toEqual([]);
    await expect(c.node('a').join({ via: ['b'] })).resolves.toMatchObject({ voters: expect.arrayContaining(['a']) });
    // A node that left keeps the configuration that removed it: it cannot come back as new.
    await c.run(c.node('b').leave());
    c.nodes.delete('b');
    const returning = await c.boot('b');
    expect(returning.members().voters).not.toContain('b');
    await expect(returning.join({ via: ['a'] })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('malformed or relayed-by-stranger requests are refused and counted, never crash a node', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    const x = c.network.transport('x');
    await x.start({ message: () => undefined });
    const request = { type: 'member', from: 'x', to: leader.id, term: 0, subject: 'x', nonce: Uint8Array.of(1), wish: 'voter' } as const;
    x.send({ ...request, nonce: new Uint8Array(0) });
    x.send({ ...request, wish: 'king' as 'voter' });
    x.send({ ...request, subject: 'y' }); // x is no member: it may not ask for another node
    await c.clock.advance(100);
    expect(leader.status().metrics.rejected).toMatchObject({ impossibleField: 2, nonMember: 1 });
    expect(leader.members().learners).toEqual([]);
    await x.close();
  });

  it('two concurrent requests for one id: one is reserved, the other answered idTaken', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    const [f1, f2] = c.ids.filter((id) => id !== leader.id) as [string, string];
    // Two would-be nodes behind one id 'x', each through its own follower.
    const answers: MemberResponse[] = [];
    const x = c.network.transport('x');
    await x.start({ message: (m: Message) => (m.type === 'memberResp' ? answers.push(m) : undefined) });
    const first = Uint8Array.of(1, 1, 1, 1);
    const second = Uint8Array.of(2, 2, 2, 2);
    const ask = (to: string, nonce: Uint8Array): void =>
      x.send({ type: 'member', from: 'x', to, term: 0, subject: 'x', nonce, wish: 'learner' });
    ask(f1, first);
    ask(f2, second);
    const final = (nonce: Uint8Array): MemberResponse | undefined =>
      answers.find((a) => a.nonce[0] === nonce[0] && (a.status === 'done' || a.status === 'idTaken'));
    // Each asks again until it has a final answer, as a joiner does.
    const ok = await c.clock.until(() => {
      if (final(first) === undefined) ask(f1, first);
      if (final(second) === undefined) ask(f2, second);
      return final(first) !== undefined && final(second) !== undefined;
    }, 10_000, 100);
    expect(ok).toBe(true);
    expect([final(first)!.status, final(second)!.status].sort()).toEqual(['done', 'idTaken']);
    expect(leader.members().learners).toEqual(['x']);
    // Asking again with the winning nonce is answered the same way (idempotent).
    const winner = final(first)!.status === 'done' ? first : second;
    answers.length = 0;
    ask(leader.id, winner);
    await c.clock.advance(100);
    expect(answers.map((a) => a.status)).toEqual(['done']);
    await x.close();
  });
});
