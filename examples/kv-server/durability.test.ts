// Durable logs under fire: four HTTP clients put, get and cas against all three node
// processes while each node in turn is killed with SIGKILL and restarted on its own log
// directory. The restarted node comes back with its log and catches up; the client history
// (DESIGN.md format) must be linearizable, which also means no acknowledged write was lost.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLinearizable, type HistoryOp, type KvInput } from '@webraft/sim';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type Cluster } from './cluster.ts';

let cluster: Cluster;
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kv-durable-'));
  cluster = await startCluster({ room: 'kv-durable', dataDir });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const ids = ['n1', 'n2', 'n3'];
const keys = ['a', 'b', 'c', 'd'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const history: HistoryOp[] = [];

interface Reply {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON of several shapes
  readonly body: any;
}

/** One request; `refused` when the node's port took no connection (nothing was sent). */
async function request(id: string, method: string, path: string, body?: unknown): Promise<Reply | 'refused' | 'lost'> {
  try {
    const res = await fetch(cluster.nodes.get(id)!.url + path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(7000),
    });
    return { status: res.status, body: await res.json() };
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED' ? 'refused' : 'lost';
  }
}

/** Runs one operation against node `id` and records it in the history. */
async function perform(client: string, id: string, input: KvInput): Promise<HistoryOp> {
  const call = performance.now();
  const path = `/kv/${input.key}`;
  const reply =
    input.op === 'get' ? await request(id, 'GET', path)
    : input.op === 'put' ? await request(id, 'PUT', path, { value: input.value })
    : await request(id, 'POST', `${path}/cas`, { expected: input.expected, value: input.value });
  const done = (type: HistoryOp['type'], output: HistoryOp['output']): HistoryOp => {
    const op = { client, input, output, call, return: performance.now(), type };
    history.push(op);
    return op;
  };
  // Refused: the request never left. 503: the node says it was not applied.
  if (reply === 'refused' || (reply !== 'lost' && reply.status === 503)) return done('fail', input.op === 'cas' ? false : null);
  if (reply === 'lost') return done('info', null);
  const { status, body } = reply;
  if (input.op === 'get' && (status === 200 || status === 404)) return done('ok', body.value);
  if (input.op === 'put' && status === 200) return done('ok', null);
  if (input.op === 'cas' && status === 200) return done('ok', true);
  if (input.op === 'cas' && status === 409) return done('fail', { applied: false, value: body.current });
  return done('info', null);
}

async function client(name: string, running: () => boolean, seed: number): Promise<void> {
  let state = seed;
  const random = (): number => ((state = (state * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32);
  const seen = new Map<string, string | null>();
  for (let n = 0; running(); n++) {
    const id = ids[Math.floor(random() * ids.length)]!;
    const key = keys[Math.floor(random() * keys.length)]!;
    const roll = random();
    const value = `${name}-${n}`;
    const input: KvInput =
      roll < 0.4 ? { op: 'get', key }
      : roll < 0.7 ? { op: 'put', key, value }
      : { op: 'cas', key, expected: seen.get(key) ?? null, value };
    const op = await perform(name, id, input);
    if (op.type === 'ok' && input.op === 'get') seen.set(key, op.output as string | null);
    if (op.type === 'ok' && input.op !== 'get') seen.set(key, value);
    if (op.type !== 'ok') await sleep(20);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the /status JSON
async function status(id: string): Promise<any> {
  const reply = await request(id, 'GET', '/status');
  return reply === 'refused' || reply === 'lost' ? undefined : reply.body;
}

it('every node survives kill -9 and a restart with its data, under a concurrent workload, linearizably', async () => {
  let running = true;
  const clients = ['c1', 'c2', 'c3', 'c4'].map((name, i) => client(name, () => running, 17 + i));
  const restarts: { id: string; commitBeforeKill: number; loaded: { lastIndex: number; term: number } }[] = [];
  try {
    for (const id of ids) {
      await sleep(1500);
      const before = await status(id);
      expect(before, `status of ${id} before its kill`).toBeDefined();
      await sleep(300);
      await cluster.kill(id);
      await sleep(700);
      await cluster.restart(id);
      const after = await status(id);
      restarts.push({ id, commitBeforeKill: before.commit, loaded: after.loaded });
    }
    await sleep(1500);
  } finally {
    running = false;
    await Promise.all(clients);
  }

  // Every node catches up: all apply up to the same commit index.
  const deadline = Date.now() + 15_000;
  let caughtUp = false;
  while (!caughtUp && Date.now() < deadline) {
    const all = await Promise.all(ids.map(status));
    caughtUp = all.every((s) => s !== undefined && s.applied === all[0].applied && s.commit === s.applied && s.applied > 0);
    if (!caughtUp) await sleep(100);
  }
  expect(caughtUp, 'all three nodes applied the same commit index').toBe(true);
  // Final reads of every key on every node join the history: a lost acknowledged write shows there.
  for (const id of ids) for (const key of keys) await perform(`final-${id}`, id, { op: 'get', key });

  const result = checkLinearizable(history);
  if (!result.ok) {
    const file = join(tmpdir(), `kv-durable-history-${Date.now()}.json`);
    await writeFile(file, JSON.stringify(history, null, 1));
    throw new Error(`history not linearizable (${result.verdict}, key ${result.key}); saved to ${file}`);
  }
  const count = (type: HistoryOp['type'], op?: string) => history.filter((h) => h.type === type && (op === undefined || h.input.op === op)).length;
  // Each node reopened its own log: it held at least what it had committed before the kill.
  for (const r of restarts) expect(r.loaded.lastIndex, `${r.id} reloaded its log`).toBeGreaterThanOrEqual(r.commitBeforeKill);
  expect(count('ok', 'put') + count('ok', 'cas')).toBeGreaterThan(50);
  expect(history.filter((h) => h.client.startsWith('final-') && h.type === 'ok')).toHaveLength(ids.length * keys.length);
  console.log(
    `${history.length} operations: ${count('ok')} ok, ${count('fail')} failed, ${count('info')} unknown; ` +
      `restarts ${restarts.map((r) => `${r.id} reloaded ${r.loaded.lastIndex} entries (had committed ${r.commitBeforeKill})`).join(', ')}`,
  );
}, 120_000);
