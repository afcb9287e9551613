/**
 * Scenarios shared by the regular tests and the mutant test: each drives a cluster through
 * faults and throws (through `expect`) when a safety or liveness check fails.
 */
import { expect, type TestInfo } from '@playwright/test';
import type { Cluster } from './harness/cluster.ts';
import { isWrite, sleep } from './harness/wait.ts';

/** §5.2/§5.4: the leader's tab loses its network; the majority elects a new leader and keeps committing. */
export async function isolateLeader(cluster: Cluster, info: TestInfo, partitionMs = 3000): Promise<void> {
  const nodes = [...cluster.tabs.keys()];
  await cluster.waitForLeader();
  await cluster.startWorkload();
  await sleep(1000);
  const old = await cluster.waitForLeader();
  const majority = nodes.filter((n) => n !== old.id);
  if (cluster.transport === 'webrtc') {
    for (const id of nodes) {
      await expect.poll(() => cluster.tab(id).evaluate(() => window.e2e.directPeers().length), { message: `${id}'s data channels` }).toBe(nodes.length - 1);
    }
  }

  await cluster.partition([old.id]);
  const cutAt = performance.now();
  const minorityWrite = cluster.op(old.id, { op: 'put', key: 'minority', value: `from-${old.id}` }, 1500);
  await sleep(300);
  const oldCommit = (await cluster.status(old.id))!.commit;
  const leader = await cluster.waitForLeader(majority);
  expect(leader.term).toBeGreaterThan(old.term);
  const before = leader.commit;
  await sleep(partitionMs);
  const after = (await cluster.status(leader.id))!.commit;
  expect(after - before, 'the majority keeps committing').toBeGreaterThan(5);
  expect((await cluster.status(old.id))!.commit, 'the old leader commits nothing while cut off').toBe(oldCommit);
  expect((await minorityWrite).type, 'a write on the minority side is never acknowledged').not.toBe('ok');

  const oldClients = cluster.recorder.history().filter((op) => op.client.startsWith(`${old.id}.`) && op.call > cutAt + 300);
  expect(oldClients.filter((op) => op.type === 'ok'), 'nothing succeeds through the cut-off node').toEqual([]);

  await cluster.heal();
  await sleep(1000);
  await cluster.stopWorkload();
  await cluster.converged();
  const okWritesAfterCut = cluster.recorder.history().filter((op) => op.type === 'ok' && isWrite(op) && op.call > cutAt);
  expect(okWritesAfterCut.length, 'acknowledged writes during the partition').toBeGreaterThan(0);
  await cluster.verify(info);
}

/**
 * Asymmetric: the leader still hears everyone but nothing it sends arrives. The followers
 * elect a new leader; the old one must step down when it hears the higher term (§5.1).
 */
export async function leaderCannotSend(cluster: Cluster, info: TestInfo): Promise<void> {
  const nodes = [...cluster.tabs.keys()];
  await cluster.waitForLeader();
  await cluster.startWorkload();
  await sleep(1000);
  const old = await cluster.waitForLeader();
  const others = nodes.filter((n) => n !== old.id);
  await cluster.net.cut(cluster.tab(old.id), others.map((id) => cluster.tab(id)));
  const cutAt = performance.now();
  const leader = await cluster.waitForLeader(others);
  expect(leader.term).toBeGreaterThan(old.term);
  await expect.poll(async () => (await cluster.status(old.id))!.role, { message: 'the old leader steps down' }).not.toBe('leader');
  const before = (await cluster.status(leader.id))!.commit;
  await sleep(2000);
  expect((await cluster.status(leader.id))!.commit - before, 'the new leader keeps committing').toBeGreaterThan(5);
  await cluster.heal();
  await sleep(1000);
  await cluster.stopWorkload();
  await cluster.converged();
  expect(cluster.recorder.history().filter((op) => op.type === 'ok' && isWrite(op) && op.call > cutAt).length).toBeGreaterThan(0);
  await cluster.verify(info);
}
