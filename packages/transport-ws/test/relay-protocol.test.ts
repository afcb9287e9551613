/**
 * The relay protocol, checked against every relay that serves it (`relays.ts`): rooms,
 * presence, forwarding, one node id per room, room tokens, origins, and the limits a client
 * meets (frame size, members per room, frame rate, malformed frames). What only the Node
 * relay has (its process's budgets, the admin API, fault injection) is in relay.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { waitFor } from '@webraft/core/testing';
import { CloseCode, mintRoomToken } from '../src/relay/index.ts';
import { RelayRefusedError, webSocketTransport } from '../src/index.ts';
import { EnvelopeKind } from '../src/protocol.ts';
import { Load, startCluster } from './hostile/harness.ts';
import { bytes, connectClient, text, type TestClient } from './relay-client.ts';
import { relayKinds, type ProtocolRelayOptions, type RelayUnderTest } from './relays.ts';

describe.each(relayKinds)('$name', (kind) => {
  let relay: RelayUnderTest | undefined;
  const clients: TestClient[] = [];

  async function relayWith(options: ProtocolRelayOptions = {}): Promise<RelayUnderTest> {
    relay = await kind.start(options);
    return relay;
  }

  function join(room: string, node: string, extra: Record<string, string> = {}, origin?: string): TestClient {
    const client = connectClient(relay!.url, { room, node, ...extra }, origin ? { origin } : {});
    clients.push(client);
    return client;
  }

  const stats = (room: string) => relay!.stats(room);

  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    await relay?.close();
    relay = undefined;
  });

  describe('rooms and forwarding', () => {
    it('forwards binary frames between members of one room, stamping the sender', async () => {
      await relayWith();
      const a = join('r1', 'a');
      await a.welcome;
      const b = join('r1', 'b');
      expect(await b.welcome).toEqual(['a']);
      await a.waitFor((e) => e.kind === EnvelopeKind.presence && e.peer === 'b' && e.payload[0] === 1);
      const other = join('r2', 'a');
      expect(await other.welcome).toEqual([]);

      b.send('a', bytes('hello'));
      const got = await a.waitFor((e) => e.kind === EnvelopeKind.data);
      expect(got.peer).toBe('b');
      expect(text(got.payload)).toBe('hello');
      expect(other.received.filter((e) => e.kind === EnvelopeKind.data)).toEqual([]);
      expect((await stats('r1')).framesForwarded).toBe(1);
      expect((await stats('r1')).members).toEqual(['a', 'b']);
    });

    it('announces members that leave, and drops frames for absent peers', async () => {
      await relayWith();
      const a = join('r', 'a');
      await a.welcome;
      const b = join('r', 'b');
      await b.welcome;
      b.ws.close();
      await a.waitFor((e) => e.kind === EnvelopeKind.presence && e.peer === 'b' && e.payload[0] === 0);
      a.send('b', bytes('x'));
      a.send('a', bytes('self'));
      await expect.poll(async () => (await stats('r')).dropped.unknownPeer).toBe(2);
    });

    it('keeps a node id with a live connection: a second one is refused (4106)', async () => {
      await relayWith({ takeoverProbeMs: 500 });
      const first = join('r', 'a');
      await first.welcome;
      // A live client talks (a Raft node every heartbeat, an idle one with keepalives) and answers pings.
      const talk = setInterval(() => first.send('', new Uint8Array(0), EnvelopeKind.keepalive), 50);
      try {
        const second = join('r', 'a');
        expect((await second.closed).code).toBe(CloseCode.nodeIdInUse);
      } finally {
        clearInterval(talk);
      }
      expect((await stats('r')).members).toEqual(['a']);
      expect(first.ws.readyState).toBe(first.ws.OPEN);
      expect((await stats('r')).rejected.nodeIdInUse).toBe(1);
    });

    it('gives a node id to a newcomer when its holder shows no sign of life (4009 to the holder)', async () => {
      await relayWith({ takeoverProbeMs: 200 });
      const old = join('r', 'a');
      await old.welcome;
      const watcher = join('r', 'w');
      await watcher.welcome;
      // A paused socket reads nothing (it never sees a ping) and sends nothing.
      (old.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
      const fresh = join('r', 'a');
      await fresh.welcome;
      await watcher.waitFor((e) => e.kind === EnvelopeKind.presence && e.peer === 'a' && e.payload[0] === 0);
      watcher.send('a', bytes('to fresh'));
      expect(text((await fresh.waitFor((e) => e.kind === EnvelopeKind.data)).payload)).toBe('to fresh');
      expect((await stats('r')).members).toEqual(['w', 'a']);
      (old.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      // Back to life, a client speaks within its keepalive interval (a Durable Object tells it then).
      old.send('', new Uint8Array(0), EnvelopeKind.keepalive);
      expect((await old.closed).code).toBe(CloseCode.replaced);
      expect((await stats('r')).disconnected.replaced).toBe(1);
    });
  });

  describe('limits and close codes', () => {
    it('refuses a URL without room or node (4000)', async () => {
      await relayWith();
      expect((await join('', 'a').closed).code).toBe(CloseCode.badRequest);
      expect((await join('r', '').closed).code).toBe(CloseCode.badRequest);
      expect((await join('r', 'x'.repeat(65)).closed).code).toBe(CloseCode.badRequest);
      expect((await join('x'.repeat(129), 'a').closed).code).toBe(CloseCode.badRequest);
      expect((await stats('r')).rejected.badRequest).toBe(4);
    });

    it('limits the members of a room (4101)', async () => {
      await relayWith({ maxMembersPerRoom: 2 });
      await join('r', 'a').welcome;
      await join('r', 'b').welcome;
      expect((await join('r', 'c').closed).code).toBe(CloseCode.roomFull);
      await join('other', 'c').welcome;
      expect((await stats('r')).rejected.roomFull).toBe(1);
      expect((await stats('r')).members).toEqual(['a', 'b']);
    });

    it('closes a connection that sends an oversized frame (1009) and counts it', async () => {
      await relayWith({ maxFrameBytes: 1024 });
      const a = join('r', 'a');
      await a.welcome;
      const b = join('r', 'b');
      await b.welcome;
      a.send('b', new Uint8Array(1000));
      await b.waitFor((e) => e.kind === EnvelopeKind.data);
      a.send('b', new Uint8Array(2048));
      expect((await a.closed).code).toBe(CloseCode.tooBig);
      await expect.poll(async () => (await stats('r')).rejected.oversized).toBe(1);
      await b.waitFor((e) => e.kind === EnvelopeKind.presence && e.peer === 'a' && e.payload[0] === 0);
    });

    it('drops and counts malformed frames and keeps forwarding', async () => {
      await relayWith();
      const a = join('r', 'a');
      await a.welcome;
      const b = join('r', 'b');
      await b.welcome;
      a.ws.send('text frame');
      a.ws.send(Uint8Array.of(1));
      a.ws.send(Uint8Array.of(99, 0, 1, 2));
      a.ws.send(Uint8Array.of(1, 10, 98));
      a.ws.send(Uint8Array.of(1, 2, 0xff, 0xfe));
      a.send('b', bytes('{}'), EnvelopeKind.welcome);
      a.send('b', bytes('ok'));
      expect(text((await b.waitFor((e) => e.kind === EnvelopeKind.data)).payload)).toBe('ok');
      expect((await stats('r')).rejected.malformed).toBe(6);
    });

    it('rate-limits a flooding member', async () => {
      await relayWith({ maxFramesPerSecond: 100 });
      const a = join('r', 'a');
      await a.welcome;
      const b = join('r', 'b');
      await b.welcome;
      for (let i = 0; i < 1000; i++) a.send('b', bytes(String(i)));
      await expect.poll(async () => {
        const { framesForwarded, dropped } = await stats('r');
        return framesForwarded + dropped.rateLimited;
      }, { timeout: 10_000 }).toBe(1000);
      const { framesForwarded, dropped } = await stats('r');
      expect(dropped.rateLimited).toBeGreaterThan(800);
      expect(framesForwarded).toBeGreaterThanOrEqual(100);
      expect(b.received.filter((e) => e.kind === EnvelopeKind.data).length).toBe(framesForwarded);
    });
  });

  describe('security', () => {
    const secret = 'relay secret';

    it('requires a valid room token when a secret is set (4001)', async () => {
      await relayWith({ tokenSecret: secret });
      const now = Date.now();
      const good = await mintRoomToken(secret, { room: 'r', expiresAt: now + 60_000 });
      const bound = await mintRoomToken(secret, { room: 'r', expiresAt: now + 60_000, node: 'b' });
      const forged = await mintRoomToken('other secret', { room: 'r', expiresAt: now + 60_000 });
      const otherRoom = await mintRoomToken(secret, { room: 'q', expiresAt: now + 60_000 });
      const expired = await mintRoomToken(secret, { room: 'r', expiresAt: now - 1 });
      const brief = await mintRoomToken(secret, { room: 'r', expiresAt: now + 1000 });

      await join('r', 'a', { token: good }).welcome;
      await join('r', 'b', { token: bound }).welcome;
      await join('r', 'early', { token: brief }).welcome;
      for (const [node, token] of [['c', bound], ['d', forged], ['e', otherRoom], ['f', expired], ['g', 'x.y'], ['h', '...']]) {
        expect((await join('r', node!, { token: token! }).closed).code).toBe(CloseCode.unauthorized);
      }
      expect((await join('r', 'none').closed).code).toBe(CloseCode.unauthorized);
      await new Promise((resolve) => setTimeout(resolve, now + 1100 - Date.now()));
      expect((await join('r', 'late', { token: brief }).closed).code).toBe(CloseCode.unauthorized);
      expect((await stats('r')).rejected.unauthorized).toBe(8);
      expect((await stats('r')).members).toEqual(['a', 'b', 'early']);
    });

    it('refuses a transport whose token is bad for good: start() rejects with 4001', async () => {
      await relayWith({ tokenSecret: secret });
      const token = await mintRoomToken('another secret', { room: 'r', node: 'a', expiresAt: Date.now() + 60_000 });
      const transport = webSocketTransport({ url: relay!.url, room: 'r', nodeId: 'a', token, WebSocket });
      try {
        const refused = await transport.start({ message: () => undefined }).then(() => undefined, (error: unknown) => error);
        expect(refused).toBeInstanceOf(RelayRefusedError);
        expect(refused).toMatchObject({ code: CloseCode.unauthorized });
        expect(transport.status.state).toBe('refused');
      } finally {
        await transport.close();
      }
    });

    it('enforces the origin allowlist (4003)', async () => {
      await relayWith({ allowedOrigins: ['https://app.example', 'https://other.example'] });
      await join('r', 'a', {}, 'https://app.example').welcome;
      await join('r', 'b', {}, 'https://other.example').welcome;
      await join('r', 'no-origin').welcome;
      expect((await join('r', 'c', {}, 'https://evil.example').closed).code).toBe(CloseCode.forbiddenOrigin);
      expect((await stats('r')).rejected.forbiddenOrigin).toBe(1);
    });
  });

  describe('a Raft cluster', () => {
    it('of three RaftNodes commits through it, with node-bound room tokens and a cluster secret', async () => {
      const secret = 'relay secret';
      await relayWith({ tokenSecret: secret });
      const cluster = await startCluster(relay!.url, 'raft', (id) => ({
        token: () => mintRoomToken(secret, { room: 'raft', node: id, expiresAt: Date.now() + 60_000 }),
      }));
      const load = new Load(cluster, 16);
      try {
        load.start();
        await waitFor(() => load.commits >= 500, 20_000, '500 commits');
        await load.stop();
        const leader = cluster.nodes.find((n) => n.raft.isLeader) ?? cluster.nodes[0]!;
        await leader.raft.propose({ key: 'last', value: 'v' }, { timeoutMs: 5000 });
        await waitFor(() => cluster.nodes.every((n) => n.raft.stateMachine.data.get('last') === 'v'), 10_000, 'the last command everywhere');
        const states = cluster.nodes.map((n) => JSON.stringify([...n.raft.stateMachine.data].sort()));
        expect(new Set(states).size).toBe(1);
        expect((await stats('raft')).members.toSorted()).toEqual(['n1', 'n2', 'n3']);
      } finally {
        await load.stop();
        await cluster.stop();
      }
    }, 30_000);
  });
});
