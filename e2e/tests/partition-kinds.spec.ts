/** Partitions other than a clean cut: one-way links, a flapping link, a cut during a membership change. */
import { expect, test } from './harness/fixtures.ts';
import { sleep } from './harness/wait.ts';
import { leaderCannotSend } from './scenarios.ts';

test('asymmetric: the leader hears everyone but cannot send', async ({ openCluster }, info) => {
  const cluster = await openCluster({ nodes: ['a', 'b', 'c'] });
  await leaderCannotSend(cluster, info);
});

test("asymmetric: a follower cannot hear the leader but reaches everyone", async ({ openCluster }, info) => {
  const cluster = await openCluster({ nodes: ['a', 'b', 'c'] });
  const leader = await cluster.waitForLeader();
  await cluster.startWorkload();
  const deaf = [...cluster.tabs.keys()].find((id) => id !== leader.id)!;
  await cluster.net.cut(cluster.tab(leader.id), cluster.tab(deaf));
  const start = Math.max(...(await cluster.statuses()).map((s) => s.commit));
  await sleep(4000);
  const statuses = await cluster.statuses();
  expect(Math.max(...statuses.map((s) => s.commit)) - start, 'the cluster keeps committing').toBeGreaterThan(10);
  await cluster.waitForLeader();
  await cluster.heal();
  await sleep(1000);
  await cluster.stopWorkload();
  await cluster.converged();
  await cluster.verify(info);
});

test('a flapping link between the leader and a follower', async ({ openCluster }, info) => {
  const cluster = await openCluster({ nodes: ['a', 'b', 'c'] });
  const leader = await cluster.waitForLeader();
  await cluster.startWorkload();
  const follower = [...cluster.tabs.keys()].find((id) => id !== leader.id)!;
  const start = Math.max(...(await cluster.statuses()).map((s) => s.commit));
  for (let i = 0; i < 20; i++) {
    const down = i % 2 === 0;
    if (down) await cluster.net.cut(cluster.tab(leader.id), cluster.tab(follower), { bothWays: true });
    else await cluster.net.restore(cluster.tab(leader.id), cluster.tab(follower));
    await sleep(150 + Math.random() * 300);
  }
  await cluster.heal();
  const statuses = await cluster.statuses();
  expect(Math.max(...statuses.map((s) => s.commit)) - start, 'the cluster kept committing').toBeGreaterThan(10);
  await sleep(1000);
  await cluster.stopWorkload();
  await cluster.converged();
  await cluster.verify(info);
});

test('the leader is cut off while adding a member (5 tabs, 3 voters at first)', async ({ openCluster }, info) => {
  const nodes = ['a', 'b', 'c', 'd', 'e'];
  const cluster = await openCluster({ nodes, members: ['a', 'b', 'c'] });
  await Promise.all(['d', 'e'].map((id) => cluster.openTab(id)));
  const first = await cluster.waitForLeader(['a', 'b', 'c']);
  await cluster.startWorkload();
  await cluster.tab(first.id).evaluate(() => window.e2e.addMember('d'));
  const leader = await cluster.waitForLeader();
  // Propose adding e and cut the leader off at once: the change may or may not survive.
  const adding = cluster.tab(leader.id).evaluate(() => window.e2e.addMember('e', 2000).then(() => 'ok', (e: Error) => e.name));
  await cluster.partition([leader.id]);
  const rest = nodes.filter((n) => n !== leader.id);
  const next = await cluster.waitForLeader(rest);
  const before = next.commit;
  await sleep(2000);
  expect((await cluster.status(next.id))!.commit - before, 'the majority keeps committing').toBeGreaterThan(5);
  await adding;
  await cluster.heal();
  const now = await cluster.waitForLeader();
  if (!now.conf.voters.includes('e')) await cluster.tab(now.id).evaluate(() => window.e2e.addMember('e'));
  await sleep(1000);
  await cluster.stopWorkload();
  await cluster.converged();
  const voters = (await cluster.statuses()).map((s) => [...s.conf.voters].sort().join(','));
  expect(new Set(voters), 'every node has the same configuration').toEqual(new Set(['a,b,c,d,e']));
  await cluster.verify(info);
});
