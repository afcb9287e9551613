/**
 * Durability: a tab killed in the middle of a stream of writes comes back from IndexedDB,
 * and no acknowledged write is missing — after a page close, and after browsers crash.
 */
import type { TestInfo } from '@playwright/test';
import { expect, test } from './harness/fixtures.ts';
import type { Cluster } from './harness/cluster.ts';
import { sleep } from './harness/wait.ts';

/** The keys and values of the stream writes the runner saw acknowledged. */
function ackedStream(cluster: Cluster): [string, string][] {
  return cluster.recorder
    .history()
    .filter((op) => op.type === 'ok' && op.input.op === 'put' && op.input.key.startsWith('s'))
    .map((op) => [op.input.key, op.input.value!]);
}

/** Every acknowledged stream write reads back, through a linearizable read on `reader`. */
async function expectAllAcked(cluster: Cluster, reader: string): Promise<number> {
  const acked = ackedStream(cluster);
  expect(acked.length, 'acknowledged stream writes').toBeGreaterThan(10);
  const values = await cluster.tab(reader).evaluate(([keys]) => window.e2e.readKeys(keys), [acked.map(([k]) => k)] as const);
  const missing = acked.filter(([, v], i) => values[i] !== v);
  expect(missing, 'acknowledged writes missing after recovery').toEqual([]);
  return acked.length;
}

/** Starts a stream of writes of distinct keys on `id` (it ends when its tab dies). */
function stream(cluster: Cluster, id: string): void {
  cluster
    .tab(id)
    .evaluate(() => window.e2e.writeStream(`s${Math.random().toString(36).slice(2, 6)}-`, 100_000))
    .catch(() => {});
}

async function finish(cluster: Cluster, info: TestInfo): Promise<void> {
  await cluster.stopWorkload();
  await cluster.converged();
  await cluster.verify(info);
}

test("closing the leader's tab mid-stream: it recovers from IndexedDB and no acknowledged write is lost", async ({ openCluster }, info) => {
  const cluster = await openCluster({ nodes: ['a', 'b', 'c'] });
  const leader = await cluster.waitForLeader();
  await cluster.startWorkload();
  stream(cluster, leader.id);
  await sleep(1500);
  const before = (await cluster.status(leader.id))!;
  await sleep(500);
  await cluster.closeTab(leader.id);

  const page = await cluster.openTab(leader.id);
  const recovered = await page.evaluate(() => window.e2e.ready());
  expect(recovered.lastIndex, 'entries recovered from IndexedDB').toBeGreaterThanOrEqual(before.commit);
  expect(recovered.term).toBeGreaterThanOrEqual(before.term);
  await cluster.startWorkload([leader.id]);
  await cluster.waitForLeader();
  await expectAllAcked(cluster, leader.id);
  await finish(cluster, info);
});

test('every browser crashes mid-stream (SIGKILL, own processes over the relay): all recover, no acknowledged write is lost', async ({ openCluster }, info) => {
  const nodes = ['a', 'b', 'c'];
  const cluster = await openCluster({ nodes, transport: 'relay', processes: true });
  const leader = await cluster.waitForLeader();
  await cluster.startWorkload();
  stream(cluster, leader.id);
  await sleep(2500);
  await Promise.all(nodes.map((id) => cluster.crashBrowser(id)));
  const acked = ackedStream(cluster).length;

  await Promise.all(nodes.map((id) => cluster.openTab(id)));
  const recovered = await Promise.all(nodes.map((id) => cluster.tab(id).evaluate(() => window.e2e.ready())));
  expect(Math.max(...recovered.map((r) => r.lastIndex)), 'entries recovered from IndexedDB').toBeGreaterThanOrEqual(acked);
  await cluster.startWorkload();
  const next = await cluster.waitForLeader();
  expect(await expectAllAcked(cluster, next.id)).toBe(acked);
  await finish(cluster, info);
});
