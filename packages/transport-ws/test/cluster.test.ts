/**
 * Three RaftNodes in one Node process talking through a real relay on 127.0.0.1: over the
 * WebSocket transport, and over the WebRTC mesh (node-datachannel). They elect, replicate,
 * ride out a relay restart and a leader cut off from the others.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as polyfill from 'node-datachannel/polyfill';
import { MemoryLogStore, RaftNode } from '@webraft/core';
import { waitFor } from '@webraft/core/testing';
import { startRelay, type Relay } from '../src/relay/index.ts';
import { adaptWrtc, webRTCTransport, webSocketTransport, type RelayTransport, type WebRTCTransport } from '../src/index.ts';
import { Kv } from './kv.ts';

const wrtc = adaptWrtc(polyfill as unknown as Parameters<typeof adaptWrtc>[0]);
const ids = ['n1', 'n2', 'n3'];

type Node = { readonly id: string; readonly raft: RaftNode<Kv>; readonly transport: RelayTransport };

let relay: Relay | undefined;
let nodes: Node[] = [];

afterEach(async () => {
  await Promise.all(nodes.map((n) => n.raft.stop()));
  nodes = [];
  await relay?.close();
  relay = undefined;
});

async function startCluster(kind: 'ws' | 'rtc'): Promise<Node[]> {
  relay = await startRelay({ port: 0 });
  const common = { url: relay.url, room: `cluster-${kind}`, WebSocket, secret: 'cluster secret', backoff: { initialMs: 50, maxMs: 500 } };
  for (const id of ids) {
    const transport = kind === 'ws' ? webSocketTransport({ ...common, nodeId: id }) : webRTCTransport({ ...common, nodeId: id, wrtc });
    const raft = await RaftNode.create({ id, members: ids, stateMachine: new Kv(), log: new MemoryLogStore(), transport, tickMs: 20 });
    nodes.push({ id, raft, transport });
  }
  await Promise.all(nodes.map((n) => n.raft.start()));
  return nodes;
}

async function leaderOf(among: readonly Node[]): Promise<Node> {
  let leader: Node | undefined;
  await waitFor(() => (leader = among.find((n) => n.raft.isLeader)) !== undefined, 10_000, 'a leader');
  return leader!;
}

function replicated(among: readonly Node[], key: string, value: string): Promise<void> {
  return waitFor(() => among.every((n) => n.raft.stateMachine.data.get(key) === value), 10_000, `${key}=${value} everywhere`);
}

async function restartRelay(): Promise<void> {
  const port = relay!.port;
  await relay!.close();
  relay = await startRelay({ port });
}

for (const kind of ['ws', 'rtc'] as const) {
  describe(`a 3-node RaftNode cluster over the ${kind === 'ws' ? 'WebSocket' : 'WebRTC'} transport`, () => {
    it('elects, replicates, survives a relay restart and a cut-off leader', async () => {
      const all = await startCluster(kind);
      let leader = await leaderOf(all);
      expect(await leader.raft.propose({ key: 'x', value: '1' })).toBeNull();
      await replicated(all, 'x', '1');
      if (kind === 'rtc') {
        await waitFor(() => all.every((n) => (n.transport as WebRTCTransport).directPeers.length === 2), 15_000, 'a full mesh');
      }

      await restartRelay();
      await waitFor(() => all.every((n) => n.transport.stats().relayConnections >= 2), 10_000, 'every node back on the relay');
      leader = await leaderOf(all);
      await leader.raft.propose({ key: 'x', value: '2' });
      await replicated(all, 'x', '2');

      // Cut the leader off, on both directions of each of its links, in the transports
      // themselves (WebRTC frames never pass the relay).
      const old = leader;
      for (const n of all) {
        if (n === old) n.transport.faults.isolate(old.id);
        else n.transport.faults.cut(n.id, old.id);
      }
      const rest = all.filter((n) => n !== old);
      await waitFor(() => rest.some((n) => n.raft.isLeader && n.raft.status().term > old.raft.status().term), 10_000, 'a new leader without the old one');
      const fresh = await leaderOf(rest);
      await fresh.raft.propose({ key: 'y', value: 'during the cut' });
      await replicated(rest, 'y', 'during the cut');
      expect(old.raft.stateMachine.data.get('y')).toBeUndefined();

      for (const n of all) n.transport.faults.heal();
      await replicated(all, 'y', 'during the cut');
      const final = await leaderOf(all);
      await final.raft.propose({ key: 'z', value: 'healed' });
      await replicated(all, 'z', 'healed');
      // Stale terms are Raft's business; nothing may be refused on the wire.
      for (const n of all) expect(n.transport.stats().rejected).toBe(0);
    }, 60_000);
  });
}

describe('a 3-node cluster through relay faults', () => {
  it('loses and regains a follower cut at the relay', async () => {
    const all = await startCluster('ws');
    const leader = await leaderOf(all);
    const follower = all.find((n) => n !== leader)!;
    const faults = relay!.faults('cluster-ws');
    faults.isolate(follower.id);
    await leader.raft.propose({ key: 'k', value: 'v' });
    await replicated(all.filter((n) => n !== follower), 'k', 'v');
    expect(follower.raft.stateMachine.data.get('k')).toBeUndefined();
    faults.heal();
    await replicated(all, 'k', 'v');
    expect(relay!.stats().dropped.fault).toBeGreaterThan(0);
  }, 30_000);
});
