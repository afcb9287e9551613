import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeEnvelope, EnvelopeKind } from '../src/protocol.ts';
import { FRAME_MAGIC, FRAME_VERSION, type Message, type Transport } from '@webraft/core';
import { runConformance, transportConformance, waitFor } from '@webraft/core/testing';
import { startRelay, type Relay } from '../src/relay/index.ts';
import { CloseCode, webSocketTransport, type RelayStatus, type RelayTransport, type WebSocketTransportOptions } from '../src/index.ts';

let relay: Relay;
let roomCounter = 0;

beforeAll(async () => {
  relay = await startRelay({ port: 0 });
});
afterAll(() => relay.close());

function transports(ids: readonly string[], extra: Partial<WebSocketTransportOptions> = {}): RelayTransport[] {
  const room = `room-${roomCounter++}`;
  return ids.map((nodeId) => webSocketTransport({ url: relay.url, room, nodeId, WebSocket, ...extra }));
}

runConformance(
  transportConformance((ids) => ({ transports: transports(ids) }), { timeoutMs: 10_000 }),
  { describe, it },
  { title: 'webSocketTransport conformance (through a relay on 127.0.0.1)', timeoutMs: 20_000 },
);

runConformance(
  transportConformance((ids) => ({ transports: transports(ids, { secret: 'cluster secret' }) }), { timeoutMs: 10_000 }),
  { describe, it },
  { title: 'webSocketTransport conformance with a cluster secret', timeoutMs: 20_000 },
);

const ping = (from: string, to: string, term = 1): Message => ({ type: 'timeoutNow', from, to, term });

interface Started {
  transport: Transport;
  received: Message[];
  rejected: { reason: string; from?: string }[];
  reachable: Map<string, boolean>;
}

async function startAll(list: readonly RelayTransport[]): Promise<Started[]> {
  const out: Started[] = [];
  for (const transport of list) {
    const s: Started = { transport, received: [], rejected: [], reachable: new Map() };
    await transport.start({
      message: (m) => s.received.push(m),
      rejected: (r) => s.rejected.push(r),
      reachability: (peer, reachable) => s.reachable.set(peer, reachable),
    });
    out.push(s);
  }
  return out;
}

