/**
 * Relays sharing rooms through Redis: a room's members connected to different relays see one
 * room (welcome, presence, frames of every kind), one node id per room across relays (a live
 * holder keeps it, a stalled one loses it), the room's size limit counts every relay, and each
 * relay checks tokens and origins itself.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, mintRoomToken, RelayClusterError, RelayOptionsError, startRelay, type Relay } from '../../src/relay/index.ts';
import { EnvelopeKind, packBatch, unpackBatch } from '../../src/protocol.ts';
import { claimScript } from '../../src/relay/cluster/scripts.ts';
import { streamOf } from '../hostile/attacks.ts';
import { bytes, connectClient, text, until, type TestClient } from '../relay-client.ts';
import { freePort, startRedis, type RedisProcess } from './redis.ts';

let redis: RedisProcess;
let prefix = 0;
const relays: Relay[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await Promise.all(relays.splice(0).map((relay) => relay.close()));
});

/** Relays of one cluster: each test has a Redis prefix of its own. */
async function cluster(count: number, options: Parameters<typeof startRelay>[0] = {}): Promise<Relay[]> {
  const redisPrefix = `test${++prefix}:`;
  const started = await Promise.all(Array.from({ length: count }, () => startRelay({ port: 0, redis: redis.url, redisPrefix, ...options })));
  relays.push(...started);
  return started;
}

function join(relay: Relay, room: string, node: string, extra: Record<string, string> = {}, origin?: string): TestClient {
  const client = connectClient(relay.url, { room, node, ...extra }, origin === undefined ? {} : { origin });
  clients.push(client);
  return client;
}

const presence = (peer: string, present: boolean) => (e: { kind: number; peer: string; payload: Uint8Array }) =>
  e.kind === EnvelopeKind.presence && e.peer === peer && e.payload[0] === (present ? 1 : 0);

describe('a room across relays', () => {
  it('welcomes each member with the others, tells of joins and leaves, and carries frames of every kind', async () => {
    const [a, b, c] = await cluster(3);
    const x = join(a!, 'room', 'x');
    expect(await x.welcome).toEqual([]);
    const y = join(b!, 'room', 'y');
    expect(await y.welcome).toEqual(['x']);
    const z = join(c!, 'room', 'z');
    expect((await z.welcome).sort()).toEqual(['x', 'y']);
    await x.waitFor(presence('y', true));
    await x.waitFor(presence('z', true));
    await y.waitFor(presence('z', true));

    x.send('y', bytes('data x→y'));
    x.send('z', packBatch([bytes('one'), bytes('two')]), EnvelopeKind.batch);
    z.send('x', bytes('{"signal":1}'), EnvelopeKind.signal);
    const data = await y.waitFor((e) => e.kind === EnvelopeKind.data);
    expect([data.peer, text(data.payload)]).toEqual(['x', 'data x→y']);
    const batch = await z.waitFor((e) => e.kind === EnvelopeKind.batch);
    expect([batch.peer, unpackBatch(batch.payload).map(text)]).toEqual(['x', ['one', 'two']]);
    const signal = await x.waitFor((e) => e.kind === EnvelopeKind.signal);
    expect([signal.peer, text(signal.payload)]).toEqual(['z', '{"signal":1}']);
    // A frame for nobody in the room is dropped where it arrives.
    x.send('nobody', bytes('lost'));
    await until(() => a!.stats().dropped.unknownPeer === 1, 3000, 'the frame for nobody dropped');

    y.ws.close();
    await x.waitFor(presence('y', false));
    await z.waitFor(presence('y', false));
    expect(a!.stats().cluster).toMatchObject({ attached: true, remoteMembers: 1, framesOut: 2 });
    expect(c!.stats().cluster).toMatchObject({ framesOut: 1, framesIn: 1 });
    // Rooms of the same name in another cluster (another prefix) are other rooms.
    const [elsewhere] = await cluster(1);
    expect(await join(elsewhere!, 'room', 'w').welcome).toEqual([]);
  });

  it('tells the others at once when a relay shuts down', async () => {
    const [a, b] = await cluster(2);
    const x = join(a!, 'room', 'x');
    await x.welcome;
    const y = join(b!, 'room', 'y');
    await y.welcome;
    await b!.close();
    await x.waitFor(presence('y', false), 2000);
    expect((await y.closed).code).toBe(CloseCode.goingAway);
  });
});

