/**
 * Guarantees of the layer users call, each shown on real RaftNodes where it used to fail:
 * a command takes effect at most once, a node that lost its state never helps lose committed
 * entries, a learner that joined is promoted whatever the leader's log starts with, and
 * sessions opened together stay apart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LostStateError, ProposalDroppedError } from '../../src/node/errors.ts';
import { Proposals } from '../../src/node/proposals.ts';
import { createMemoryLogData } from '../../src/storage/memory.ts';
import { TestCluster } from './cluster.ts';

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

describe('at most once', () => {
  it('a forwarded proposal the network delivers twice is applied once (the leader drops the copy)', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    c.network.setDuplicateRate(1);
    const follower = c.node(c.ids.find((id) => id !== leader.id)!);
    expect(await c.run(follower.propose({ op: 'incr', key: 'n' }))).toBe(1);
    expect(await c.run(follower.propose({ op: 'incr', key: 'n' }))).toBe(2);
    await c.clock.advance(200);
    for (const node of c.nodes.values()) expect(node.stateMachine.get('n')).toBe('2');
    expect(leader.status().metrics.duplicateProposals).toBeGreaterThan(0);
  });

  it('ProposalDroppedError only once another entry committed at the index: an entry overwritten here may still commit elsewhere', () => {
    const proposals = new Proposals();
    const outcome = proposals.add<unknown>('proposal', 1_000, 1_000, undefined).then(
      (value) => ({ value }),
      (error: Error) => ({ error }),
    );
    proposals.appended(proposals.lastSeq, 5, 2);
    // A newer leader overwrote index 5 in this node's log; another node may still hold (5, 2).
    proposals.add<unknown>('proposal', 1_000, 1_000, undefined).catch(() => undefined);
    proposals.appended(proposals.lastSeq, 5, 3);
    // (5, 2) is the one committed after all: the first caller learns it took effect.
    proposals.settle(proposals.appliedAt(5, 2)!, { ok: true, value: 'done' });
    return expect(outcome).resolves.toEqual({ value: 'done' });
  });

  it('ProposalDroppedError when another entry committed at the index', async () => {
    const proposals = new Proposals();
    const outcome = proposals.add<unknown>('proposal', 1_000, 1_000, undefined);
    proposals.appended(proposals.lastSeq, 5, 2);
    expect(proposals.appliedAt(5, 3)).toBeUndefined();
    await expect(outcome).rejects.toBeInstanceOf(ProposalDroppedError);
  });
});

describe('a node that lost its state (a wiped store under its old id)', () => {
  it('founds nothing and elects no one: a committed entry survives the majority that forgot it', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c']));
    const leader = await c.elect();
    const [lagging, other] = c.ids.filter((id) => id !== leader.id) as [string, string];
    c.network.isolate(lagging);
    await c.run(leader.propose({ op: 'put', key: 'x', value: 'committed on two of three' }));
    // `other` comes back on an empty store, started as before (with members).
    await c.stop(other);
    c.disks.set(other, createMemoryLogData());
    const errors: Error[] = [];
    const wiped = await c.boot(other, { members: c.ids }, (node) => node.on('error', (e) => errors.push(e.error)));
    c.network.healAll();
    c.network.isolate(leader.id);
    // `lagging` lacks x; `other` forgot it. Its grants name its new store, which `lagging` does not count.
    await c.clock.advance(3_000);
    expect(c.node(lagging).isLeader).toBe(false);
    expect(wiped.isLeader).toBe(false);
    expect(errors.some((e) => e instanceof LostStateError)).toBe(true);
    c.network.healAll();
    await c.clock.until(() => wiped.status().admitted, 10_000);
    expect(wiped.status().admitted).toBe(true);
    await c.clock.until(() => wiped.stateMachine.get('x') !== undefined, 10_000);
    for (const node of c.nodes.values()) expect(node.stateMachine.get('x')).toBe('committed on two of three');
  });
});

describe('join', () => {
  it('a learner that joined is promoted by a leader whose log starts at a snapshot covering its admission', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c'], { node: { snapshotEvery: 3, snapshotKeepEntries: 0 } }));
    let leader = await c.elect();
    await c.run(leader.propose({ op: 'put', key: 'k', value: 'v' }));
    const joiner = await c.boot('d', { snapshotEvery: 3, snapshotKeepEntries: 0 });
    // d is admitted as a learner, then cut off before it catches up, so it is not promoted yet.
    const joined = joiner.join({ via: [leader.id], timeoutMs: 60_000 });
    joined.catch(() => undefined);
    await c.clock.until(() => leader.members().learners.includes('d'));
    for (const id of c.ids) c.network.cut(id, 'd');
    for (let i = 0; i < 10; i++) await c.run(leader.propose({ op: 'incr', key: 'n' }));
    // Every member restarts: its log now starts at a snapshot taken after d's admission.
    for (const id of c.ids) await c.restart(id);
    await c.clock.until(() => c.ids.some((id) => c.node(id).isLeader));
    leader = c.node(c.ids.find((id) => c.node(id).isLeader)!);
    expect(leader.status().firstIndex).toBeGreaterThan(2);
    for (const id of c.ids) c.network.heal(id, 'd');
    const conf = await c.run(joined, 30_000);
    expect(conf.voters).toContain('d');
  });
});

describe('client sessions', () => {
  it('sessions opened in one batch entry get distinct ids, so their requests never mix', async () => {
    const c = (cluster = await TestCluster.start(['a', 'b', 'c'], { node: { maxBatchCommands: 8 } }));
    const leader = await c.elect();
    const [first, second] = await c.run(Promise.all([leader.openSession(), leader.openSession()]));
    expect(first!.clientId).not.toBe(second!.clientId);
    expect(await c.run(first!.propose({ op: 'put', key: 'k', value: 'from the first' }))).toBeUndefined();
    // The second session's request 1 is its own, not a replay of the first session's request 1.
    expect(await c.run(second!.propose({ op: 'put', key: 'k', value: 'from the second' }))).toBe('from the first');
  });
});
