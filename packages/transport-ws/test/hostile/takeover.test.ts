/**
 * On a relay without tokens anyone may ask for a member's node id. The relay keeps the id with
 * the connection that holds it while that one shows it is alive (the newcomer gets 4106); one
 * that does not (dead, or stalled) is replaced (4009). The replaced transport reports it and
 * keeps trying, so the cluster gets its member back once the id is free. On every relay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { waitFor } from '@webraft/core/testing';
import { CloseCode, mintRoomToken } from '../../src/relay/index.ts';
import { relayKinds, type RelayUnderTest } from '../relays.ts';
import { openClient, relayUrl, streamOf } from './attacks.ts';
import { Load, startCluster, type Cluster } from './harness.ts';

let relay: RelayUnderTest | undefined;
let cluster: Cluster | undefined;
let load: Load | undefined;

afterEach(async () => {
  await load?.stop();
  await cluster?.stop();
  await relay?.close();
  load = cluster = relay = undefined;
});

/** The `ws` sockets the cluster's transports opened, by node id (the last one of each). */
function recordingSockets(): { WebSocket: typeof WebSocket; of(node: string): WebSocket } {
  const byNode = new Map<string, WebSocket>();
  class RecordingWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      byNode.set(new URL(url).searchParams.get('node')!, this);
    }
  }
  return { WebSocket: RecordingWebSocket, of: (node) => byNode.get(node)! };
}

async function committedEverywhere(c: Cluster, key: string): Promise<void> {
  const leader = c.nodes.find((n) => n.raft.isLeader) ?? c.nodes[0]!;
  await leader.raft.propose({ key, value: 'v' }, { timeoutMs: 5000 });
  await waitFor(() => c.nodes.every((n) => n.raft.stateMachine.data.get(key) === 'v'), 10_000, `${key} on every node`);
}

describe.each(relayKinds)('$name', (kind) => {
  describe('a stranger asking for a member’s node id', () => {
    it('is refused while the member answers, and cannot push it out of the cluster for good', async () => {
      relay = await kind.start({ takeoverProbeMs: 300 });
      const sockets = recordingSockets();
      cluster = await startCluster(relay.url, 'cluster', { WebSocket: sockets.WebSocket });
      const n1 = cluster.nodes[0]!;
      load = new Load(cluster, 4);
      load.start();

      // A live member keeps its id.
      await expect(openClient(relayUrl(relay.url, 'cluster', 'n1'))).rejects.toThrow(`closed with ${CloseCode.nodeIdInUse}`);
      expect(n1.transport.status.state).toBe('admitted');
      await committedEverywhere(cluster, 'a');

      // A stalled one (it neither reads nor writes) loses it, says so, and keeps trying while the stranger holds it.
      const stalled = streamOf(sockets.of('n1'));
      stalled.pause();
      stalled.cork();
      const stranger = await openClient(relayUrl(relay.url, 'cluster', 'n1'));
      stalled.uncork();
      stalled.resume();
      await waitFor(() => n1.transport.status.lastClose?.code === CloseCode.replaced || n1.transport.status.lastClose?.code === CloseCode.nodeIdInUse, 5000, 'n1 told');
      expect(n1.transport.status.state).toBe('displaced');
      expect((await relay.stats('cluster')).disconnected.replaced).toBe(1);
      // The other two still make a quorum.
      const commits = load.commits;
      await waitFor(() => load!.commits > commits + 10, 10_000, 'commits without n1');

      // Once the stranger goes, n1 is back and catches up.
      stranger.close();
      await waitFor(() => n1.transport.status.state === 'admitted', 10_000, 'n1 back in the room');
      await committedEverywhere(cluster, 'b');
    }, 30_000);
  });

  describe('room tokens bound to node ids', () => {
    it('admit a user only as its own node: not as a member, even one that stalled', async () => {
      const secret = 'relay secret';
      relay = await kind.start({ tokenSecret: secret, takeoverProbeMs: 300 });
      const tokenFor = (node: string) => mintRoomToken(secret, { room: 'cluster', node, expiresAt: Date.now() + 60_000 });
      const sockets = recordingSockets();
      cluster = await startCluster(relay.url, 'cluster', (id) => ({ WebSocket: sockets.WebSocket, token: () => tokenFor(id) }));
      const mallory = await tokenFor('mallory');
      // Mallory's token admits mallory, and only mallory.
      (await openClient(relayUrl(relay.url, 'cluster', 'mallory', mallory))).terminate();
      const stalled = streamOf(sockets.of('n1'));
      stalled.pause();
      await expect(openClient(relayUrl(relay.url, 'cluster', 'n1', mallory))).rejects.toThrow(`closed with ${CloseCode.unauthorized}`);
      stalled.resume();
      expect(cluster.nodes[0]!.transport.status.state).toBe('admitted');
      await committedEverywhere(cluster, 'bound');
      expect((await relay.stats('cluster')).disconnected.replaced).toBe(0);
    }, 30_000);
  });
});