describe('one node id per room across relays', () => {
  it('stays with a holder that answers pings: a newcomer at another relay gets 4106', async () => {
    const [a, b] = await cluster(2, { takeoverProbeMs: 300 });
    const holder = join(a!, 'room', 'n1');
    await holder.welcome;
    const newcomer = join(b!, 'room', 'n1');
    expect((await newcomer.closed).code).toBe(CloseCode.nodeIdInUse);
    expect(b!.stats().rejected.nodeIdInUse).toBe(1);
    expect(b!.stats().cluster!.probes).toEqual({ asked: 1, answered: 1 });
    expect(holder.ws.readyState).toBe(holder.ws.OPEN);
  });

  it('goes to a newcomer at another relay when the holder misses the ping: the holder gets 4009, the others see one member', async () => {
    const [a, b, c] = await cluster(3, { takeoverProbeMs: 300 });
    const holder = join(a!, 'room', 'n1');
    await holder.welcome;
    const watcher = join(c!, 'room', 'w');
    await watcher.welcome;
    streamOf(holder.ws).pause();
    const newcomer = join(b!, 'room', 'n1');
    expect(await newcomer.welcome).toEqual(['w']);
    streamOf(holder.ws).resume();
    expect((await holder.closed).code).toBe(CloseCode.replaced);
    expect(a!.stats().disconnected.replaced).toBe(1);
    // Frames for n1 reach the newcomer, wherever they come from.
    watcher.send('n1', bytes('to the new n1'));
    expect(text((await newcomer.waitFor((e) => e.kind === EnvelopeKind.data)).payload)).toBe('to the new n1');
    expect(c!.rooms()).toEqual([{ room: 'room', members: ['w'] }]);
    expect(c!.stats().cluster!.remoteMembers).toBe(1);
  });
});

describe('a node id another relay took', () => {
  it('closes the connection holding it here (4009); frames for it go to the other relay', async () => {
    const [a] = await cluster(1);
    const holder = join(a!, 'room', 'n1');
    await holder.welcome;
    const watcher = join(a!, 'room', 'w');
    await watcher.welcome;
    // Another relay takes n1 from this one, as it does after a takeover probe that got no answer in time.
    const other = new Redis(redis.url);
    try {
      await other.eval(claimScript, 0, `test${prefix}:`, 'room', 'n1', 'another-relay', 64, a!.stats().cluster!.relayId);
    } finally {
      other.disconnect();
    }
    expect((await holder.closed).code).toBe(CloseCode.replaced);
    const presenceOfN1 = (): string => watcher.received.filter((e) => e.kind === EnvelopeKind.presence && e.peer === 'n1').map((e) => e.payload[0]).join();
    await until(() => presenceOfN1() === '0,1', 3000, 'n1 gone from here, then present at the other relay');
    expect(a!.stats().disconnected.replaced).toBe(1);
    expect(a!.stats().cluster!.remoteMembers).toBe(1);
    watcher.send('n1', bytes('for the other relay'));
    await until(() => a!.stats().cluster!.dropped.noRelay === 1, 3000, 'the frame published to a relay nobody listens for');
  });
});

describe('limits and admission at each relay', () => {
  it('counts the members of a room at every relay against maxMembersPerRoom', async () => {
    const [a, b] = await cluster(2, { maxMembersPerRoom: 2 });
    await join(a!, 'room', 'x').welcome;
    await join(b!, 'room', 'y').welcome;
    expect((await join(a!, 'room', 'z').closed).code).toBe(CloseCode.roomFull);
    expect((await join(b!, 'room', 'z').closed).code).toBe(CloseCode.roomFull);
  });

  it('checks tokens and origins at every relay, whatever the others admitted', async () => {
    const secret = 'relay secret';
    const [open] = await cluster(1);
    const redisPrefix = `test${prefix}:`;
    const strict = await startRelay({ port: 0, redis: redis.url, redisPrefix, tokenSecret: secret, allowedOrigins: ['https://app.example'] });
    relays.push(strict);
    await join(open!, 'room', 'x').welcome;
    expect((await join(strict, 'room', 'y').closed).code).toBe(CloseCode.unauthorized);
    const token = await mintRoomToken(secret, { room: 'room', node: 'y', expiresAt: Date.now() + 60_000 });
    expect((await join(strict, 'room', 'y', { token }, 'https://evil.example').closed).code).toBe(CloseCode.forbiddenOrigin);
    expect(await join(strict, 'room', 'y', { token }, 'https://app.example').welcome).toEqual(['x']);
  });

  it('refuses options it cannot work with, and a Redis it cannot reach, with a named error', async () => {
    await expect(startRelay({ port: 0, redis: 'http://127.0.0.1:6379' })).rejects.toThrow(RelayOptionsError);
    await expect(startRelay({ port: 0, redis: 'redis://user:hunter2@127.0.0.1:6379', redisLeaseMs: 100 })).rejects.toThrow('`redisLeaseMs` must be at least 500');
    const unreachable = `redis://user:hunter2@127.0.0.1:${await freePort()}`;
    const error = await startRelay({ port: 0, redis: unreachable, redisLeaseMs: 1000 }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(RelayClusterError);
    expect((error as Error).message).toMatch(/^cannot reach Redis at redis:\/\/user:\*\*\*@127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
