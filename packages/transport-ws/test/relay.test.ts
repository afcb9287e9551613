/**
 * What only the Node relay has: pings, its process's limits (connections, rooms, handshakes,
 * memory, queues), the byte rate enforced by not reading, the admin API and fault injection,
 * and its life on an application's HTTP server. The protocol itself, the same on every relay,
 * is checked by relay-protocol.test.ts against each of them.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startRelay, CloseCode, type Relay, type RelayOptions } from '../src/relay/index.ts';
import { EnvelopeKind } from '../src/protocol.ts';
import { bytes, connectClient, until, type TestClient } from './relay-client.ts';

let relay: Relay | undefined;
const clients: TestClient[] = [];

async function relayWith(options: RelayOptions = {}): Promise<Relay> {
  relay = await startRelay({ port: 0, ...options });
  return relay;
}

function join(room: string, node: string, extra: Record<string, string> = {}, origin?: string): TestClient {
  const client = connectClient(relay!.url, { room, node, ...extra }, origin ? { origin } : {});
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await relay?.close();
  relay = undefined;
});

describe('relay: pings', () => {
  it('keeps a node id with a connection that answers pings, idle as it may be: a second one is refused (4106)', async () => {
    await relayWith({ takeoverProbeMs: 500 });
    const first = join('r', 'a');
    await first.welcome;
    const second = join('r', 'a');
    expect((await second.closed).code).toBe(CloseCode.nodeIdInUse);
    first.send('a', bytes('x'));
    expect(relay!.rooms()).toEqual([{ room: 'r', members: ['a'] }]);
    expect(first.ws.readyState).toBe(first.ws.OPEN);
    expect(relay!.stats().rejected.nodeIdInUse).toBe(1);
  });

  it('drops sockets that stop answering pings and tells the room', async () => {
    await relayWith({ pingIntervalMs: 50 });
    const a = join('r', 'a');
    await a.welcome;
    const dead = join('r', 'dead');
    await dead.welcome;
    // A paused socket reads nothing, so it never sees the ping it would answer.
    (dead.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await a.waitFor((e) => e.kind === EnvelopeKind.presence && e.peer === 'dead' && e.payload[0] === 0, 2000);
    expect(relay!.stats().members).toBe(1);
  });
});

describe('relay: on the application’s own HTTP server', () => {
  it('takes only its path and leaves other requests and upgrades alone', async () => {
    const { createServer } = await import('node:http');
    const { WebSocketServer } = await import('ws');
    const server = createServer((_request, response) => response.end('app'));
    const other = new WebSocketServer({ noServer: true });
    server.on('upgrade', (request, socket, head) => {
      if (request.url === '/app-socket') other.handleUpgrade(request, socket, head, (ws) => ws.send('app socket'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    relay = await startRelay({ server, path: '/relay' });
    try {
      expect(await (await fetch(`http://127.0.0.1:${port}/page`)).text()).toBe('app');
      const appSocket = new (await import('ws')).WebSocket(`ws://127.0.0.1:${port}/app-socket`);
      expect(String(await new Promise((resolve) => appSocket.once('message', resolve)))).toBe('app socket');
      appSocket.close();
      const a = connectClient(`ws://127.0.0.1:${port}/relay`, { room: 'r', node: 'a' });
      clients.push(a);
      expect(await a.welcome).toEqual([]);
    } finally {
      for (const c of clients.splice(0)) c.ws.terminate();
      await relay.close();
      relay = undefined;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('relay: limits and close codes', () => {

  it('limits members per room (4101) and connections (4102); refused connections free their slot at once', async () => {
    await relayWith({ maxRooms: 2, maxMembersPerRoom: 2, maxConnections: 3 });
    await join('r', 'a').welcome;
    await join('r', 'b').welcome;
    expect((await join('r', 'c').closed).code).toBe(CloseCode.roomFull);
    await join('q', 'held').welcome;
    expect((await join('third', 'a').closed).code).toBe(CloseCode.tooManyConnections);
    expect(relay!.stats().rejected).toMatchObject({ roomFull: 1, tooManyConnections: 1 });
  });

  it('limits rooms (4100)', async () => {
    await relayWith({ maxRooms: 1 });
    await join('r', 'a').welcome;
    expect((await join('other', 'a').closed).code).toBe(CloseCode.tooManyRooms);
    expect(relay!.stats().rejected.tooManyRooms).toBe(1);
  });

  it('releases connection slots of handshakes that fail', async () => {
    await relayWith({ maxConnections: 2 });
    const port = relay!.port;
    for (let i = 0; i < 5; i++) {
      const status = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString()));
        socket.on('close', () => resolve(answer.split('\r\n')[0]!));
        socket.on('error', () => undefined);
        socket.write('GET /?room=r&node=x HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: bad\r\n\r\n');
      });
      expect(status).toBe('HTTP/1.1 400 Bad Request');
    }
    await join('r', 'a').welcome;
    await join('r', 'b').welcome;
    expect(relay!.stats().rejected.tooManyConnections).toBe(0);
  });

  it('reads a member that sends more than maxBytesPerSecond no faster than that, and drops nothing', async () => {
    await relayWith({ maxBytesPerSecond: 1024 * 1024, maxFramesPerSecond: 1e9 });
    const a = join('r', 'a');
    await a.welcome;
    const b = join('r', 'b');
    await b.welcome;
    const started = Date.now();
    const chunk = new Uint8Array(64 * 1024);
    for (let i = 0; i < 48; i++) a.send('b', chunk);
    await until(() => b.received.filter((e) => e.kind === EnvelopeKind.data).length === 48, 10_000, 'all 3 MiB delivered');
    // One second's worth at once, the other two at 1 MiB/s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(relay!.stats().throttled).toBeGreaterThan(0);
    expect(relay!.stats().dropped.rateLimited).toBe(0);
  });

  it('bounds a slow receiver’s queue: frames past maxBufferedBytes are dropped and counted', async () => {
    await relayWith({ maxBufferedBytes: 64 * 1024, maxFramesPerSecond: 1e9 });
    const fast = join('r', 'fast');
    await fast.welcome;
    const slow = join('r', 'slow');
    await slow.welcome;
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const chunk = new Uint8Array(16 * 1024);
    for (let i = 0; i < 2000; i++) fast.send('slow', chunk);
    await until(() => relay!.stats().dropped.backpressure + relay!.stats().framesForwarded === 2000, 10_000);
    const { dropped, framesForwarded } = relay!.stats();
    // Socket buffers in the kernel absorb some; the relay's own queue stays near the bound.
    expect(dropped.backpressure).toBeGreaterThan(1000);
    expect(framesForwarded * chunk.length).toBeLessThan(16 * 1024 * 1024);
  });
});

describe('relay: security', () => {
  it('asks the authorize hook and enforces the origin allowlist (4003)', async () => {
    await relayWith({
      allowedOrigins: ['https://app.example'],
      authorize: ({ node, request }) => node !== 'mallory' && request.headers['user-agent'] !== 'evil',
    });
    await join('r', 'a', {}, 'https://app.example').welcome;
    await join('r', 'b').welcome;
    expect((await join('r', 'c', {}, 'https://evil.example').closed).code).toBe(CloseCode.forbiddenOrigin);
    expect((await join('r', 'mallory').closed).code).toBe(CloseCode.unauthorized);
    expect(relay!.stats().rejected).toMatchObject({ forbiddenOrigin: 1, unauthorized: 1 });
  });
});

describe('relay: admin and fault injection', () => {
  it('is off unless enabled', async () => {
    await relayWith();
    const response = await fetch(`${relay!.url.replace('ws:', 'http:')}admin/stats`);
    expect(response.status).toBe(426);
  });

  it('cuts, delays and heals links through the admin API, behind its token', async () => {
    await relayWith({ admin: { token: 'admin-token' } });
    const base = `${relay!.url.replace('ws:', 'http:')}admin`;
    const auth = { authorization: 'Bearer admin-token', 'content-type': 'application/json' };
    expect((await fetch(`${base}/stats`)).status).toBe(401);
    expect((await fetch(`${base}/stats`, { headers: { authorization: 'Bearer wrong-token!' } })).status).toBe(401);

    const a = join('r', 'a');
    await a.welcome;
    const b = join('r', 'b');
    await b.welcome;
    const post = (rule: unknown) => fetch(`${base}/rooms/r/faults`, { method: 'POST', headers: auth, body: JSON.stringify(rule) });
    expect((await post({ from: 'a', to: 'b', cut: true })).status).toBe(200);
    expect((await post({ from: 'a', to: 'b', dropRate: 2 })).status).toBe(400);
    expect((await post({ from: 'a' })).status).toBe(400);
    a.send('b', bytes('lost'));
    b.send('a', bytes('b to a passes'));
    await a.waitFor((e) => e.kind === EnvelopeKind.data);
    expect(relay!.stats().dropped.fault).toBe(1);

    expect((await fetch(`${base}/rooms/r/faults?a=a&b=b`, { method: 'DELETE', headers: auth })).status).toBe(200);
    await post({ from: '*', to: 'b', delayMs: 150 });
    const sent = Date.now();
    a.send('b', bytes('late'));
    await b.waitFor((e) => e.kind === EnvelopeKind.data);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(140);
    const rules = await (await fetch(`${base}/rooms/r/faults`, { headers: auth })).json();
    expect(rules).toEqual([{ from: '*', to: 'b', delayMs: 150 }]);
    const stats = await (await fetch(`${base}/stats`, { headers: auth })).json();
    expect(stats.framesForwarded).toBe(2);
    expect(await (await fetch(`${base}/rooms`, { headers: auth })).json()).toEqual([{ room: 'r', members: ['a', 'b'] }]);
  });
});

describe('relay: what it sends on its own', () => {
  it('merges presence for a member whose queue is full: the latest state of each peer, once there is room', async () => {
    await relayWith({ maxBufferedBytes: 16 * 1024, maxFramesPerSecond: 1e9 });
    const slow = join('r', 'slow');
    await slow.welcome;
    const flooder = join('r', 'flooder');
    await flooder.welcome;
    const stream = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    stream.pause();
    const chunk = new Uint8Array(64 * 1024);
    for (let i = 0; i < 200; i++) flooder.send('slow', chunk);
    await until(() => relay!.stats().dropped.backpressure > 0, 5000, 'the queue full');
    // Ten joins and leaves of one peer, and one that stays.
    for (let i = 0; i < 10; i++) {
      const c = join('r', 'churner');
      await c.welcome;
      c.ws.close();
      await c.closed;
    }
    await join('r', 'stayer').welcome;
    stream.resume();
    await slow.waitFor((e) => e.kind === EnvelopeKind.presence && e.peer === 'stayer', 5000);
    await until(() => slow.received.some((e) => e.kind === EnvelopeKind.presence && e.peer === 'churner' && e.payload[0] === 0), 5000, 'the churner gone');
    const churns = slow.received.filter((e) => e.kind === EnvelopeKind.presence && e.peer === 'churner');
    expect(churns.length).toBeLessThan(20);
    expect(churns.at(-1)!.payload[0]).toBe(0);
  });

  it('drops a member whose queue stays full with slowConsumer (4104) after stallTimeoutMs', async () => {
    await relayWith({ maxBufferedBytes: 16 * 1024, maxFramesPerSecond: 1e9, stallTimeoutMs: 300 });
    const slow = join('r', 'slow');
    await slow.welcome;
    const flooder = join('r', 'flooder');
    await flooder.welcome;
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const chunk = new Uint8Array(64 * 1024);
    for (let i = 0; i < 200; i++) flooder.send('slow', chunk);
    await until(() => relay!.stats().disconnected.slowConsumer === 1, 5000, 'the slow consumer dropped');
    await flooder.waitFor((e) => e.kind === EnvelopeKind.presence && e.peer === 'slow' && e.payload[0] === 0);
    // Its queue counts until its socket is cut, a grace period later.
    await until(() => relay!.stats().memory.held.queued === 0, 3000, 'its queue returned');
  });
});