describe('webSocketTransport', () => {
  it('rejects frames without the cluster secret, or under another secret, and counts them', async () => {
    const room = `room-${roomCounter++}`;
    const make = (nodeId: string, secret?: string) =>
      webSocketTransport({ url: relay.url, room, nodeId, WebSocket, ...(secret !== undefined && { secret }) });
    const [member, outsider, forger] = await startAll([make('a', 's3cret'), make('b'), make('c', 'guess')]);
    outsider!.transport.send(ping('b', 'a'));
    forger!.transport.send(ping('c', 'a'));
    await waitFor(() => member!.rejected.length === 2, 3000, 'two rejections');
    expect(member!.rejected.map((r) => [r.reason, r.from]).sort()).toEqual([
      ['auth', 'b'],
      ['auth', 'c'],
    ]);
    expect(member!.received).toEqual([]);
    expect((member!.transport as RelayTransport).stats().rejected).toBe(2);
    for (const s of [member, outsider, forger]) await s!.transport.close();
  });

  // Node reads a socket into 64 KiB buffers; entry data that viewed one would keep it alive.
  // The codec copies byte fields out (small ones into its own 16 KiB slabs).
  it('delivers entry data as plain copies, not views into the socket buffer', async () => {
    const [a, b] = await startAll(transports(['a', 'b']));
    const entry = (index: number) => ({ term: 1, index, type: 'normal' as const, data: Uint8Array.of(index, 2, 3) });
    // Two messages in one turn: one batch envelope, one WebSocket message.
    a!.transport.send({ type: 'app', from: 'a', to: 'b', term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [entry(1)], commit: 0 });
    a!.transport.send({ type: 'app', from: 'a', to: 'b', term: 1, prevLogIndex: 1, prevLogTerm: 1, entries: [entry(2)], commit: 0 });
    await waitFor(() => b!.received.length === 2, 3000, 'two messages');
    for (const message of b!.received) {
      const { data } = (message as Extract<Message, { type: 'app' }>).entries[0]!;
      expect(Object.getPrototypeOf(data)).toBe(Uint8Array.prototype);
      // A view into what was received would sit in a buffer that also holds a frame header.
      const around = new Uint8Array(data.buffer);
      const headerAt = around.findIndex((byte, i) => byte === FRAME_MAGIC && around[i + 1] === FRAME_VERSION);
      expect(headerAt).toBe(-1);
    }
    for (const s of [a, b]) await s!.transport.close();
  });

  it('rejects frames of another cluster id', async () => {
    const room = `room-${roomCounter++}`;
    const a = webSocketTransport({ url: relay.url, room, nodeId: 'a', WebSocket });
    const b = webSocketTransport({ url: relay.url, room, nodeId: 'b', WebSocket, clusterId: 'other' });
    const [sa, sb] = await startAll([a, b]);
    sb!.transport.send(ping('b', 'a'));
    await waitFor(() => sa!.rejected.length === 1, 3000, 'a rejection');
    expect(sa!.rejected[0]!.reason).toBe('clusterMismatch');
    await a.close();
    await b.close();
  });

  it('reports reachability from presence, and reconnects after the relay restarts', async () => {
    const own = await startRelay({ port: 0 });
    const port = own.port;
    const room = 'restart';
    const opts = { url: own.url, room, WebSocket, backoff: { initialMs: 20, maxMs: 200 } };
    const [a, b] = await startAll([webSocketTransport({ ...opts, nodeId: 'a' }), webSocketTransport({ ...opts, nodeId: 'b' })]);
    await waitFor(() => a!.reachable.get('b') === true && b!.reachable.get('a') === true, 3000, 'both reachable');
    await own.close();
    await waitFor(() => a!.reachable.get('b') === false, 3000, 'b unreachable once the relay is gone');
    const again = await startRelay({ port });
    try {
      await waitFor(() => a!.reachable.get('b') === true, 5000, 'b reachable after the relay is back');
      b!.transport.send(ping('b', 'a', 3));
      await waitFor(() => a!.received.some((m) => m.term === 3), 3000, 'a message after the restart');
      expect((a!.transport as RelayTransport).stats().relayConnections).toBe(2);
    } finally {
      await a!.transport.close();
      await b!.transport.close();
      await again.close();
    }
  });

  it('cuts, delays and drops links with its fault table', async () => {
    const [a, b, c] = await startAll(transports(['a', 'b', 'c']));
    const ta = a!.transport as RelayTransport;
    ta.faults.cut('a', 'b');
    ta.send(ping('a', 'b', 1));
    b!.transport.send(ping('b', 'a', 2));
    ta.send(ping('a', 'c', 3));
    await waitFor(() => c!.received.length === 1, 3000, 'c hears a');
    await new Promise((r) => setTimeout(r, 100));
    expect(b!.received).toEqual([]);
    expect(a!.received).toEqual([]);
    expect(ta.stats().dropped.fault).toBe(2);

    ta.faults.heal('a', 'b');
    ta.faults.set('a', '*', { delayMs: 120 });
    const sent = Date.now();
    ta.send(ping('a', 'b', 4));
    await waitFor(() => b!.received.length === 1, 3000, 'b hears a, late');
    expect(Date.now() - sent).toBeGreaterThanOrEqual(110);

    ta.faults.set('a', '*', { dropRate: 1 });
    ta.send(ping('a', 'c', 5));
    await new Promise((r) => setTimeout(r, 100));
    expect(c!.received).toHaveLength(1);
    for (const s of [a, b, c]) await s!.transport.close();
  });

  it('drops a message too large for the relay instead of sending it (the connection stays up)', async () => {
    const small = await startRelay({ port: 0, maxFrameBytes: 4096 });
    const opts = { url: small.url, room: 'r', WebSocket, maxFrameBytes: 4096 };
    const [a, b] = await startAll([webSocketTransport({ ...opts, nodeId: 'a' }), webSocketTransport({ ...opts, nodeId: 'b' })]);
    const ta = a!.transport as RelayTransport;
    ta.send({ type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: 1, context: new Uint8Array(5000) });
    ta.send(ping('a', 'b', 2));
    await waitFor(() => b!.received.length === 1, 3000, 'the small message');
    expect(b!.received[0]!.term).toBe(2);
    expect(ta.stats()).toMatchObject({ relayConnections: 1, dropped: { oversized: 1 } });
    expect(small.stats().rejected.oversized).toBe(0);
    await a!.transport.close();
    await b!.transport.close();
    await small.close();
  });

  it('retries with exponential backoff on its injected clock and random source', async () => {
    const timers: { callback: () => void; ms: number }[] = [];
    const clock = {
      now: () => 0,
      setTimeout: (callback: () => void, ms: number) => timers.push({ callback, ms }),
      clearTimeout: () => undefined,
    };
    const dead = await startRelay({ port: 0 });
    const url = dead.url;
    await dead.close();
    const t = webSocketTransport({ url, room: 'r', nodeId: 'a', WebSocket, clock, random: () => 0, backoff: { initialMs: 100, maxMs: 400 } });
    let started = false;
    const starting = t.start({ message: () => undefined }).then(() => (started = true));
    expect(timers[0]!.ms).toBe(10_000);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      await waitFor(() => timers.length === attempt + 1, 3000, `retry ${attempt} scheduled`);
      delays.push(timers[attempt]!.ms);
      timers[attempt]!.callback();
    }
    expect(delays).toEqual([100, 200, 400, 400]);
    expect(started).toBe(false);
    timers[0]!.callback();
    await starting;
    expect(t.stats().relayConnections).toBe(0);
    await t.close();
  });

  it('tells the application while another live connection holds its node id, and joins once the id is free', async () => {
    const room = `room-${roomCounter++}`;
    const first = webSocketTransport({ url: relay.url, room, nodeId: 'a', WebSocket });
    await first.start({ message: () => undefined });
    const statuses: RelayStatus[] = [];
    const second = webSocketTransport({ url: relay.url, room, nodeId: 'a', WebSocket, connectTimeoutMs: 500, backoff: { initialMs: 50, maxMs: 200 }, onStatus: (s) => statuses.push(s) });
    await second.start({ message: () => undefined });
    expect(second.status).toMatchObject({ state: 'displaced', lastClose: { code: CloseCode.nodeIdInUse } });
    expect(first.status.state).toBe('admitted');
    await first.close();
    await waitFor(() => second.status.state === 'admitted', 5000, 'the second connection admitted');
    expect(statuses.map((s) => s.state)).toContain('displaced');
    expect(relay.rooms().find((r) => r.room === room)?.members).toEqual(['a']);
    await second.close();
    expect(second.status.state).toBe('closed');
  });

  it('reports being replaced after missing the takeover ping (4009), and comes back once the id is free', async () => {
    const room = `room-${roomCounter++}`;
    const sockets: WebSocket[] = [];
    class RecordedWebSocket extends WebSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    }
    const statuses: RelayStatus[] = [];
    const first = webSocketTransport({ url: relay.url, room, nodeId: 'a', WebSocket: RecordedWebSocket, backoff: { initialMs: 50, maxMs: 200 }, onStatus: (s) => statuses.push(s) });
    await first.start({ message: () => undefined });
    // A stalled client: it reads nothing, so it answers no ping.
    const stalled = (sockets[0] as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    stalled.pause();
    const usurper = new WebSocket(`${relay.url}?room=${room}&node=a`);
    await new Promise((resolve) => usurper.once('message', resolve));
    stalled.resume();
    await waitFor(() => statuses.some((s) => s.state === 'displaced' && s.lastClose?.code === CloseCode.replaced), 5000, 'the eviction reported');
    // It keeps trying: refused while the other connection lives, admitted once it is gone.
    await waitFor(() => first.status.lastClose?.code === CloseCode.nodeIdInUse, 5000, 'a refused retry');
    expect(first.status.state).toBe('displaced');
    usurper.close();
    await waitFor(() => first.status.state === 'admitted', 5000, 'back in the room');
    expect(first.stats().relayConnections).toBe(2);
    await first.close();
  });

  it('notices a relay that went silent (keepalive) and reconnects', async () => {
    // A relay that admits everyone and then never says anything again.
    const silent = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    const asked: number[] = [];
    let connections = 0;
    silent.on('connection', (socket) => {
      connections++;
      socket.send(encodeEnvelope(EnvelopeKind.welcome, '', new TextEncoder().encode('[]')));
      socket.on('message', (data: Buffer) => asked.push(data[0]!));
    });
    await new Promise((resolve) => silent.once('listening', resolve));
    const port = (silent.address() as { port: number }).port;
    const t = webSocketTransport({ url: `ws://127.0.0.1:${port}/`, room: 'r', nodeId: 'a', WebSocket, keepAliveMs: 100, backoff: { initialMs: 10 } });
    await t.start({ message: () => undefined });
    await waitFor(() => connections >= 2, 3000, 'a second connection');
    expect(asked[0]).toBe(EnvelopeKind.keepalive);
    await t.close();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('stays connected to a quiet but live relay', async () => {
    const t = webSocketTransport({ url: relay.url, room: `room-${roomCounter++}`, nodeId: 'a', WebSocket, keepAliveMs: 50 });
    await t.start({ message: () => undefined });
    await new Promise((r) => setTimeout(r, 400));
    expect(t.stats().relayConnections).toBe(1);
    await t.close();
  });

  it('refuses to start with a bad token and stops retrying', async () => {
    const guarded = await startRelay({ port: 0, tokenSecret: 'k' });
    const t = webSocketTransport({ url: guarded.url, room: 'r', nodeId: 'a', WebSocket, token: 'nope' });
    await expect(t.start({ message: () => undefined })).rejects.toMatchObject({ name: 'RelayRefusedError', code: 4001 });
    await t.close();
    await guarded.close();
  });

  it('fetches a fresh token for each connection attempt', async () => {
    const { mintRoomToken } = await import('../src/index.ts');
    const guarded = await startRelay({ port: 0, tokenSecret: 'k' });
    let minted = 0;
    const token = () => {
      minted++;
      return mintRoomToken('k', { room: 'r', expiresAt: Date.now() + 60_000, node: 'a' });
    };
    const t = webSocketTransport({ url: guarded.url, room: 'r', nodeId: 'a', WebSocket, token });
    await t.start({ message: () => undefined });
    expect(t.stats().relayConnections).toBe(1);
    expect(minted).toBe(1);
    await t.close();
    await guarded.close();
  });
});
