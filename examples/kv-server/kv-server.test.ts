// Three node processes over a real relay; the leader's process is killed mid-stream.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type Cluster } from './cluster.ts';

let cluster: Cluster;
let exportDir: string;
beforeAll(async () => {
  exportDir = await mkdtemp(join(tmpdir(), 'kv-export-'));
  cluster = await startCluster({ room: 'kv-test', exportDir });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  await rm(exportDir, { recursive: true, force: true });
});

const url = (id: string) => cluster.nodes.get(id)!.url;

// biome-ignore lint/suspicious/noExplicitAny: JSON of several shapes
async function call(id: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url(id) + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(8000) });
  return { status: res.status, body: await res.json() };
}

async function leaderOf(ids: readonly string[]): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const statuses = await Promise.all(ids.map((id) => call(id, 'GET', '/status').then((r) => r.body, () => undefined)));
    const leader = statuses.find((s) => s?.role === 'leader');
    if (leader && statuses.every((s) => s?.leader === leader.id)) return leader.id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no leader agreed on within 15 s');
}

it('serves puts, gets, cas and deletes through any node, and survives the leader being killed', async () => {
  const ids = [...cluster.nodes.keys()];
  const leader = await leaderOf(ids);
  const followers = ids.filter((id) => id !== leader);

  // Writes through a follower are forwarded by Raft; reads on any node see them.
  expect(await call(followers[0]!, 'PUT', '/kv/greeting', { value: 'hello' })).toEqual({ status: 200, body: { previous: null } });
  for (const id of ids) expect(await call(id, 'GET', '/kv/greeting')).toEqual({ status: 200, body: { key: 'greeting', value: 'hello' } });
  expect(await call(followers[1]!, 'POST', '/kv/greeting/cas', { expected: 'hello', value: 'bye' })).toEqual({ status: 200, body: { ok: true, current: 'bye' } });
  expect(await call(leader, 'POST', '/kv/greeting/cas', { expected: 'hello', value: 'again' })).toEqual({ status: 409, body: { ok: false, current: 'bye' } });
  expect(await call(leader, 'POST', '/kv/fresh/cas', { expected: null, value: 'new' })).toEqual({ status: 200, body: { ok: true, current: 'new' } });
  expect(await call(followers[0]!, 'DELETE', '/kv/fresh')).toEqual({ status: 200, body: { deleted: true } });
  expect(await call(followers[1]!, 'GET', '/kv/fresh')).toEqual({ status: 404, body: { key: 'fresh', value: null } });
  expect((await call(leader, 'PUT', '/kv/x', { nope: 1 })).status).toBe(400);
  expect((await call(leader, 'GET', '/members')).body).toMatchObject({ voters: ids, leader });

  // A stream of writes through the survivors-to-be while the leader's process is killed.
  const acked = new Map<string, string>();
  let failures = 0;
  let running = true;
  const writers = followers.map(async (id, w) => {
    for (let i = 0; running; i++) {
      const key = `k-${w}-${i}`;
      const result = await call(id, 'PUT', `/kv/${key}`, { value: `v${i}` }).catch(() => undefined);
      if (result?.status === 200) acked.set(key, `v${i}`);
      else failures++;
    }
  });
  await new Promise((r) => setTimeout(r, 500));
  const ackedBeforeKill = acked.size;
  await cluster.kill(leader);
  const newLeader = await leaderOf(followers);
  expect(newLeader).not.toBe(leader);
  const ackedAtElection = acked.size;
  const deadline = Date.now() + 10_000;
  while (acked.size < ackedAtElection + 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  running = false;
  await Promise.all(writers);

  expect(ackedBeforeKill).toBeGreaterThan(0);
  expect(acked.size).toBeGreaterThanOrEqual(ackedAtElection + 20); // progress after the kill
  // No acknowledged write is lost: every one reads back, linearizably, on both survivors.
  for (const id of followers) {
    for (const [key, value] of acked) expect((await call(id, 'GET', `/kv/${key}`)).body.value, `${key} on ${id}`).toBe(value);
  }
  expect((await call(newLeader, 'GET', '/kv/greeting')).body.value).toBe('bye');
  console.log(`acked ${acked.size} writes (${ackedBeforeKill} before the kill), ${failures} failed or timed out around it`);
}, 90_000);

it('leaves log exports on a graceful stop that `webraft inspect` reads', async () => {
  await cluster.stop();
  const files = (await readdir(exportDir)).sort();
  expect(files).toHaveLength(2); // the killed leader wrote nothing
  const webraft = fileURLToPath(new URL('../../packages/cli/bin/webraft.mjs', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=source', webraft, 'inspect', join(exportDir, files[0]!)]);
  expect(stdout).toMatch(/^hard state: term \d+, vote n[123], commit \d+$/m);
  expect(stdout).toMatch(/normal\s+\{"op":"put","key":"greeting","value":"hello"\}$/m);
  expect(stdout).toMatch(/normal\s+\{"op":"cas","key":"greeting","expected":"hello","value":"bye"\}$/m);
}, 30_000);
