/**
 * A 3-node RaftNode cluster spread over three relays that share the room through Redis, each
 * node given all three URLs (its own relay first). Clients put and read keys through every
 * node while the relay of the leader is killed with SIGKILL, brought back, and then the relay
 * of a follower is killed. The cluster keeps committing, and the client history (DESIGN.md
 * format) is linearizable: no acknowledged write was lost or seen out of order.
 */
import { afterEach, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MemoryLogStore, RaftNode } from '@webraft/core';
import { waitFor } from '@webraft/core/testing';
import { checkLinearizable, historyToJson, type HistoryOp, type KvInput } from '@webraft/sim';
import { webSocketTransport, type RelayTransport } from '../../src/index.ts';
import { spawnRelay, type RelayProcess } from '../hostile/harness.ts';
import { Kv } from '../kv.ts';
import { startRedis, type RedisProcess } from './redis.ts';

const ids = ['n1', 'n2', 'n3'];
const keys = ['a', 'b', 'c', 'd', 'e', 'f'];

interface Node {
  readonly id: string;
  readonly raft: RaftNode<Kv>;
  readonly transport: RelayTransport;
}

let redis: RedisProcess | undefined;
let relays: (RelayProcess | undefined)[] = [];
let nodes: Node[] = [];

afterEach(async () => {
  await Promise.all(nodes.map((n) => n.raft.stop()));
  await Promise.all(relays.map((r) => r?.stop()));
  await redis?.stop();
  nodes = [];
  relays = [];
  redis = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Clients that put and read keys through random nodes, recording every operation. */
class Clients {
  readonly history: HistoryOp[] = [];
  #running = true;
  readonly #done: Promise<void>[] = [];

  constructor(count: number) {
    for (let c = 0; c < count; c++) this.#done.push(this.#client(`c${c}`, c + 1));
  }

  /** Acknowledged puts so far. */
  get acknowledgedPuts(): number {
    return this.history.filter((op) => op.type === 'ok' && op.input.op === 'put').length;
  }

  async #client(name: string, seed: number): Promise<void> {
    let state = seed;
    const random = (): number => (state = (state * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32;
    for (let n = 0; this.#running; n++) {
      const node = nodes[Math.floor(random() * nodes.length)]!;
      const key = keys[Math.floor(random() * keys.length)]!;
      const input: KvInput = random() < 0.5 ? { op: 'put', key, value: `${name}-${n}` } : { op: 'get', key };
      await this.perform(name, node, input);
      await sleep(5);
    }
  }

  /** One operation; an error leaves its outcome unknown (`info`): it may still be applied. */
  async perform(client: string, node: Node, input: KvInput): Promise<void> {
    const call = performance.now();
    const record = (type: HistoryOp['type'], output: HistoryOp['output']): void => void this.history.push({ client, input, output, call, return: performance.now(), type });
    try {
      if (input.op === 'put') {
        await node.raft.propose({ key: input.key, value: input.value! }, { timeoutMs: 3000 });
        record('ok', null);
      } else {
        record('ok', await node.raft.read((kv) => kv.data.get(input.key) ?? null, { timeoutMs: 3000 }));
      }
    } catch {
      record('info', null);
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#done);
  }
}

/** The relay a node is admitted to now. */
function relayOf(node: Node): number {
  return relays.findIndex((r) => r !== undefined && r.url === node.transport.status.url);
}

/** Waits until `count` more puts are acknowledged; returns how long that took. */
async function committing(clients: Clients, count: number, what: string): Promise<number> {
  const from = clients.acknowledgedPuts;
  const started = performance.now();
  await waitFor(() => clients.acknowledgedPuts >= from + count, 15_000, what);
  return performance.now() - started;
}

it('keeps committing with no acknowledged write lost when the relay of the leader, then of a follower, is killed', async () => {
  redis = await startRedis();
  const flags = ['--redis', redis.url];
  relays = await Promise.all([0, 1, 2].map(() => spawnRelay(flags)));
  const urls = relays.map((r) => r!.url);
  for (const [i, id] of ids.entries()) {
    // Its own relay first, then the others.
    const url = [...urls.slice(i), ...urls.slice(0, i)];
    const transport = webSocketTransport({ url, room: 'failover', nodeId: id, WebSocket, secret: 'cluster secret', backoff: { initialMs: 50, maxMs: 500 } });
    const raft = await RaftNode.create({ id, members: ids, stateMachine: new Kv(), log: new MemoryLogStore(), transport, tickMs: 20 });
    nodes.push({ id, raft, transport });
  }
  await Promise.all(nodes.map((n) => n.raft.start()));
  await waitFor(() => nodes.some((n) => n.raft.isLeader), 10_000, 'a leader');
  expect(nodes.map(relayOf)).toEqual([0, 1, 2]);

  const clients = new Clients(4);
  try {
    await committing(clients, 50, 'commits before any failure');

    const leader = nodes.find((n) => n.raft.isLeader)!;
    const leaderRelay = relayOf(leader);
    const port = Number(new URL(urls[leaderRelay]!).port);
    await relays[leaderRelay]!.stop();
    const afterLeaderRelay = await committing(clients, 50, 'commits after the leader’s relay was killed');
    await waitFor(() => leader.transport.status.state === 'admitted', 10_000, 'the old leader admitted at another relay');
    expect(relayOf(leader)).not.toBe(leaderRelay);

    relays[leaderRelay] = await spawnRelay([...flags, '--port', String(port)]);
    const follower = nodes.find((n) => !n.raft.isLeader && relayOf(n) >= 0)!;
    const followerRelay = relayOf(follower);
    await relays[followerRelay]!.stop();
    relays[followerRelay] = undefined;
    const afterFollowerRelay = await committing(clients, 50, 'commits after a follower’s relay was killed');
    await waitFor(() => nodes.every((n) => n.transport.status.state === 'admitted'), 10_000, 'every node admitted at a live relay');
    await committing(clients, 50, 'commits with every node back');
    process.stdout.write(`raft over 3 relays: 50 commits ${afterLeaderRelay.toFixed(0)} ms after the leader’s relay was killed, ${afterFollowerRelay.toFixed(0)} ms after a follower’s\n`);
  } finally {
    await clients.stop();
  }

  // Every key read once more, after everything: the last acknowledged write must be there.
  const leader = nodes.find((n) => n.raft.isLeader) ?? nodes[0]!;
  for (const key of keys) await clients.perform('final', leader, { op: 'get', key });
  const checkStarted = performance.now();
  const result = checkLinearizable(clients.history);
  process.stdout.write(`checked ${clients.history.length} operations in ${(performance.now() - checkStarted).toFixed(0)} ms\n`);
  if (!result.ok) process.stdout.write(historyToJson(clients.history));
  expect(result.verdict).toBe('linearizable');
  expect(clients.history.filter((op) => op.client === 'final' && op.type === 'ok')).toHaveLength(keys.length);
}, 60_000);
